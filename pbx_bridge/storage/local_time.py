"""Local calendar parts (month, weekday, hour) of a UTC column, computed inside the database.

PostgreSQL converts with the IANA zone itself. SQLite knows no zones, so the zone's UTC
offsets over the queried span are worked out here and passed as a CASE over the instants
where the offset changes: exact across DST changes, and still a GROUP BY in SQL.

Month, weekday and hour come as one formatted "slot" string, so the database formats each
row once (the dominant cost of a report on SQLite) and Python splits at most 2,016 groups.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, literal, literal_column
from sqlalchemy.sql.elements import ColumnElement

_DAY = timedelta(days=1)


@dataclass(frozen=True)
class LocalTime:
    month: ColumnElement[str]  # 'YYYY-MM'
    day: ColumnElement[str]  # 'YYYY-MM-DD'
    slot: ColumnElement[str]  # 'YYYY-MM D HH': split it with `parse_slot`
    sunday_first: bool  # SQLite numbers weekdays from Sunday = 0, PostgreSQL from Monday = 1

    def parse_slot(self, slot: str) -> tuple[str, int, int]:
        """(month, weekday with Monday = 0, hour) of a slot string."""
        month, weekday, hour = slot.split(" ")
        day = (int(weekday) + 6) % 7 if self.sunday_first else int(weekday) - 1
        return month, day, int(hour)


def _offset_minutes(zone: ZoneInfo, instant: datetime) -> int:
    offset = instant.astimezone(zone).utcoffset()
    assert offset is not None
    return int(offset.total_seconds() // 60)


def offset_changes(zone: ZoneInfo, start: datetime, end: datetime) -> list[tuple[datetime, int]]:
    """[(from_instant, offset_minutes), …]: the offset in force from each instant on.

    The first entry starts at `start`; each later one at the exact minute the offset changed.
    """
    start = start.astimezone(UTC).replace(second=0, microsecond=0)
    changes = [(start, _offset_minutes(zone, start))]
    day = start
    while day < end:
        following = day + _DAY
        if _offset_minutes(zone, following) != changes[-1][1]:
            low, high = day, following  # offset(low) is the old one, offset(high) the new one
            while high - low > timedelta(minutes=1):
                middle = (low + (high - low) / 2).replace(second=0, microsecond=0)
                if _offset_minutes(zone, middle) == changes[-1][1]:
                    low = middle
                else:
                    high = middle
            changes.append((high, _offset_minutes(zone, high)))
        day = following
    return changes


def local_time(
    column: ColumnElement[Any], zone: ZoneInfo, start: datetime, end: datetime, dialect: str
) -> LocalTime:
    """Expressions for rows whose `column` (naive UTC) lies in start..end."""
    if dialect == "postgresql":
        # Inline constants: as bound parameters, the SELECT and GROUP BY copies of the
        # expression would differ ($1 vs $4) and PostgreSQL would reject the grouping.
        local = func.timezone(_sql_string(zone.key), func.timezone(_sql_string("UTC"), column))
        return LocalTime(
            month=func.to_char(local, _sql_string("YYYY-MM")),
            day=func.to_char(local, _sql_string("YYYY-MM-DD")),
            slot=func.to_char(local, _sql_string("YYYY-MM ID HH24")),
            sunday_first=False,
        )
    modifier = _sqlite_modifier(column, offset_changes(zone, start, end))
    return LocalTime(
        month=func.strftime("%Y-%m", column, modifier),
        day=func.strftime("%Y-%m-%d", column, modifier),
        slot=func.strftime("%Y-%m %w %H", column, modifier),
        sunday_first=True,
    )


def _sqlite_modifier(
    column: ColumnElement[Any], changes: list[tuple[datetime, int]]
) -> ColumnElement[str]:
    modifiers = [f"{offset:+d} minutes" for _, offset in changes]
    if len(changes) == 1:
        return literal(modifiers[0])
    whens = [
        (column < changes[index + 1][0], modifiers[index]) for index in range(len(changes) - 1)
    ]
    return case(*whens, else_=modifiers[-1])


def _sql_string(value: str) -> ColumnElement[str]:
    return literal_column("'" + value.replace("'", "''") + "'")
