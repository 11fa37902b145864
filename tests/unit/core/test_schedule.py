"""Service hours: boundaries, split days, 24:00, DST weekends, state holidays, exceptions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from pbx_bridge.core.schedule import DaySource
from tests.unit.core.factories import BERLIN, at, schedule

CENTER_HOURS = {"mon-fri": "07:00-18:00"}  # Wolfsburg and Oldenburg
SOEST_HOURS = {"mon-wed": "08:00-17:00", "thu": "08:00-18:00", "fri": "08:00-13:00"}


@pytest.mark.parametrize(
    ("instant", "is_open"),
    [
        ("2026-11-23T06:59:59", False),  # Monday, a second before opening
        ("2026-11-23T07:00:00", True),  # the opening minute is open
        ("2026-11-23T17:59:59", True),
        ("2026-11-23T18:00:00", False),  # the closing minute is closed
        ("2026-11-27T12:00:00", True),  # Friday
        ("2026-11-28T12:00:00", False),  # Saturday: no key, closed
        ("2026-11-29T12:00:00", False),  # Sunday
    ],
)
def test_center_hours_boundaries(instant: str, is_open: bool) -> None:
    state = schedule(CENTER_HOURS).state_at(at(instant))
    assert state.open is is_open
    assert state.reason == "hours"


@pytest.mark.parametrize(
    ("instant", "is_open"),
    [
        ("2026-11-25T16:59:00", True),  # Wednesday until 17:00
        ("2026-11-25T17:00:00", False),
        ("2026-11-26T17:30:00", True),  # Thursday until 18:00
        ("2026-11-26T18:00:00", False),
        ("2026-11-27T12:59:59", True),  # Friday until 13:00
        ("2026-11-27T13:00:00", False),
        ("2026-11-23T07:59:59", False),  # opens at 08:00
    ],
)
def test_soest_schedule(instant: str, is_open: bool) -> None:
    assert schedule(SOEST_HOURS).state_at(at(instant)).open is is_open


@pytest.mark.parametrize(
    ("clock", "is_open"),
    [("11:59", True), ("12:00", False), ("12:30", False), ("13:00", True), ("16:00", False)],
)
def test_split_day(clock: str, is_open: bool) -> None:
    split = schedule({"mon-fri": "08:00-12:00, 13:00-16:00"})
    assert split.state_at(at(f"2026-11-24T{clock}")).open is is_open


def test_range_ending_at_midnight_is_open_until_the_last_second() -> None:
    late = schedule({"mon": "20:00-24:00"})
    assert late.state_at(at("2026-11-23T23:59:59")).open
    assert not late.state_at(at("2026-11-24T00:00:00")).open


def test_overnight_service_is_two_ranges_on_two_days() -> None:
    night = schedule({"mon": "22:00-24:00", "tue": "00:00-06:00"})
    assert night.state_at(at("2026-11-23T23:30")).open
    assert night.state_at(at("2026-11-24T05:59")).open
    assert not night.state_at(at("2026-11-24T06:00")).open


def test_spring_forward_uses_local_wall_clock() -> None:
    # 2026-03-29: at 02:00 CET clocks jump to 03:00 CEST.
    sunday = schedule({"sun": "03:00-04:00"})
    assert not sunday.state_at(datetime(2026, 3, 29, 0, 59, tzinfo=UTC)).open  # 01:59 CET
    assert sunday.state_at(datetime(2026, 3, 29, 1, 0, tzinfo=UTC)).open  # 03:00 CEST
    assert not sunday.state_at(datetime(2026, 3, 29, 2, 0, tzinfo=UTC)).open  # 04:00 CEST


def test_the_hour_that_does_not_exist_is_never_open() -> None:
    sunday = schedule({"sun": "02:00-03:00"})
    for minute in range(0, 24 * 60, 10):
        instant = datetime(2026, 3, 28, 23, 0, tzinfo=UTC).timestamp() + minute * 60
        assert not sunday.state_at(datetime.fromtimestamp(instant, UTC)).open


def test_fall_back_hour_is_open_both_times() -> None:
    # 2026-10-25: 02:00-03:00 local happens twice (CEST, then CET).
    sunday = schedule({"sun": "02:00-03:00"})
    assert sunday.state_at(datetime(2026, 10, 25, 0, 30, tzinfo=UTC)).open  # 02:30 CEST
    assert sunday.state_at(datetime(2026, 10, 25, 1, 30, tzinfo=UTC)).open  # 02:30 CET
    assert not sunday.state_at(datetime(2026, 10, 25, 2, 0, tzinfo=UTC)).open  # 03:00 CET


def test_weekday_after_dst_change_opens_at_local_seven() -> None:
    hours = schedule(CENTER_HOURS)
    # Monday 2026-03-30, CEST = UTC+2: 07:00 local is 05:00 UTC.
    assert not hours.state_at(datetime(2026, 3, 30, 4, 59, tzinfo=UTC)).open
    assert hours.state_at(datetime(2026, 3, 30, 5, 0, tzinfo=UTC)).open
    # Monday 2026-10-26, CET = UTC+1: 07:00 local is 06:00 UTC.
    assert not hours.state_at(datetime(2026, 10, 26, 5, 59, tzinfo=UTC)).open
    assert hours.state_at(datetime(2026, 10, 26, 6, 0, tzinfo=UTC)).open


@pytest.mark.parametrize(
    ("day", "closed_in", "open_in", "name"),
    [
        ("2025-10-31T10:00", "NI", "NW", "Reformationstag"),
        ("2026-06-04T10:00", "NW", "NI", "Fronleichnam"),
        ("2027-11-01T10:00", "NW", "NI", "Allerheiligen"),
    ],
)
def test_holidays_differ_between_states(day: str, closed_in: str, open_in: str, name: str) -> None:
    closed = schedule(CENTER_HOURS, state=closed_in).state_at(at(day))
    assert not closed.open
    assert closed.reason == f"holiday: {name}"
    opened = schedule(CENTER_HOURS, state=open_in).state_at(at(day))
    assert opened.open
    assert opened.reason == "hours"


@pytest.mark.parametrize(
    ("day", "name"),
    [
        ("2025-10-03T10:00", "Tag der Deutschen Einheit"),
        ("2027-05-06T10:00", "Christi Himmelfahrt"),
        ("2026-12-25T10:00", "Erster Weihnachtstag"),
    ],
)
def test_national_holidays_are_named_in_german(day: str, name: str) -> None:
    state = schedule(CENTER_HOURS, state="NI").state_at(at(day))
    assert (state.open, state.reason) == (False, f"holiday: {name}")


def test_tenant_without_holidays_works_on_holidays() -> None:
    assert schedule(CENTER_HOURS).state_at(at("2025-10-03T10:00")).open


def test_exception_half_day() -> None:
    hours = schedule(CENTER_HOURS, exceptions={"2026-12-24": ("07:00-12:00", "Heiligabend")})
    assert hours.state_at(at("2026-12-24T11:59")).open
    state = hours.state_at(at("2026-12-24T12:00"))
    assert (state.open, state.reason) == (False, "exception: Heiligabend")


def test_exception_closes_a_normal_day() -> None:
    hours = schedule(CENTER_HOURS, exceptions={"2026-12-31": ("closed", "Silvester")})
    state = hours.state_at(at("2026-12-31T10:00"))
    assert (state.open, state.reason) == (False, "exception: Silvester")


def test_exception_opens_on_a_holiday_and_names_what_it_overrides() -> None:
    hours = schedule(
        CENTER_HOURS, state="NI", exceptions={"2025-10-31": ("07:00-18:00", "Sonderöffnung")}
    )
    state = hours.state_at(at("2025-10-31T10:00"))
    assert (state.open, state.reason) == (True, "exception: Sonderöffnung")
    plan = hours.plan_for(date(2025, 10, 31))
    assert plan.source is DaySource.EXCEPTION
    assert plan.overridden_holiday == "Reformationstag"


def test_instant_in_another_offset_is_converted() -> None:
    hours = schedule(CENTER_HOURS)
    utc = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)  # 07:00 in Berlin
    assert hours.state_at(utc).open
    assert hours.state_at(utc.astimezone(ZoneInfo("America/New_York"))).open


def test_naive_instant_is_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        schedule(CENTER_HOURS).state_at(datetime(2026, 11, 23, 10, 0))


def test_next_opening_skips_weekend_and_holiday() -> None:
    hours = schedule(CENTER_HOURS, state="NI")
    # Friday 2026-12-25 and Saturday 26 are holidays; next opening is Monday 28th.
    assert hours.next_opening(at("2026-12-24T19:00")) == at("2026-12-28T07:00")
    assert hours.next_opening(at("2026-11-23T10:00")) == at("2026-11-23T10:00")
    assert hours.next_opening(at("2026-11-23T05:00")) == at("2026-11-23T07:00")


def test_next_opening_of_a_tenant_that_never_opens_is_none() -> None:
    assert schedule({}).next_opening(at("2026-11-23T10:00")) is None


def test_end_of_next_working_day() -> None:
    hours = schedule(
        SOEST_HOURS, state="NW", exceptions={"2026-12-24": ("08:00-12:00", "Heiligabend")}
    )
    assert hours.end_of_next_working_day(at("2026-11-26T17:00")) == at("2026-11-27T13:00")
    assert hours.end_of_next_working_day(at("2026-11-27T10:00")) == at("2026-11-30T17:00")
    assert hours.end_of_next_working_day(at("2026-12-23T10:00")) == at("2026-12-24T12:00")
    assert hours.end_of_next_working_day(at("2026-12-24T10:00")) == at("2026-12-28T17:00")


def test_local_time_is_reported_in_the_center_zone() -> None:
    state = schedule(CENTER_HOURS).state_at(datetime(2026, 11, 23, 9, 0, tzinfo=UTC))
    assert state.local_time.tzinfo == BERLIN
    assert state.local_time.hour == 10


# ---- hours that start in the hour the clocks skip (2024-03-31, 02:00-03:00 in Berlin) -----


def test_hours_starting_in_the_skipped_hour_open_when_the_clocks_jump() -> None:
    sunday = schedule({"sun": "02:15-03:15"})
    opening = sunday.next_opening(at("2024-03-30T12:00"))
    assert opening == datetime(2024, 3, 31, 1, 0, tzinfo=UTC)  # 03:00 CEST
    assert sunday.state_at(opening).open
    assert not sunday.state_at(opening.astimezone(UTC) - timedelta(seconds=1)).open


def test_hours_wholly_in_the_skipped_hour_do_not_open_that_day() -> None:
    sunday = schedule({"sun": "02:00-02:45"})
    opening = sunday.next_opening(at("2024-03-30T12:00"))
    assert opening == at("2024-04-07T02:00")
    assert sunday.state_at(opening).open


def test_hours_ending_in_the_skipped_hour_close_when_the_clocks_jump() -> None:
    sunday = schedule({"sun": "00:30-02:30"})
    closing = sunday.end_of_next_working_day(at("2024-03-30T10:00"))
    assert closing == datetime(2024, 3, 31, 1, 0, tzinfo=UTC)  # 03:00 CEST
    assert sunday.state_at(closing.astimezone(UTC) - timedelta(seconds=1)).open
    assert not sunday.state_at(closing).open
