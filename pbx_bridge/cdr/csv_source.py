"""Asterisk's CDR as a CSV file (cdr_custom, or cdr_csv's Master.csv), streamed line by line.

The file has no header: the column order is the one of the mapping that writes it
(`cdr: {columns: [...]}`, default the shipped cdr_custom.conf.example). Every line is read
(the file is in order of the calls' ends, not their starts) and only one line is held.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from pbx_bridge.cdr.sources import CdrSourceError, csv_records, parse_time
from pbx_bridge.core.cdr_outcomes import CdrRow

REQUIRED = frozenset({"uniqueid", "start"})
_TEXT_FIELDS = (
    "disposition", "src", "dst", "dcontext", "channel", "dstchannel", "lastapp", "lastdata",
    "accountcode", "userfield",
)  # fmt: skip


class CsvSource:
    def __init__(self, path: Path, columns: Sequence[str], zone: ZoneInfo) -> None:
        missing = REQUIRED - set(columns)
        if missing:
            raise CdrSourceError(f"cdr columns lack {', '.join(sorted(missing))}")
        self.path = path
        self.columns = tuple(columns)
        self.zone = zone

    def rows(self, since: datetime, until: datetime) -> Iterator[CdrRow]:
        for number, values in csv_records(self.path, self.columns, "CDR", CdrSourceError):
            row = self._row(values, number)
            if since <= row.start < until:
                yield row

    def _row(self, values: dict[str, str], number: int) -> CdrRow:
        try:
            start = parse_time(values["start"], self.zone)
            answer = parse_time(values.get("answer", ""), self.zone)
            end = parse_time(values.get("end", ""), self.zone)
            duration = float(values.get("duration") or 0)
            sequence = int(values.get("sequence") or 0)
        except ValueError as exc:
            raise CdrSourceError(f"{self.path}:{number}: {exc}") from exc
        if start is None:
            raise CdrSourceError(f"{self.path}:{number}: the start time is empty")
        uniqueid = values["uniqueid"]
        return CdrRow(
            linkedid=values.get("linkedid") or uniqueid,
            uniqueid=uniqueid,
            start=start,
            end=end or start + timedelta(seconds=duration),
            answer=answer,
            sequence=sequence,
            **{name: values.get(name, "") for name in _TEXT_FIELDS},
        )
