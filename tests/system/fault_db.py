"""Databases a fault scenario can take away: an SQLite file locked by another writer, and a
PostgreSQL database of its own on the machine's server, reached through a proxy it can cut.

The PostgreSQL server itself is never stopped (other work shares it): the scenario creates
`pbxb_fault_<random>` through the admin URL (the one the storage tests use) and makes it
unavailable to the daemon by cutting the loopback proxy the daemon connects through. To the
daemon that is the same as a stopped server: open connections die, new ones are refused.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from psycopg.rows import dict_row
from sqlalchemy.engine import make_url

from tests.testbed.postgres import ADMIN_URL, connect_admin, conninfo, own_database, url_of


class SqliteLock:
    """Holds SQLite's write lock (BEGIN EXCLUSIVE) from another connection until `release`."""

    def __init__(self, database: Path) -> None:
        self.database = database
        self._db: sqlite3.Connection | None = None

    def take(self) -> None:
        db = sqlite3.connect(self.database, isolation_level=None, check_same_thread=False)
        db.execute("BEGIN EXCLUSIVE")
        self._db = db

    def release(self) -> None:
        db, self._db = self._db, None
        if db is not None:
            db.execute("COMMIT")
            db.close()


class PostgresUnavailableError(RuntimeError):
    pass


@contextmanager
def postgres_database() -> Iterator[str]:
    """The name of a new, empty database on the admin URL's server; dropped afterwards."""
    name = f"pbxb_fault_{secrets.token_hex(5)}"
    try:
        admin = connect_admin(timeout=5)
    except psycopg.OperationalError as exc:
        raise PostgresUnavailableError(f"PostgreSQL at {ADMIN_URL}: {exc}") from exc
    with admin, own_database(admin, name):
        yield name


def server_port() -> int:
    """The PostgreSQL server's port (from the admin URL)."""
    return make_url(ADMIN_URL).port or 5432


def url_via(name: str, port: int) -> str:
    """SQLAlchemy URL of database `name`, reached on 127.0.0.1:`port` (the proxy)."""
    return (
        make_url(url_of(name))
        .set(host="127.0.0.1", port=port)
        .render_as_string(hide_password=False)
    )


def postgres_records(name: str) -> list[dict[str, Any]]:
    """Every row of the `calls` table of database `name`, read directly (not via the proxy)."""
    with psycopg.connect(conninfo(url_of(name)), connect_timeout=5) as db:
        try:
            return list(db.cursor(row_factory=dict_row).execute("SELECT * FROM calls ORDER BY id"))
        except psycopg.errors.UndefinedTable:
            return []


def postgres_count(name: str, table: str) -> int:
    with psycopg.connect(conninfo(url_of(name)), connect_timeout=5) as db:
        try:
            row = db.execute(f"SELECT count(*) FROM {table}").fetchone()
        except psycopg.errors.UndefinedTable:
            return 0
    return int(row[0]) if row else 0
