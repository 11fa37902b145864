"""Asterisk's CEL for a period, as transfer events: a cel_custom CSV file or a database table
(cel_pgsql's, cel_odbc's `cel`), the same source kinds as the CDR (`cdr: {cel: ...}`).

Only BLINDTRANSFER and ATTENDEDTRANSFER events are kept (pbx_bridge/core/cel_transfers.py);
every line of a file is still checked, so a malformed file is reported, never half-read.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import MetaData, Table, create_engine, select
from sqlalchemy.exc import NoSuchTableError, SQLAlchemyError

from pbx_bridge.cdr.sources import CdrSourceError, parse_time
from pbx_bridge.core.cel_transfers import TRANSFER_EVENTS, CelEvent

REQUIRED = frozenset({"eventtype", "eventtime", "uniqueid", "linkedid"})
_TEXT = ("channame", "exten", "context", "peer")
# Naive bounds are widened by this much, so a zone offset never drops an event.
_MARGIN = timedelta(hours=15)


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
        try:
            handle = self.path.open(encoding="utf-8", errors="replace", newline="")
        except FileNotFoundError as exc:
            raise CelSourceError(f"CEL file {self.path} does not exist") from exc
        except OSError as exc:
            raise CelSourceError(f"CEL file {self.path} is unreadable: {exc.strerror}") from exc
        with handle:
            try:
                for number, fields in enumerate(csv.reader(handle), start=1):
                    if not fields:
                        continue
                    event = self._event(fields, number)
                    if event.eventtype in TRANSFER_EVENTS and since <= event.eventtime < until:
                        yield event
            except csv.Error as exc:
                raise CelSourceError(f"{self.path}: not CSV: {exc}") from exc
            except OSError as exc:
                raise CelSourceError(f"CEL file {self.path} is unreadable: {exc}") from exc

    def _event(self, fields: list[str], number: int) -> CelEvent:
        if len(fields) != len(self.columns):
            raise CelSourceError(
                f"{self.path}:{number}: {len(fields)} fields, the cel columns name "
                f"{len(self.columns)}"
            )
        values = dict(zip(self.columns, fields, strict=True))
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
        schema, _, name = table.rpartition(".")
        self.schema = schema or None
        self.table_name = name
        self.zone = zone

    def transfers(self, since: datetime, until: datetime) -> Iterator[CelEvent]:
        try:
            engine = create_engine(self.url)
        except (SQLAlchemyError, ValueError, ImportError) as exc:
            raise CelSourceError(f"CEL database URL unusable: {exc}") from exc
        try:
            yield from self._events(engine, since, until)
        except NoSuchTableError as exc:
            where = f"{self.schema}.{self.table_name}" if self.schema else self.table_name
            raise CelSourceError(f"CEL table {where} does not exist") from exc
        except SQLAlchemyError as exc:
            first = str(exc).splitlines()[0]
            raise CelSourceError(f"CEL database unreadable: {first}") from exc
        finally:
            engine.dispose()

    def _events(self, engine: Any, since: datetime, until: datetime) -> Iterator[CelEvent]:
        table = Table(self.table_name, MetaData(), schema=self.schema, autoload_with=engine)
        columns = table.c
        if not {"eventtype", "eventtime", "uniqueid", "linkedid"} <= set(columns.keys()):
            raise CelSourceError(
                f"CEL table {self.table_name} lacks eventtype, eventtime, uniqueid or linkedid"
            )
        low = since.astimezone(self.zone).replace(tzinfo=None) - _MARGIN
        high = until.astimezone(self.zone).replace(tzinfo=None) + _MARGIN
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
