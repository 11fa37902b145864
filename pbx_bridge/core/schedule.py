"""Service hours as a pure function of the instant.

A tenant's day is decided in this order: a dated exception for that date wins,
else a public holiday closes the day, else the weekly hours apply. All times are
local wall-clock times in the service center's zone, so DST changes need no
special case: an instant is converted to local time and compared with the ranges.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

MINUTES_PER_DAY = 24 * 60
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


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
        return f"{_hhmm(self.start)}-{_hhmm(self.end)}"


def _wall(local: datetime, day: date) -> int:
    """Minutes after the local midnight of `day` that `local` reads (-1 before `day`, 1440
    after it)."""
    if local.date() != day:
        return -1 if local.date() < day else MINUTES_PER_DAY
    return local.hour * 60 + local.minute


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def format_ranges(ranges: tuple[TimeRange, ...]) -> str:
    return ", ".join(str(r) for r in ranges) if ranges else "closed"


class HolidayCalendar(Protocol):
    """Answers whether a local date is a public holiday, and its name."""

    def holiday_name(self, day: date) -> str | None: ...


class NoHolidays:
    """For tenants that observe no public holidays (`holidays: none`)."""

    def holiday_name(self, day: date) -> str | None:
        return None


@dataclass(frozen=True)
class DatedException:
    day: date
    ranges: tuple[TimeRange, ...]
    reason: str


class DaySource(StrEnum):
    HOURS = "hours"
    HOLIDAY = "holiday"
    EXCEPTION = "exception"


@dataclass(frozen=True)
class DayPlan:
    """The effective hours of one local date and why they are what they are."""

    day: date
    ranges: tuple[TimeRange, ...]
    source: DaySource
    label: str | None = None
    # A holiday that a dated exception overrides (shown to admins by `hours`).
    overridden_holiday: str | None = None

    @property
    def reason(self) -> str:
        if self.source is DaySource.HOURS:
            return "hours"
        return f"{self.source.value}: {self.label}"


@dataclass(frozen=True)
class OpenState:
    open: bool
    reason: str
    plan: DayPlan
    local_time: datetime


@dataclass(frozen=True, eq=False)
class Schedule:
    """A tenant's weekly hours, holiday calendar and dated exceptions in one zone."""

    timezone: ZoneInfo
    weekly: tuple[tuple[TimeRange, ...], ...]
    exceptions: Mapping[date, DatedException] = field(default_factory=dict)
    holidays: HolidayCalendar = field(default_factory=NoHolidays)

    def __post_init__(self) -> None:
        if len(self.weekly) != 7:
            raise ValueError("weekly hours need exactly seven days")

    def plan_for(self, day: date) -> DayPlan:
        holiday = self.holidays.holiday_name(day)
        exception = self.exceptions.get(day)
        if exception is not None:
            return DayPlan(
                day,
                exception.ranges,
                DaySource.EXCEPTION,
                exception.reason,
                overridden_holiday=holiday,
            )
        if holiday is not None:
            return DayPlan(day, (), DaySource.HOLIDAY, holiday)
        return DayPlan(day, self.weekly[day.weekday()], DaySource.HOURS)

    def local(self, instant: datetime) -> datetime:
        if instant.tzinfo is None or instant.utcoffset() is None:
            raise ValueError("schedule needs a timezone-aware instant")
        return instant.astimezone(self.timezone)

    def state_at(self, instant: datetime) -> OpenState:
        local = self.local(instant)
        plan = self.plan_for(local.date())
        minute = local.hour * 60 + local.minute + local.second / 60
        is_open = any(r.contains(minute) for r in plan.ranges)
        return OpenState(is_open, plan.reason, plan, local)

    def next_opening(self, instant: datetime, horizon_days: int = 400) -> datetime | None:
        """The first instant at or after `instant` at which the tenant is open (None: never)."""
        local = self.local(instant)
        minute = local.hour * 60 + local.minute + local.second / 60
        for offset in range(horizon_days):
            day = local.date() + timedelta(days=offset)
            for r in self.plan_for(day).ranges:
                if offset == 0 and r.end <= minute:
                    continue
                if offset == 0 and r.start <= minute:
                    return local
                opening = self._at(day, r.start)
                if _wall(opening, day) < r.end:  # not when the clocks skip all of `r`
                    return opening
        return None

    def end_of_next_working_day(
        self, instant: datetime, horizon_days: int = 400
    ) -> datetime | None:
        """Closing time of the first day after the local date of `instant` that has any hours."""
        start_day = self.local(instant).date()
        for offset in range(1, horizon_days):
            plan = self.plan_for(start_day + timedelta(days=offset))
            if plan.ranges:
                return self._at(plan.day, plan.ranges[-1].end)
        return None

    def _at(self, day: date, minute: int) -> datetime:
        """The first instant whose wall clock reads `minute` of `day` or later (1440: the next
        midnight), in the schedule's zone."""
        if minute >= MINUTES_PER_DAY:
            return datetime.combine(day + timedelta(days=1), time(0), self.timezone)
        wall = datetime.combine(day, time(minute // 60, minute % 60), self.timezone)
        instant = wall.astimezone(UTC)
        if _wall(instant.astimezone(self.timezone), day) == minute:
            return wall
        # `minute` falls into the hour the clocks skip when they go forward (02:00-03:00 on the
        # last Sunday of March in Europe): no instant reads it, and `wall`, read with the offset
        # from before the jump, lies after the jump. The jump is the answer; it is found a
        # minute at a time (at most the skipped hour).
        for _ in range(MINUTES_PER_DAY):
            earlier = instant - timedelta(minutes=1)
            if _wall(earlier.astimezone(self.timezone), day) < minute:
                break
            instant = earlier
        return instant.astimezone(self.timezone)
