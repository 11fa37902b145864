"""Dropping the events the tracker never reads, on their raw bytes, changes no record."""

from __future__ import annotations

import pytest

from pbx_bridge.ami.tracking import wanted
from tests.unit.tracking.streams import FIXTURES, NOW, stream, tracker

NAMES = sorted(path.stem for path in FIXTURES.glob("*.jsonl"))


def wire(event: dict[str, str]) -> bytes:
    """An event as Asterisk sends it, without the blank line that ends it."""
    return "\r\n".join(f"{k}: {v}" for k, v in event.items()).encode()


@pytest.mark.parametrize("name", NAMES)
def test_filtered_stream_yields_the_same_records(name: str) -> None:
    events = stream(name)
    kept = [e for e in events if wanted(wire(e))]
    assert len(kept) < len(events) / 3  # most of Asterisk's events are dropped unparsed
    full = tracker().feed_all(events, NOW)
    filtered = tracker().feed_all(kept, NOW)
    assert filtered.records == full.records
    assert filtered.wrapups == full.wrapups


def test_action_responses_always_pass() -> None:
    assert wanted(b"Response: Success\r\nActionID: 7\r\nPing: Pong")
    assert wanted(b"Event: CoreShowChannel\r\nActionID: 8\r\nUniqueid: 1.1")
    assert not wanted(b"Event: Newexten\r\nUniqueid: 1.1\r\nApplication: Playback")
    assert not wanted(b"Event: VarSet\r\nUniqueid: 1.1\r\nVariable: RTPAUDIOQOS")
    assert wanted(b"Event: VarSet\r\nUniqueid: 1.1\r\nVariable: PBXB_ACTION\r\nValue: queue")
