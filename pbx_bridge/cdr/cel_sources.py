"""Asterisk's CEL for a period, as transfer events: a cel_custom CSV file or a database table
(cel_pgsql's, cel_odbc's `cel`), the same source kinds as the CDR (`cdr: {cel: ...}`).

Only BLINDTRANSFER and ATTENDEDTRANSFER events are kept (pbx_bridge/core/cel_transfers.py);
every line of a file is still checked, so a malformed file is reported, never half-read.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, Table, select

from pbx_bridge.cdr.sources import (
    CdrSourceError,
    csv_records,
    naive_bounds,
    parse_time,
    table_records,
)
from pbx_bridge.core.cel_transfers import TRANSFER_EVENTS, CelEvent

REQUIRED = frozenset({"eventtype", "eventtime", "uniqueid", "linkedid"})
_TEXT = ("channame", "exten", "context", "peer")


class CelSourceError(CdrSourceError):
    """The CEL source is missing, unreadable or malformed: treated as a bad CDR source."""


class CelSource(Protocol):
    def transfers(self, since: datetime, until: datetime) -> Iterator[CelEvent]:
        """Transfer events in [since, until); raises CelSourceError."""
        ...


class CelCsvSource:
    def __init__(self, path: Path, columns: Sequence[str], zone: ZoneInfo) -> None:
        missing = REQUIRED - set(columns)
        if missing:
            raise CelSourceError(f"cel columns lack {', '.join(sorted(missing))}")
        self.path = path
        self.columns = tuple(columns)
        self.zone = zone

    def transfers(self, since: datetime, until: datetime) -> Iterator[CelEvent]:
        for number, values in csv_records(self.path, self.columns, "CEL", CelSourceError):
            event = self._event(values, number)
            if event.eventtype in TRANSFER_EVENTS and since <= event.eventtime < until:
                yield event

    def _event(self, values: dict[str, str], number: int) -> CelEvent:
        try:
            at = parse_time(values["eventtime"], self.zone)
        except ValueError as exc:
            raise CelSourceError(f"{self.path}:{number}: {exc}") from exc
        if at is None:
            raise CelSourceError(f"{self.path}:{number}: the event time is empty")
        return CelEvent(
            eventtype=values["eventtype"].strip().upper(),
            eventtime=at,
            uniqueid=values["uniqueid"],
            linkedid=values["linkedid"] or values["uniqueid"],
            extra=values.get("eventextra", values.get("extra", "")),
            **{name: values.get(name, "") for name in _TEXT},
        )


class CelDatabaseSource:
    def __init__(self, url: str, table: str, zone: ZoneInfo) -> None:
        self.url = url
        self.table = table
        self.zone = zone

    def transfers(self, since: datetime, until: datetime) -> Iterator[CelEvent]:
        def read(engine: Engine, table: Table) -> Iterator[CelEvent]:
            return self._events(engine, table, since, until)

        return table_records(self.url, self.table, "CEL", CelSourceError, read)

    def _events(
        self, engine: Engine, table: Table, since: datetime, until: datetime
    ) -> Iterator[CelEvent]:
        columns = table.c
        if not set(columns.keys()) >= REQUIRED:
            raise CelSourceError(
                f"CEL table {self.table} lacks eventtype, eventtime, uniqueid or linkedid"
            )
        low, high = naive_bounds(since, until, self.zone)
        query = select(table).where(
            columns.eventtype.in_(sorted(TRANSFER_EVENTS)),
            columns.eventtime >= low,
            columns.eventtime < high,
        )
        with engine.connect() as connection:
            for raw in connection.execute(query).mappings():
                event = self._event(raw)
                if event is not None and since <= event.eventtime < until:
                    yield event

    def _event(self, raw: Any) -> CelEvent | None:
        value = raw["eventtime"]
        if not isinstance(value, datetime):
            return None
        aware = value if value.tzinfo is not None else value.replace(tzinfo=self.zone)
        uniqueid = str(raw["uniqueid"] or "")
        return CelEvent(
            eventtype=str(raw["eventtype"]).strip().upper(),
            eventtime=aware.astimezone(UTC),
            uniqueid=uniqueid,
            linkedid=str(raw["linkedid"] or uniqueid),
            extra=str(raw.get("extra") or raw.get("eventextra") or ""),
            **{name: str(raw.get(name) or "") for name in _TEXT},
        )
