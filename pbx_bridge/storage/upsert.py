"""INSERT … ON CONFLICT for both databases (the SQLite and PostgreSQL syntax is the same)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Executable, Table
from sqlalchemy.dialects import postgresql, sqlite

# Given the `excluded` pseudo-table (the row that was refused), the columns to set and how.
UpdateFrom = Callable[[Any], Mapping[str, Any]]


def upsert_statement(
    dialect: str, table: Table, keys: Sequence[str], update: UpdateFrom | None = None
) -> Executable:
    """The statement `upsert` runs; build it once and execute it with many rows' values."""
    statement: sqlite.Insert | postgresql.Insert = (
        postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)
    )
    if update is None:
        return statement.on_conflict_do_nothing(index_elements=keys)
    set_ = dict(update(statement.excluded))
    return statement.on_conflict_do_update(index_elements=keys, set_=set_)


def upsert(
    connection: Connection,
    table: Table,
    values: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    keys: Sequence[str],
    update: UpdateFrom | None = None,
) -> None:
    """Insert, or on a key conflict update as `update` says (None: keep the existing row)."""
    connection.execute(upsert_statement(connection.dialect.name, table, keys, update), values)
