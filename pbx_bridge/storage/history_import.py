"""Write imported history into the call log in batches, inside the caller's transaction.

Rows are upserted by (node, call_id), so importing a file twice yields one row per call.
A call the daemon already recorded (its call_id under another node) is skipped: the daemon's
record is the better one and the call must not count twice.

The INSERT goes to the driver directly (executemany of plain tuples): a million rows through
SQLAlchemy's per-value type processing cost more than the database's own work. Instants are
therefore converted here exactly as `UtcDateTime` stores them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Connection

from pbx_bridge.storage.models import calls

BATCH = 5_000
_KEYS = ("node", "call_id")
_COLUMNS = (
    "node",
    "call_id",
    "tenant",
    "department",
    "outcome",
    "started",
    "ended",
    "queued",
    "answered",
    "wait_s",
    "talk_s",
    "caller",
    "dialled",
    "queue",
    "agent",
    "detail",
    "decided_by",
    "tracked_outcome",
    "tracked_department",
)
_INSTANTS = frozenset({"started", "ended", "queued", "answered"})

Problem = TypeVar("Problem")


@dataclass
class ImportCounts:
    rows: int = 0  # good rows read
    written: int = 0  # inserted or updated
    recorded_by_daemon: int = 0  # skipped: the daemon has its own record of the call
    errors: int = 0


def import_rows(
    connection: Connection,
    items: Iterable[dict[str, Any] | Problem],
    on_error: Callable[[Problem], None],
) -> ImportCounts:
    """Write every row; after the first error, only read on (to name every bad row).

    The caller rolls the transaction back when `errors` is not 0: nothing is written then.
    """
    counts = ImportCounts()
    statement = _upsert_sql(connection)
    instant = _instant_sqlite if connection.dialect.name == "sqlite" else _instant_naive
    batch: list[tuple[Any, ...]] = []
    converters = [(name, instant if name in _INSTANTS else None) for name in _COLUMNS]
    for item in items:
        if not isinstance(item, dict):
            counts.errors += 1
            on_error(item)
            batch.clear()
            continue
        counts.rows += 1
        if counts.errors:
            continue
        batch.append(
            tuple(
                item.get(name) if convert is None else convert(item.get(name))
                for name, convert in converters
            )
        )
        if len(batch) >= BATCH:
            _write(connection, statement, batch, counts)
    if batch and not counts.errors:
        _write(connection, statement, batch, counts)
    return counts


def _upsert_sql(connection: Connection) -> str:
    """INSERT … ON CONFLICT (node, call_id) DO UPDATE in the driver's own placeholders."""
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    updates = ", ".join(f"{name} = excluded.{name}" for name in _COLUMNS if name not in _KEYS)
    return (
        f"INSERT INTO {calls.name} ({', '.join(_COLUMNS)}) "
        f"VALUES ({', '.join(marker for _ in _COLUMNS)}) "
        f"ON CONFLICT ({', '.join(_KEYS)}) DO UPDATE SET {updates}"
    )


def _instant_naive(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC).replace(tzinfo=None)


def _instant_sqlite(value: datetime | None) -> str | None:
    # SQLAlchemy's SQLite DATETIME text, microseconds always written: rows compare as text.
    if value is None:
        return None
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


_NODE, _CALL_ID = _COLUMNS.index("node"), _COLUMNS.index("call_id")


def _write(
    connection: Connection, statement: str, batch: list[tuple[Any, ...]], counts: ImportCounts
) -> None:
    node = batch[0][_NODE]
    ids = [row[_CALL_ID] for row in batch]
    # Plain SQL here too: a SQLAlchemy IN over literal values keeps them alive in its caches.
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    query = (
        f"SELECT call_id FROM {calls.name} WHERE node <> {marker} "
        f"AND call_id IN ({', '.join(marker for _ in ids)})"
    )
    recorded = {found for (found,) in connection.exec_driver_sql(query, (node, *ids))}
    rows = [row for row in batch if row[_CALL_ID] not in recorded] if recorded else batch
    counts.recorded_by_daemon += len(batch) - len(rows)
    if rows:
        connection.exec_driver_sql(statement, rows)
        counts.written += len(rows)
    batch.clear()
