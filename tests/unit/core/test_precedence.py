"""Which rule decides a call, strongest first: ad hoc closure > tenant exception > center
exception > public holiday > weekly hours. Each test shows one step beating the next."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from pbx_bridge.config.hours_syntax import parse_ranges
from pbx_bridge.core.closures import WHOLE_CENTER, Closure, Closures
from pbx_bridge.core.exception_days import (
    DatedException,
    ExceptionDays,
    RangeException,
    YearlyException,
)
from pbx_bridge.core.routing import Action, CallRequest, decide
from pbx_bridge.core.schedule import DaySource, Schedule
from pbx_bridge.core.tenants import ClosedPolicy, TenantDirectory
from tests.unit.core.factories import BERLIN, at, center, schedule, tenant

GIFHORN = CallRequest("05371 82-0")
WEEKDAYS = schedule({"mon-fri": "07:00-18:00"}, state="NI")
# 2026-12-24 is a Thursday, 2026-12-25 a holiday in NI, 2026-11-23 an ordinary Monday.
CHRISTMAS_EVE = ExceptionDays(
    yearly={(12, 24): YearlyException(12, 24, parse_ranges("07:00-12:00"), "Heiligabend")}
)


def directory(sched: Schedule) -> TenantDirectory:
    gifhorn = tenant(
        "gifhorn", {"05371 82-0": "Zentrale"}, sched, closed=ClosedPolicy("gifhorn-closed")
    )
    return TenantDirectory(center(), (gifhorn,))


def with_rules(own: ExceptionDays, center_rules: ExceptionDays) -> Schedule:
    return Schedule(BERLIN, WEEKDAYS.weekly, own, WEEKDAYS.holidays, center_rules)


def with_one_range(first: date, last: date, hours: str, reason: str) -> Schedule:
    """Gifhorn's weekly hours and one range exception of its own (hours "" for closed)."""
    ranges = parse_ranges(hours) if hours else ()
    return with_rules(
        ExceptionDays(ranges=(RangeException(first, last, ranges, reason),)), ExceptionDays()
    )


def closure(reason: str, since: str, until: str | None = None, scope: str = "gifhorn") -> Closure:
    return Closure(scope, reason, at(since), at(until) if until else None)


def test_weekly_hours_decide_an_ordinary_day() -> None:
    d = decide(directory(WEEKDAYS), GIFHORN, at("2026-11-23T10:00"))
    assert (d.action, d.reason) == (Action.QUEUE, "hours")


def test_a_public_holiday_beats_the_weekly_hours() -> None:
    d = decide(directory(WEEKDAYS), GIFHORN, at("2026-12-25T10:00"))
    assert (d.action, d.reason) == (Action.CLOSED, "holiday: Erster Weihnachtstag")


def test_a_center_exception_beats_a_public_holiday() -> None:
    opened = ExceptionDays(
        dated={
            date(2026, 12, 25): DatedException(
                date(2026, 12, 25), parse_ranges("09:00-12:00"), "Notdienst"
            )
        }
    )
    d = decide(directory(with_rules(ExceptionDays(), opened)), GIFHORN, at("2026-12-25T10:00"))
    assert (d.action, d.reason) == (Action.QUEUE, "exception: Notdienst")
    plan = with_rules(ExceptionDays(), opened).plan_for(date(2026, 12, 25))
    assert plan.source is DaySource.CENTER_EXCEPTION
    assert plan.overridden_holiday == "Erster Weihnachtstag"


def test_a_tenant_exception_beats_the_center_exception_for_the_same_day() -> None:
    own = ExceptionDays(
        dated={date(2026, 12, 24): DatedException(date(2026, 12, 24), (), "Betriebsversammlung")}
    )
    sched = with_rules(own, CHRISTMAS_EVE)
    d = decide(directory(sched), GIFHORN, at("2026-12-24T10:00"))
    assert (d.action, d.reason) == (Action.CLOSED, "exception: Betriebsversammlung")
    assert sched.plan_for(date(2026, 12, 24)).source is DaySource.EXCEPTION
    # Without the tenant's own, the center's rule applies to it.
    d = decide(
        directory(with_rules(ExceptionDays(), CHRISTMAS_EVE)), GIFHORN, at("2026-12-24T10:00")
    )
    assert (d.action, d.reason) == (Action.QUEUE, "exception: Heiligabend")


def test_an_ad_hoc_closure_beats_a_tenant_exception_that_opens_the_day() -> None:
    own = ExceptionDays(
        dated={
            date(2026, 12, 25): DatedException(
                date(2026, 12, 25), parse_ranges("00:00-24:00"), "Sonderöffnung"
            )
        }
    )
    closures = Closures.of([closure("Sturm", "2026-12-25T08:00", "2026-12-25T14:00")])
    d = decide(directory(with_rules(own, CHRISTMAS_EVE)), GIFHORN, at("2026-12-25T10:00"), closures)
    assert (d.action, d.open, d.reason) == (Action.CLOSED, False, "closure: Sturm")


def test_a_closure_ends_by_itself_at_its_until() -> None:
    closures = Closures.of([closure("Sturm", "2026-11-23T08:00", "2026-11-23T14:00")])
    gifhorn = directory(WEEKDAYS)
    assert decide(gifhorn, GIFHORN, at("2026-11-23T13:59"), closures).reason == "closure: Sturm"
    assert decide(gifhorn, GIFHORN, at("2026-11-23T14:00"), closures).reason == "hours"
    assert decide(gifhorn, GIFHORN, at("2026-11-23T07:59"), closures).reason == "hours"


