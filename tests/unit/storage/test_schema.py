"""Migrations: packaged, programmatic, idempotent, and matching the models."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from pbx_bridge.storage import CallLog, SchemaOutdatedError
from pbx_bridge.storage.models import Base
from pbx_bridge.storage.schema import MIGRATIONS, head_revision

TABLES = {
    "calls",
    "wrapups",
    "tickets",
    "monthly_aggregates",
    "hourly_aggregates",
    "ticket_aggregates",
    "web_users",
    "web_tokens",
    "web_sessions",
    "web_audit",
    "call_days",
    "call_hours",
    "call_waits",
    "local_offsets",
}


def test_migrations_ship_inside_the_package() -> None:
    assert (MIGRATIONS / "env.py").is_file()
    assert (MIGRATIONS / "script.py.mako").is_file()
    assert list((MIGRATIONS / "versions").glob("r*.py"))


def test_upgrade_creates_every_table_and_is_idempotent(url: str) -> None:
    log = CallLog(url)
    assert log.upgrade() == head_revision()
    assert log.upgrade() == head_revision()
    assert set(inspect(log.engine).get_table_names()) >= TABLES
    log.close()


def test_migrated_schema_matches_the_models(url: str) -> None:
    log = CallLog(url)
    log.upgrade()
    with log.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    log.close()
    assert differences == []


def test_ensure_schema_creates_an_empty_database(url: str) -> None:
    log = CallLog(url)
    log.ensure_schema()
    log.ensure_schema()
    assert set(inspect(log.engine).get_table_names()) >= TABLES
    log.close()


def test_ensure_schema_refuses_a_database_at_another_revision(url: str) -> None:
    log = CallLog(url)
    log.upgrade()
    with log.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0000_older'"))
    with pytest.raises(SchemaOutdatedError, match="pbx-bridge db upgrade"):
        log.ensure_schema()
    log.close()


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path: Path) -> None:
    log = CallLog(f"sqlite:///{tmp_path / 'sub' / 'calls.sqlite3'}", busy_timeout_s=2.5)
    log.upgrade()  # also creates the missing folder
    with log.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 2500
    log.close()
    with sqlite3.connect(tmp_path / "sub" / "calls.sqlite3") as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)  # persistent
