"""Engines for the call log: SQLite (embedded default, WAL) or PostgreSQL, same behaviour."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import make_url

DEFAULT_BUSY_TIMEOUT_S = 5.0
DEFAULT_CONNECT_TIMEOUT_S = 5

# What "the database does not answer" looks like: worth spooling and retrying later.
# IntegrityError and friends are bugs or bad data and must surface instead.
UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (
    exc.OperationalError,
    exc.InterfaceError,
    exc.DisconnectionError,
    exc.TimeoutError,
)

# Execution option that makes an SQLite transaction take the write lock at BEGIN.
IMMEDIATE = "pbx_bridge_immediate"


def is_unavailable(error: BaseException) -> bool:
    return isinstance(error, UNAVAILABLE_ERRORS)


def make_engine(url: str, *, busy_timeout_s: float = DEFAULT_BUSY_TIMEOUT_S) -> Engine:
    """An engine that does not connect yet (constructors run no queries)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, busy_timeout_s)
    connect_args: dict[str, Any] = {}
    if parsed.get_backend_name() == "postgresql":
        connect_args["connect_timeout"] = DEFAULT_CONNECT_TIMEOUT_S
    # pre_ping: after a database restart the pool would otherwise hand out dead connections.
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args)


def _sqlite_engine(url: str, busy_timeout_s: float) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": busy_timeout_s})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        # Let SQLAlchemy, not the driver, decide where transactions begin (see _on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
            # WAL: the daemon keeps writing while a supervisor's report reads.
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # The driver would begin only at the first write, so a read-then-write would not be one
        # transaction; IMMEDIATE takes the write lock up front (waiting up to the busy timeout)
        # instead of failing on the lock upgrade.
        immediate = connection.get_execution_options().get(IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine
