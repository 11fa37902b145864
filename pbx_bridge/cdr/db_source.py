"""Asterisk's CDR in a database table, through SQLAlchemy: FreePBX's `asteriskcdrdb.cdr`
(MariaDB, via cdr_adaptive_odbc), cdr_pgsql's table on PostgreSQL, or any table of that shape.

Those tables name the start `calldate` and often have no `end`/`answer` columns: the end is
then calldate + duration and the answer end - billsec. Times without a zone are the CDR's
local time (`cdr: {timezone: ...}`, default the center's). Rows are streamed.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, Table, select

from pbx_bridge.cdr.sources import CdrSourceError, naive_bounds, table_records
from pbx_bridge.core.cdr_outcomes import CdrRow

_TEXT = (
    "disposition", "src", "dst", "dcontext", "channel", "dstchannel", "lastapp", "lastdata",
    "accountcode", "userfield",
)  # fmt: skip


class DatabaseSource:
    def __init__(self, url: str, table: str, zone: ZoneInfo) -> None:
        self.url = url
        self.table = table
        self.zone = zone

    def _aware(self, value: Any) -> datetime | None:
        if value is None or not isinstance(value, datetime):
            return None
        aware: datetime = value if value.tzinfo is not None else value.replace(tzinfo=self.zone)
        return aware.astimezone(UTC)

    def rows(self, since: datetime, until: datetime) -> Iterator[CdrRow]:
        def read(engine: Engine, table: Table) -> Iterator[CdrRow]:
            return self._rows(engine, table, since, until)

        return table_records(self.url, self.table, "CDR", CdrSourceError, read)

    def _rows(
        self, engine: Engine, table: Table, since: datetime, until: datetime
    ) -> Iterator[CdrRow]:
        columns = table.c
        start_column = columns.get("calldate")
        if start_column is None:
            start_column = columns.get("start")
        if start_column is None or "uniqueid" not in columns:
            raise CdrSourceError(
                f"CDR table {self.table} has no calldate/start or no uniqueid column"
            )
        low, high = naive_bounds(since, until, self.zone)
        query = select(table).where(start_column >= low, start_column < high)
        with engine.connect() as connection:
            result = connection.execution_options(stream_results=True, yield_per=1000).execute(
                query
            )
            for raw in result.mappings():
                row = self._row(raw, start_column.name)
                if row is not None and since <= row.start < until:
                    yield row

    def _row(self, raw: Any, start_name: str) -> CdrRow | None:
        start = self._aware(raw[start_name])
        if start is None:
            return None
        duration = float(raw.get("duration") or 0)
        billsec = float(raw.get("billsec") or 0)
        end = self._aware(raw.get("end")) or start + timedelta(seconds=duration)
        answer = self._aware(raw.get("answer"))
        if answer is None and str(raw.get("disposition") or "") == "ANSWERED":
            answer = end - timedelta(seconds=billsec)
        uniqueid = str(raw["uniqueid"] or "")
        return CdrRow(
            linkedid=str(raw.get("linkedid") or uniqueid),
            uniqueid=uniqueid,
            start=start,
            end=end,
            answer=answer,
            sequence=int(raw.get("sequence") or 0),
            **{name: str(raw.get(name) or "") for name in _TEXT},
        )