def test_a_closure_plays_its_own_announcement_then_the_tenants_closed_action() -> None:
    storm = Closure("gifhorn", "Sturm", at("2026-11-23T08:00"), at("2026-11-23T14:00"), "storm")
    d = decide(directory(WEEKDAYS), GIFHORN, at("2026-11-23T10:00"), Closures.of([storm]))
    assert (d.closed_announcement, str(d.closed_action)) == ("storm", "hangup")
    assert d.next_opening == "2026-11-23T14:00:00+01:00"


def test_a_closure_without_announcement_plays_the_tenants_closed_prompt() -> None:
    closures = Closures.of([closure("Stromausfall", "2026-11-23T08:00")])
    d = decide(directory(WEEKDAYS), GIFHORN, at("2026-11-23T10:00"), closures)
    assert d.closed_announcement == "gifhorn-closed"
    assert d.next_opening is None  # open-ended: nobody knows


def test_a_closure_of_the_whole_center_closes_every_tenant_and_unrouted_calls() -> None:
    everyone = Closures.of([closure("Streik", "2026-11-23T08:00", scope=WHOLE_CENTER)])
    gifhorn = directory(WEEKDAYS)
    assert decide(gifhorn, GIFHORN, at("2026-11-23T10:00"), everyone).reason == "closure: Streik"
    unrouted = decide(gifhorn, CallRequest("0999 1234567"), at("2026-11-23T10:00"), everyone)
    assert (unrouted.action, unrouted.tenant, unrouted.reason) == (
        Action.CLOSED,
        None,
        "closure: Streik",
    )
    assert (unrouted.closed_announcement, str(unrouted.closed_action)) == ("closed", "hangup")


def test_a_tenants_own_closure_is_preferred_over_the_centers() -> None:
    both = Closures.of(
        [
            closure("Streik", "2026-11-23T08:00", scope=WHOLE_CENTER),
            Closure("gifhorn", "Wasserschaden", at("2026-11-23T09:00"), None, "water"),
        ]
    )
    d = decide(directory(WEEKDAYS), GIFHORN, at("2026-11-23T10:00"), both)
    assert (d.reason, d.closed_announcement) == ("closure: Wasserschaden", "water")


def test_a_closure_of_another_tenant_changes_nothing_here() -> None:
    closures = Closures.of([closure("Sturm", "2026-11-23T08:00", scope="meinersen")])
    assert decide(directory(WEEKDAYS), GIFHORN, at("2026-11-23T10:00"), closures).open


def test_within_one_set_a_dated_day_beats_a_range_which_beats_a_yearly_date() -> None:
    closed = ()
    rules = ExceptionDays(
        dated={
            date(2026, 12, 29): DatedException(
                date(2026, 12, 29), parse_ranges("08:00-12:00"), "Notdienst"
            )
        },
        yearly={(12, 28): YearlyException(12, 28, parse_ranges("08:00-10:00"), "Jahrestag")},
        ranges=(RangeException(date(2026, 12, 27), date(2026, 12, 30), closed, "Betriebsferien"),),
    )
    sched = with_rules(rules, ExceptionDays())
    assert sched.plan_for(date(2026, 12, 29)).reason == "exception: Notdienst"
    assert sched.plan_for(date(2026, 12, 28)).reason == "exception: Betriebsferien"
    assert sched.plan_for(date(2027, 12, 28)).reason == "exception: Jahrestag"


def test_yearly_exceptions_repeat_in_every_year() -> None:
    sched = with_rules(CHRISTMAS_EVE, ExceptionDays())
    for year in (2026, 2027, 2030, 2032):  # 2032 is a leap year
        plan = sched.plan_for(date(year, 12, 24))
        assert (plan.reason, str(plan.ranges[0])) == ("exception: Heiligabend", "07:00-12:00")
        assert sched.plan_for(date(year, 12, 23)).source is not DaySource.EXCEPTION


def test_a_range_across_new_year_covers_both_years_inclusive() -> None:
    sched = with_one_range(date(2026, 12, 28), date(2027, 1, 2), "", "Betriebsferien")
    covered = [date(2026, 12, 27) + timedelta(days=i) for i in range(8)]
    sources = [sched.plan_for(day).reason for day in covered]
    assert sources[0] == "hours"  # a Sunday before: no hours, the weekly rule
    assert sources[1:7] == ["exception: Betriebsferien"] * 6
    assert sources[7] == "hours"  # 2027-01-03
    assert sched.next_opening(at("2026-12-30T10:00")) == at("2027-01-04T07:00")


def test_a_range_across_the_clock_change_closes_by_the_local_wall_clock() -> None:
    # Clocks go back at 03:00 on 2026-10-25 (Sunday); the range covers 24-26 October.
    sched = with_one_range(date(2026, 10, 24), date(2026, 10, 26), "10:00-12:00", "Umzug")
    for day in ("2026-10-24", "2026-10-25", "2026-10-26"):
        assert sched.state_at(at(f"{day}T10:30")).open
        assert not sched.state_at(at(f"{day}T12:00")).open
    # 10:30 local on the day after the change is 09:30 UTC, not 08:30.
    assert sched.state_at(datetime.fromisoformat("2026-10-26T09:30+00:00")).open
    assert not sched.state_at(datetime.fromisoformat("2026-10-26T11:00+00:00")).open
    assert sched.next_opening(at("2026-10-24T13:00")) == at("2026-10-25T10:00")


def test_a_range_across_the_spring_clock_change_opens_at_the_local_time() -> None:
    # Clocks go forward at 02:00 on 2027-03-28 (Sunday).
    sched = with_one_range(date(2027, 3, 27), date(2027, 3, 29), "08:00-09:00", "Inventur")
    assert sched.next_opening(at("2027-03-27T20:00")) == at("2027-03-28T08:00")
    assert at("2027-03-28T08:00").utcoffset() == timedelta(hours=2)
