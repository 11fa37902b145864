"""The decision is a pure function of the instant (and the closures known): the zone the
instant is written in, the order of questions and remembering decisions change nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from pbx_bridge.config.hours_syntax import parse_ranges
from pbx_bridge.core.closures import WHOLE_CENTER, Closure, Closures
from pbx_bridge.core.decision_memo import DecisionMemo
from pbx_bridge.core.exception_days import ExceptionDays, RangeException, YearlyException
from pbx_bridge.core.routing import CallRequest, decide
from pbx_bridge.core.schedule import Schedule
from pbx_bridge.core.tenants import TenantDirectory
from tests.unit.core.factories import BERLIN, center, schedule, tenant

WEEKDAYS = schedule({"mon-fri": "07:00-18:00", "sat": "08:00-12:00"}, state="NI")
CENTER_RULES = ExceptionDays(
    yearly={(12, 24): YearlyException(12, 24, parse_ranges("07:00-12:00"), "Heiligabend")},
    ranges=(RangeException(date(2026, 12, 27), date(2027, 1, 2), (), "Betriebsferien"),),
)
SCHEDULE = Schedule(BERLIN, WEEKDAYS.weekly, ExceptionDays(), WEEKDAYS.holidays, CENTER_RULES)
DIRECTORY = TenantDirectory(
    center(),
    (
        tenant("gifhorn", {"05371 82-0": "Zentrale"}, SCHEDULE),
        tenant("meinersen", {"05372 89-0": "Zentrale"}, WEEKDAYS),
    ),
)
CALLS = st.sampled_from(
    [CallRequest("05371 82-0"), CallRequest("05372 89-0"), CallRequest("0999 1234567")]
)
instants = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)


@st.composite
def closure_sets(draw: st.DrawFn) -> Closures:
    closures = []
    for scope in draw(
        st.lists(st.sampled_from(["gifhorn", "meinersen", WHOLE_CENTER]), max_size=3)
    ):
        since = draw(instants)
        length = draw(st.none() | st.integers(1, 60 * 24 * 10))
        until = None if length is None else since + timedelta(minutes=length)
        closures.append(Closure(scope, "Sturm", since, until))
    return Closures.of(closures)


@given(
    CALLS,
    instants,
    closure_sets(),
    st.sampled_from(["America/New_York", "Asia/Tokyo", "Europe/Berlin"]),
)
@settings(max_examples=300, deadline=None)
def test_the_same_instant_in_any_zone_gets_the_same_decision(
    call: CallRequest, instant: datetime, closures: Closures, zone: str
) -> None:
    here = decide(DIRECTORY, call, instant, closures)
    there = decide(DIRECTORY, call, instant.astimezone(ZoneInfo(zone)), closures)
    assert here == there


@given(CALLS, st.lists(instants, min_size=2, max_size=6), closure_sets())
@settings(max_examples=200, deadline=None)
def test_earlier_questions_and_the_memo_do_not_change_an_answer(
    call: CallRequest, moments: list[datetime], closures: Closures
) -> None:
    memo = DecisionMemo()
    fresh = [decide(DIRECTORY, call, moment, closures) for moment in moments]
    remembered = [memo.decide(DIRECTORY, call, moment, closures) for moment in moments]
    again = [decide(DIRECTORY, call, moment, closures) for moment in reversed(moments)]
    assert fresh == remembered == list(reversed(again))


@given(CALLS, instants, closure_sets())
@settings(max_examples=200, deadline=None)
def test_a_closure_in_force_always_closes_and_names_itself(
    call: CallRequest, instant: datetime, closures: Closures
) -> None:
    d = decide(DIRECTORY, call, instant, closures)
    in_force = closures.for_tenant(d.tenant, instant)
    if in_force is not None:
        assert not d.open
        assert d.reason == f"closure: {in_force.reason}"
    else:
        assert not d.reason.startswith("closure:")
