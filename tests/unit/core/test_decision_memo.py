"""The memo answers exactly as decide() does, whatever the order of the instants asked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pbx_bridge.core.decision_memo import DecisionMemo
from pbx_bridge.core.routing import CallRequest, decide
from pbx_bridge.core.tenants import TenantDirectory
from tests.unit.core.factories import at, schedule, tenant, wolfsburg_directory

DIRECTORY = wolfsburg_directory()
CALLS = [
    CallRequest("0537182370"),
    CallRequest("05371 82-0", caller="0999 1234567"),
    CallRequest("0999 7654321", redirecting="05372 89-0"),
    CallRequest("02942 500-0"),
    CallRequest("0999 1234567"),  # no tenant's
    CallRequest(None),
]
# Around the instants where an answer changes: opening, closing, midnight, a dated exception,
# and the night the clocks go back.
EDGES = [
    at("2026-11-23T06:59:59"),
    at("2026-11-23T07:00:00"),
    at("2026-11-23T17:59:59.999"),
    at("2026-11-23T18:00:00"),
    at("2026-12-23T23:59:59"),
    at("2026-12-24T11:59:30"),
    at("2026-12-24T12:00:00"),
    at("2026-10-25T02:30:00").replace(fold=1),
]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(EDGES),
            st.integers(-90, 90),  # seconds either side of an edge
            st.integers(0, len(CALLS) - 1),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_every_answer_is_decides_answer(asked: list[tuple[datetime, int, int]]) -> None:
    memo = DecisionMemo()
    for edge, seconds, call in asked:
        instant = (edge.astimezone(UTC) + timedelta(seconds=seconds)).astimezone(edge.tzinfo)
        assert memo.decide(DIRECTORY, CALLS[call], instant) == decide(
            DIRECTORY, CALLS[call], instant
        )


def test_a_call_in_the_same_minute_gets_the_remembered_decision() -> None:
    memo = DecisionMemo()
    first = memo.decide(DIRECTORY, CALLS[0], at("2026-11-23T10:00:05"))
    again = memo.decide(
        DIRECTORY, CallRequest("0537182370", caller="0999 7777777"), at("2026-11-23T10:00:55")
    )
    assert again is first
    assert memo.decide(DIRECTORY, CALLS[0], at("2026-11-23T10:01:00")) is not first


def test_a_new_configuration_is_decided_afresh() -> None:
    memo = DecisionMemo()
    monday = at("2026-11-23T10:00:00")
    assert memo.decide(DIRECTORY, CALLS[0], monday).open
    closed_all_week = TenantDirectory(
        DIRECTORY.center,
        (tenant("gifhorn", {"05371 82-370": "Kfz-Zulassung"}, schedule({})),),
    )
    decision = memo.decide(closed_all_week, CALLS[0], monday)
    assert not decision.open
    assert decision == decide(closed_all_week, CALLS[0], monday)


def test_made_up_numbers_by_the_thousand_stay_bounded_and_right() -> None:
    memo = DecisionMemo(limit=100)
    monday = at("2026-11-23T10:00:00")
    for n in range(1000):
        call = CallRequest(f"0999 {n:07d}")
        assert memo.decide(DIRECTORY, call, monday) == decide(DIRECTORY, call, monday)
        assert len(memo._decisions) <= 100
    assert memo.decide(DIRECTORY, CALLS[0], monday).tenant == "gifhorn"


def test_a_naive_instant_is_not_remembered_and_fails_as_decide_does() -> None:
    memo = DecisionMemo()
    naive = datetime(2026, 11, 23, 10, 0)
    with pytest.raises(ValueError, match="timezone-aware"):
        memo.decide(DIRECTORY, CALLS[0], naive)
    assert memo.decide(DIRECTORY, CALLS[4], naive) == decide(DIRECTORY, CALLS[4], naive)
