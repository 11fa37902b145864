"""Service level and ASA describe offered calls only (found by the real-Asterisk acceptance mix)."""

from __future__ import annotations

from pbx_bridge.core.calls import Outcome
from pbx_bridge.core.kpis import CallCounts, asa_s, service_level_percent


def group(outcome: Outcome, calls: int, answered: int, within: int, wait: float) -> CallCounts:
    return CallCounts.of_group(
        outcome,
        calls=calls,
        answered=answered,
        within={20: within},
        short_abandons=0,
        wait_answered_s=wait,
    )


def test_an_answered_unrouted_call_does_not_lift_the_service_level() -> None:
    total = (
        group(Outcome.RESOLVED, 4, 4, 4, 0.8)
        + group(Outcome.OVERFLOW, 1, 0, 0, 0.0)
        + group(Outcome.UNROUTED, 1, 1, 1, 0.2)
    )
    assert total.offered == 5
    assert total.answered_within == 4
    assert service_level_percent(total) == 80.0
    assert asa_s(total) == 0.2
