"""A range of minutes of a local day, the unit every kind of service hours is written in."""

from __future__ import annotations

from dataclasses import dataclass

MINUTES_PER_DAY = 24 * 60


@dataclass(frozen=True, order=True)
class TimeRange:
    """A half-open range of minutes after local midnight: open at `start`, closed from `end` on."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start < self.end <= MINUTES_PER_DAY:
            raise ValueError(f"invalid time range {self.start}-{self.end}")

    def contains(self, minute_of_day: float) -> bool:
        return self.start <= minute_of_day < self.end

    def __str__(self) -> str:
        return f"{hhmm(self.start)}-{hhmm(self.end)}"


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def format_ranges(ranges: tuple[TimeRange, ...]) -> str:
    return ", ".join(str(r) for r in ranges) if ranges else "closed"
