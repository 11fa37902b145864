"""Days whose hours differ from the weekly hours: dated, yearly (MM-DD) and date ranges.

One set of them belongs to a tenant, one to the whole service center. Within one set the
most specific entry wins: a dated exception over a range over a yearly date, so a single
open day inside the works holidays, or this year's own 24 December, can be written as such.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from pbx_bridge.core.time_range import TimeRange


@dataclass(frozen=True)
class DatedException:
    day: date
    ranges: tuple[TimeRange, ...]
    reason: str


@dataclass(frozen=True)
class YearlyException:
    """The same day of every year (29 February is refused by the configuration)."""

    month: int
    day: int
    ranges: tuple[TimeRange, ...]
    reason: str

    def __str__(self) -> str:
        return f"{self.month:02d}-{self.day:02d}"


@dataclass(frozen=True)
class RangeException:
    """Every day from `first` to `last`, both included."""

    first: date
    last: date
    ranges: tuple[TimeRange, ...]
    reason: str

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError(f"date range {self.first}..{self.last} ends before it starts")

    def covers(self, day: date) -> bool:
        return self.first <= day <= self.last

    def overlaps(self, other: RangeException) -> bool:
        return self.first <= other.last and other.first <= self.last

    def __str__(self) -> str:
        return f"{self.first}..{self.last}"


@dataclass(frozen=True)
class DayException:
    """What an exception says about one day."""

    ranges: tuple[TimeRange, ...]
    reason: str


@dataclass(frozen=True)
class ExceptionDays:
    dated: Mapping[date, DatedException] = field(default_factory=dict)
    yearly: Mapping[tuple[int, int], YearlyException] = field(default_factory=dict)
    ranges: tuple[RangeException, ...] = ()

    def find(self, day: date) -> DayException | None:
        dated = self.dated.get(day)
        if dated is not None:
            return DayException(dated.ranges, dated.reason)
        for entry in self.ranges:
            if entry.covers(day):
                return DayException(entry.ranges, entry.reason)
        yearly = self.yearly.get((day.month, day.day))
        if yearly is not None:
            return DayException(yearly.ranges, yearly.reason)
        return None

    def __len__(self) -> int:
        return len(self.dated) + len(self.yearly) + len(self.ranges)

    def __bool__(self) -> bool:
        return len(self) > 0


NO_EXCEPTIONS = ExceptionDays()
