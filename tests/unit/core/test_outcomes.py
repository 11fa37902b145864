"""A call's outcome from plain facts about it (pure): what happened decides, in this order."""

from __future__ import annotations

import pytest

from pbx_bridge.core.calls import Outcome
from pbx_bridge.core.outcomes import UNSEEN_END_DETAIL, CallFacts, outcome_of


def test_a_closed_call_is_closed_with_its_reason_even_if_someone_answered_the_forward() -> None:
    facts = CallFacts(action="closed", reason="holiday: Neujahr", answered=True)
    assert outcome_of(facts) == (Outcome.CLOSED, "holiday: Neujahr")


def test_a_closed_call_forwarded_names_where_it_went() -> None:
    facts = CallFacts(action="closed", reason="hours", forwarded_to="+49537182")
    assert outcome_of(facts) == (Outcome.CLOSED, "hours; forwarded to +49537182")


def test_an_answered_call_is_resolved_until_a_wrap_up_says_otherwise() -> None:
    assert outcome_of(CallFacts(action="queue", queued=True, answered=True)) == (
        Outcome.RESOLVED,
        None,
    )


def test_an_answered_call_an_agent_passed_on_is_transferred_to_its_target() -> None:
    facts = CallFacts(action="queue", queued=True, answered=True, transferred_to="0999123")
    assert outcome_of(facts) == (Outcome.TRANSFERRED, "0999123")


def test_an_unrouted_call_stays_unrouted_answered_or_not() -> None:
    answered = CallFacts(action="unrouted", reason="no tenant", queued=True, answered=True)
    assert outcome_of(answered) == (Outcome.UNROUTED, "answered; no tenant")
    assert outcome_of(CallFacts(action="unrouted", answered=True)) == (Outcome.UNROUTED, "answered")
    assert outcome_of(CallFacts(action="unrouted", reason="no tenant")) == (
        Outcome.UNROUTED,
        "no tenant",
    )


@pytest.mark.parametrize("why", ["timeout", "full", "joinempty"])
def test_a_queue_that_let_the_caller_go_is_an_overflow(why: str) -> None:
    facts = CallFacts(action="queue", queued=True, queue_gave_up=why)
    assert outcome_of(facts) == (Outcome.OVERFLOW, why)


def test_a_caller_who_hangs_up_waiting_abandoned_the_call() -> None:
    assert outcome_of(CallFacts(action="queue", queued=True, abandoned=True)) == (
        Outcome.ABANDONED,
        None,
    )
    assert outcome_of(CallFacts(action="queue")) == (Outcome.ABANDONED, "before the queue")


def test_a_call_without_a_routing_decision_failed_and_says_so() -> None:
    assert outcome_of(CallFacts()) == (Outcome.FAILED, "no routing decision")
    assert outcome_of(CallFacts(action="bogus")) == (Outcome.FAILED, "ended in state bogus")


def test_a_call_whose_end_nobody_saw_does_not_claim_the_caller_gave_up() -> None:
    waiting = CallFacts(action="queue", queued=True, end_seen=False)
    assert outcome_of(waiting) == (Outcome.FAILED, UNSEEN_END_DETAIL)
    closed = CallFacts(action="closed", reason="hours", end_seen=False)
    assert outcome_of(closed) == (Outcome.CLOSED, "hours")
    answered = CallFacts(action="queue", queued=True, answered=True, end_seen=False)
    assert outcome_of(answered) == (Outcome.RESOLVED, None)
