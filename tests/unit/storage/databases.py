"""The databases the storage tests run against: a temporary SQLite file, a fresh PostgreSQL.

A test run creates its own database `pbxb_test_<random>` through the `test` database and drops
it at the end; each test gets a fresh schema in it (search_path), so neither parallel runs nor
tests see each other's rows. (A database per test would cost half a second each.) An
unreachable PostgreSQL fails the test in CI (CI=true) and skips it, with the reason, elsewhere.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from sqlalchemy.engine import make_url

from pbx_bridge.storage import CallLog
from tests.conftest import in_ci
from tests.testbed.postgres import (
    ADMIN_URL,
    Connection,
    connect_admin,
    conninfo,
    create_database,
    drop_database,
    own_database,
)
from tests.unit.core.factories import wolfsburg_directory

__all__ = ["BACKENDS", "create_database", "database", "drop_database", "sqlite_url"]

BACKENDS = ("sqlite", "postgresql")


def sqlite_url(directory: Path, name: str = "calls.sqlite3") -> str:
    return f"sqlite:///{directory / name}"


def admin_connection() -> Connection:
    try:
        return connect_admin()
    except psycopg.OperationalError as error:
        reason = f"PostgreSQL at {ADMIN_URL} unreachable: {str(error).strip()}"
        if in_ci():
            pytest.fail(reason)
        pytest.skip(reason)


@contextmanager
def postgres_database() -> Iterator[tuple[str, str]]:
    """(url, name) of a new, empty database; dropped afterwards."""
    name = f"pbxb_test_{secrets.token_hex(6)}"
    with admin_connection() as admin, own_database(admin, name) as url:
        yield url, name


@pytest.fixture(scope="session")
def postgres_run_database() -> Iterator[str]:
    """URL of this test run's own PostgreSQL database."""
    with postgres_database() as (url, _name):
        yield url


@contextmanager
def postgres_schema(database_url: str) -> Iterator[str]:
    """URL of `database_url` whose connections work in a new, empty schema."""
    schema = f"t_{secrets.token_hex(6)}"
    with psycopg.connect(conninfo(database_url), autocommit=True) as admin:
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


@pytest.fixture(params=BACKENDS)
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database on each backend (import into a conftest to use)."""
    with database(request.param, tmp_path, request) as found:
        yield found


@pytest.fixture
def call_log(url: str) -> Iterator[CallLog]:
    """An upgraded call log of the Wolfsburg-style center on `url`."""
    log = CallLog(url, directory=wolfsburg_directory())
    log.upgrade()
    yield log
    log.close()
