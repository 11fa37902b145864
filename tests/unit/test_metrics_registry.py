"""The routing decision counters: every action exported from the start, each counted apart."""

from __future__ import annotations

from pbx_bridge.core.routing import Action, CallRequest, decide
from pbx_bridge.metrics.registry import Metrics
from tests.unit.core.factories import at, wolfsburg_directory


def _counted(metrics: Metrics) -> dict[str, float | None]:
    return {
        str(action): metrics.registry.get_sample_value(
            "pbxb_routing_decisions_total", {"action": str(action)}
        )
        for action in Action
    }


def test_every_action_is_exported_at_zero_before_the_first_call() -> None:
    assert _counted(Metrics()) == {"queue": 0.0, "closed": 0.0, "unrouted": 0.0}


def test_each_decision_counts_for_its_own_action() -> None:
    metrics, directory = Metrics(), wolfsburg_directory()
    monday_morning, saturday = at("2026-11-23T10:00"), at("2026-11-21T23:00")
    for call, when in [
        (CallRequest("0537182370"), monday_morning),
        (CallRequest("0537182370"), monday_morning),
        (CallRequest("0537182370"), saturday),
        (CallRequest("0999 1234567"), monday_morning),
    ]:
        metrics.observe_decision(decide(directory, call, when), 0.001)
    assert _counted(metrics) == {"queue": 2.0, "closed": 1.0, "unrouted": 1.0}
    assert metrics.registry.get_sample_value("pbxb_routing_decision_seconds_count") == 4


def test_the_tenants_closed_ad_hoc_are_read_at_scrape_time() -> None:
    metrics, closed = Metrics(), [0]
    metrics.watch_closures(lambda: closed[0])
    assert metrics.registry.get_sample_value("pbxb_tenants_closed_adhoc") == 0
    closed[0] = 3
    assert metrics.registry.get_sample_value("pbxb_tenants_closed_adhoc") == 3
