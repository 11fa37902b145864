"""Properties of the schedule that must hold for any hours, any instant (hypothesis)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from pbx_bridge.config.hours_syntax import parse_ranges
from pbx_bridge.core.exception_days import NO_EXCEPTIONS, ExceptionDays
from pbx_bridge.core.holidays import StateHolidays
from pbx_bridge.core.schedule import (
    MINUTES_PER_DAY,
    DatedException,
    NoHolidays,
    Schedule,
    TimeRange,
    format_ranges,
)

BERLIN = ZoneInfo("Europe/Berlin")


@st.composite
def day_ranges(draw: st.DrawFn) -> tuple[TimeRange, ...]:
    """Zero to three sorted, non-overlapping ranges on a 15-minute grid."""
    cuts = sorted(draw(st.sets(st.integers(0, MINUTES_PER_DAY // 15), max_size=6)))
    if len(cuts) % 2:
        cuts = cuts[:-1]
    return tuple(TimeRange(cuts[i] * 15, cuts[i + 1] * 15) for i in range(0, len(cuts), 2))


weekly_hours = st.tuples(*[day_ranges() for _ in range(7)])
instants = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)


@given(weekly_hours, instants)
@settings(max_examples=200, deadline=None)
def test_next_opening_is_open_and_nothing_before_it_is(
    weekly: tuple[tuple[TimeRange, ...], ...], instant: datetime
) -> None:
    schedule = Schedule(BERLIN, weekly, NO_EXCEPTIONS, StateHolidays("NI"))
    opening = schedule.next_opening(instant)
    if opening is None:
        assert not any(weekly)
        return
    assert opening >= instant
    assert schedule.state_at(opening).open
    # Every quarter hour strictly between now and the opening is closed.
    probe = instant
    while probe + timedelta(minutes=15) < opening:
        probe += timedelta(minutes=15)
        assert not schedule.state_at(probe).open


@given(weekly_hours, st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 1, 1)))
@settings(max_examples=200, deadline=None)
def test_without_holidays_a_week_later_is_the_same_at_the_same_wall_clock(
    weekly: tuple[tuple[TimeRange, ...], ...], wall_clock: datetime
) -> None:
    schedule = Schedule(BERLIN, weekly, NO_EXCEPTIONS, NoHolidays())
    now = wall_clock.replace(tzinfo=BERLIN)
    later = (wall_clock + timedelta(days=7)).replace(tzinfo=BERLIN)
    # Skip wall-clock times that fall into a DST gap (they do not exist as such).
    if now.astimezone(UTC).astimezone(BERLIN).replace(tzinfo=None) != wall_clock:
        return
    if later.astimezone(UTC).astimezone(BERLIN).replace(tzinfo=None) != wall_clock + timedelta(
        days=7
    ):
        return
    assert schedule.state_at(now).open == schedule.state_at(later).open


@given(weekly_hours, instants, st.sampled_from(["UTC", "America/New_York", "Asia/Tokyo"]))
@settings(max_examples=200, deadline=None)
def test_the_zone_an_instant_is_written_in_does_not_matter(
    weekly: tuple[tuple[TimeRange, ...], ...], instant: datetime, zone: str
) -> None:
    schedule = Schedule(BERLIN, weekly, NO_EXCEPTIONS, StateHolidays("NW"))
    assert (
        schedule.state_at(instant).open
        == schedule.state_at(instant.astimezone(ZoneInfo(zone))).open
    )


@given(
    weekly_hours, day_ranges(), st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31))
)
@settings(max_examples=200, deadline=None)
def test_a_dated_exception_always_wins(
    weekly: tuple[tuple[TimeRange, ...], ...], ranges: tuple[TimeRange, ...], day: date
) -> None:
    exception = DatedException(day, ranges, "Sonderregelung")
    schedule = Schedule(BERLIN, weekly, ExceptionDays(dated={day: exception}), StateHolidays("NI"))
    plan = schedule.plan_for(day)
    assert plan.ranges == ranges
    assert plan.reason == "exception: Sonderregelung"


@given(day_ranges())
def test_ranges_survive_format_and_parse(ranges: tuple[TimeRange, ...]) -> None:
    assert parse_ranges(format_ranges(ranges)) == ranges
