"""The PostgreSQL server the tests and benchmarks use: where it is, how to reach a database
on it with psycopg, and a database of one's own that is dropped afterwards.

`PBX_BRIDGE_TEST_POSTGRES` names the admin URL (default: the `test` database on
127.0.0.1:5432, trust authentication); every database is created through it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from sqlalchemy.engine import make_url

ADMIN_URL = os.environ.get("PBX_BRIDGE_TEST_POSTGRES", "postgresql+psycopg://127.0.0.1:5432/test")

Connection = psycopg.Connection[tuple[object, ...]]


def conninfo(url: str) -> str:
    """psycopg's connection string for a SQLAlchemy URL."""
    parsed = make_url(url)
    parts = {
        "host": parsed.host or "127.0.0.1",
        "port": parsed.port or 5432,
        "dbname": parsed.database or "postgres",
        "user": parsed.username,
        "password": parsed.password,
    }
    return " ".join(f"{key}={value}" for key, value in parts.items() if value is not None)


def url_of(name: str) -> str:
    """SQLAlchemy URL of database `name` on the admin URL's server."""
    return make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def connect_admin(timeout: int = 3) -> Connection:
    """An autocommit connection to the admin database (raises psycopg.OperationalError)."""
    return psycopg.connect(conninfo(ADMIN_URL), autocommit=True, connect_timeout=timeout)


def create_database(admin: Connection, name: str) -> None:
    admin.execute(f'CREATE DATABASE "{name}"')


def drop_database(admin: Connection, name: str) -> None:
    """Drop database `name`, closing any connection still open to it."""
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def own_database(admin: Connection, name: str) -> Iterator[str]:
    """Create database `name`; yield its URL; drop it afterwards."""
    create_database(admin, name)
    try:
        yield url_of(name)
    finally:
        drop_database(admin, name)
