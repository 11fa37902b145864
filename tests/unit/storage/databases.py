"""The databases the storage tests run against: a temporary SQLite file, a fresh PostgreSQL.

A test run creates its own database `pbxb_test_<random>` through the `test` database and drops
it at the end; each test gets a fresh schema in it (search_path), so neither parallel runs nor
tests see each other's rows. (A database per test would cost half a second each.) An
unreachable PostgreSQL fails the test in CI (CI=true) and skips it, with the reason, elsewhere.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from tests.conftest import in_ci

ADMIN_URL = os.environ.get("PBX_BRIDGE_TEST_POSTGRES", "postgresql+psycopg://127.0.0.1:5432/test")
BACKENDS = ("sqlite", "postgresql")


def sqlite_url(directory: Path, name: str = "calls.sqlite3") -> str:
    return f"sqlite:///{directory / name}"


def _conninfo(url: str) -> str:
    parsed = make_url(url)
    parts = {
        "host": parsed.host or "127.0.0.1",
        "port": parsed.port or 5432,
        "dbname": parsed.database or "postgres",
        "user": parsed.username,
        "password": parsed.password,
    }
    return " ".join(f"{key}={value}" for key, value in parts.items() if value is not None)


def admin_connection() -> psycopg.Connection[tuple[object, ...]]:
    try:
        return psycopg.connect(_conninfo(ADMIN_URL), autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        reason = f"PostgreSQL at {ADMIN_URL} unreachable: {str(error).strip()}"
        if in_ci():
            pytest.fail(reason)
        pytest.skip(reason)


def create_database(admin: psycopg.Connection[tuple[object, ...]], name: str) -> None:
    admin.execute(f'CREATE DATABASE "{name}"')


def drop_database(admin: psycopg.Connection[tuple[object, ...]], name: str) -> None:
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def url_of(name: str) -> str:
    return make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)


@contextmanager
def postgres_database() -> Iterator[tuple[str, str]]:
    """(url, name) of a new, empty database; dropped afterwards."""
    name = f"pbxb_test_{secrets.token_hex(6)}"
    with admin_connection() as admin:
        create_database(admin, name)
        try:
            yield url_of(name), name
        finally:
            drop_database(admin, name)


@pytest.fixture(scope="session")
def postgres_run_database() -> Iterator[str]:
    """URL of this test run's own PostgreSQL database."""
    with postgres_database() as (url, _name):
        yield url


@contextmanager
def postgres_schema(database_url: str) -> Iterator[str]:
    """URL of `database_url` whose connections work in a new, empty schema."""
    schema = f"t_{secrets.token_hex(6)}"
    with psycopg.connect(_conninfo(database_url), autocommit=True) as admin:
        admin.execute(f'CREATE SCHEMA "{schema}"')
        try:
            yield (
                make_url(database_url)
                .update_query_dict({"options": f"-csearch_path={schema}"})
                .render_as_string(hide_password=False)
            )
        finally:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')


@contextmanager
def database(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """URL of an empty database of `backend`."""
    if backend == "sqlite":
        yield sqlite_url(tmp_path)
        return
    # Asked for only here, so a run without PostgreSQL parameters never connects to it.
    with postgres_schema(request.getfixturevalue("postgres_run_database")) as url:
        yield url
