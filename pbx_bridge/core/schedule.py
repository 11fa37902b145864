"""Service hours as a pure function of the instant.

A tenant's day is decided in this order, the first that speaks for the date wins: the
tenant's own exceptions, the service center's exceptions, a public holiday (closed), the
weekly hours. (Ad hoc closures come before all of these; they are instants, not days, and
routing applies them: core/closures.py.) All times are
local wall-clock times in the service center's zone, so DST changes need no
special case: an instant is converted to local time and compared with the ranges.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

from pbx_bridge.core.exception_days import NO_EXCEPTIONS, DatedException, ExceptionDays
from pbx_bridge.core.time_range import MINUTES_PER_DAY, TimeRange, format_ranges

__all__ = [  # the time-range and exception types are read from here as well
    "MINUTES_PER_DAY",
    "WEEKDAY_NAMES",
    "DatedException",
    "DayPlan",
    "DaySource",
    "ExceptionDays",
    "HolidayCalendar",
    "NoHolidays",
    "OpenState",
    "Schedule",
    "TimeRange",
    "format_ranges",
]

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _wall(local: datetime, day: date) -> int:
    """Minutes after the local midnight of `day` that `local` reads (-1 before `day`, 1440
    after it)."""
    if local.date() != day:
        return -1 if local.date() < day else MINUTES_PER_DAY
    return local.hour * 60 + local.minute


class HolidayCalendar(Protocol):
    """Answers whether a local date is a public holiday, and its name."""

    def holiday_name(self, day: date) -> str | None: ...


class NoHolidays:
    """For tenants that observe no public holidays (`holidays: none`)."""

    def holiday_name(self, day: date) -> str | None:
        return None


class DaySource(StrEnum):
    """Which rule decided a day, strongest first."""

    EXCEPTION = "exception"  # the tenant's own
    CENTER_EXCEPTION = "center exception"
    HOLIDAY = "holiday"
    HOURS = "hours"


@dataclass(frozen=True)
class DayPlan:
    """The effective hours of one local date and why they are what they are."""

    day: date
    ranges: tuple[TimeRange, ...]
    source: DaySource
    label: str | None = None
    # A holiday that an exception overrides (shown to admins by `hours`).
    overridden_holiday: str | None = None

    @property
    def reason(self) -> str:
        """What a call's decision names: either kind of exception reads "exception: ..."."""
        if self.source is DaySource.HOURS:
            return "hours"
        if self.source is DaySource.CENTER_EXCEPTION:
            return f"{DaySource.EXCEPTION.value}: {self.label}"
        return f"{self.source.value}: {self.label}"


@dataclass(frozen=True)
class OpenState:
    open: bool
    reason: str
    plan: DayPlan
    local_time: datetime


@dataclass(frozen=True, eq=False)
class Schedule:
    """A tenant's weekly hours, holiday calendar and exceptions (its own and the center's)
    in one zone."""

    timezone: ZoneInfo
    weekly: tuple[tuple[TimeRange, ...], ...]
    exceptions: ExceptionDays = NO_EXCEPTIONS
    holidays: HolidayCalendar = field(default_factory=NoHolidays)
    center_exceptions: ExceptionDays = NO_EXCEPTIONS

    def __post_init__(self) -> None:
        if len(self.weekly) != 7:
            raise ValueError("weekly hours need exactly seven days")

    def plan_for(self, day: date) -> DayPlan:
        holiday = self.holidays.holiday_name(day)
        for source, rules in (
            (DaySource.EXCEPTION, self.exceptions),
            (DaySource.CENTER_EXCEPTION, self.center_exceptions),
        ):
            exception = rules.find(day)
            if exception is not None:
                return DayPlan(
                    day, exception.ranges, source, exception.reason, overridden_holiday=holiday
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
