"""Callers waiting now, for the supervisors' Today board: queued, not answered, not gone."""

from __future__ import annotations

from datetime import timedelta

from prometheus_client import generate_latest

from pbx_bridge.ami.call_events import event_time
from pbx_bridge.metrics.registry import Metrics
from pbx_bridge.web.today.live import parse_metrics
from tests.unit.tracking.streams import NOW, feed_all, stream, tracker


def _until(name: str, event: str) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    events = stream(name)
    index = next(i for i, e in enumerate(events) if e.get("Event") == event)
    return events[: index + 1], events[index + 1 :]


def test_a_queued_caller_waits_until_an_agent_answers() -> None:
    before, after = _until("resolved", "QueueCallerJoin")
    t = tracker()
    feed_all(t, before, NOW)
    joined = event_time(before[-1], NOW)
    waiting = t.waiting_by_tenant(joined + timedelta(seconds=42))
    assert list(waiting.values()) == [(1, 42.0)]
    feed_all(t, after, NOW)
    assert t.waiting_by_tenant(joined + timedelta(seconds=60)) == {}


def test_a_caller_who_gave_up_no_longer_waits() -> None:
    before, after = _until("abandoned", "QueueCallerJoin")
    t = tracker()
    feed_all(t, before, NOW)
    assert sum(count for count, _ in t.waiting_by_tenant(NOW).values()) == 1
    feed_all(t, after, NOW)
    assert t.waiting_by_tenant(NOW) == {}


def test_the_metrics_the_console_reads_round_trip() -> None:
    metrics = Metrics()
    metrics.watch_waiting(lambda: {"gifhorn": (3, 95.25), "": (1, 4.0)})
    live = parse_metrics(generate_latest(metrics.registry).decode())
    assert live.available
    assert live.waiting == {"gifhorn": 3, "": 1}
    assert live.longest_s == {"gifhorn": 95.2, "": 4.0}
