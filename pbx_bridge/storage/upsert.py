"""INSERT … ON CONFLICT for both databases (the SQLite and PostgreSQL syntax is the same)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite

# Given the `excluded` pseudo-table (the row that was refused), the columns to set and how.
UpdateFrom = Callable[[Any], Mapping[str, Any]]


def upsert(
    connection: Connection,
    table: Table,
    values: Mapping[str, Any] | Sequence[Mapping[str, Any]],
    keys: Sequence[str],
    update: UpdateFrom | None = None,
) -> None:
    """Insert, or on a key conflict update as `update` says (None: keep the existing row)."""
    statement: sqlite.Insert | postgresql.Insert = (
        postgresql.insert(table)
        if connection.dialect.name == "postgresql"
        else sqlite.insert(table)
    )
    if update is None:
        connection.execute(statement.on_conflict_do_nothing(index_elements=keys), values)
        return
    set_ = dict(update(statement.excluded))
    connection.execute(statement.on_conflict_do_update(index_elements=keys, set_=set_), values)
