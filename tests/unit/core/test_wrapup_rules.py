"""Wrap-up rules (pure): who may set what, until when, and which wrap-up counts."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from pbx_bridge.core.calls import Outcome, Wrapup
from pbx_bridge.core.outcomes import WRAPUP_WINDOW, latest, merge, refusal
from tests.unit.storage.builders import answered, unanswered, wrapup

CALL = answered("1700000000.1", department="Zentrale", note=None)


@pytest.mark.parametrize("outcome", [Outcome.RESOLVED, Outcome.TRANSFERRED, Outcome.CALLBACK])
def test_agent_sets_an_answered_calls_outcome(outcome: Outcome) -> None:
    decision = merge(CALL, wrapup(CALL, outcome))
    assert decision.refused is None
    assert decision.record.outcome is outcome


def test_department_and_note_come_from_the_wrapup_when_given() -> None:
    merged = merge(CALL, wrapup(CALL, Outcome.CALLBACK, department="Kfz-Zulassung", note="Termin"))
    assert (merged.record.department, merged.record.note) == ("Kfz-Zulassung", "Termin")
    kept = merge(CALL, wrapup(CALL, Outcome.RESOLVED))
    assert kept.record.department == "Zentrale"


def test_during_the_call_is_allowed() -> None:
    assert merge(CALL, wrapup(CALL, Outcome.RESOLVED, after=-timedelta(seconds=30))).refused is None


def test_exactly_thirty_minutes_after_is_allowed_one_second_later_is_not() -> None:
    assert merge(CALL, wrapup(CALL, Outcome.RESOLVED, after=WRAPUP_WINDOW)).refused is None
    late = merge(CALL, wrapup(CALL, Outcome.RESOLVED, after=WRAPUP_WINDOW + timedelta(seconds=1)))
    assert late.refused is not None and late.refused.startswith("too late")
    assert late.record == CALL


@pytest.mark.parametrize(
    ("outcome", "wait_s", "why"),
    [
        (Outcome.ABANDONED, 30.0, "hung up"),
        (Outcome.OVERFLOW, 300.0, "timed out"),
        (Outcome.CLOSED, None, "outside service hours"),
        (Outcome.UNROUTED, None, "no tenant"),
    ],
)
def test_unanswered_calls_refuse_wrapups(outcome: Outcome, wait_s: float | None, why: str) -> None:
    call = unanswered("1700000000.2", outcome, wait_s=wait_s)
    decision = merge(call, wrapup(call, Outcome.RESOLVED))
    assert decision.refused is not None and why in decision.refused


def test_failed_call_without_answer_is_refused() -> None:
    call = replace(unanswered("1700000000.3", Outcome.FAILED), detail="channel error")
    assert refusal(call, wrapup(call, Outcome.RESOLVED)) is not None


@pytest.mark.parametrize("outcome", [Outcome.ABANDONED, Outcome.CLOSED, Outcome.FAILED])
def test_agents_may_not_set_what_asterisk_decides(outcome: Outcome) -> None:
    reason = refusal(CALL, wrapup(CALL, outcome))
    assert reason is not None and "cannot be set by wrap-up" in reason


def test_wrapup_for_another_call_is_refused() -> None:
    other = Wrapup("other", Outcome.RESOLVED, CALL.ended)
    assert refusal(CALL, other) is not None


def test_later_wrapup_wins_and_earlier_one_arriving_late_does_not() -> None:
    first = wrapup(CALL, Outcome.CALLBACK, after=timedelta(minutes=1))
    second = wrapup(CALL, Outcome.RESOLVED, after=timedelta(minutes=5))
    assert latest(None, first) is first
    assert latest(first, second) is second
    assert latest(second, first) is second  # delivered out of order: still the later one
    again = replace(second, note="same time")
    assert latest(second, again) is again  # same instant: the one received last
