"""Dropping the events the tracker never reads, on their raw bytes, changes no record."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pbx_bridge.ami import call_tracker
from pbx_bridge.ami.call_events import (
    DECISION_EVENT,
    TRACKED_EVENTS,
    manager_eventfilters,
    wanted,
)
from tests.unit.tracking.streams import FIXTURES, NOW, feed_all, stream, tracker

NAMES = sorted(path.stem for path in FIXTURES.glob("*.jsonl"))


def wire(event: dict[str, str]) -> bytes:
    """An event as Asterisk sends it, without the blank line that ends it."""
    return "\r\n".join(f"{k}: {v}" for k, v in event.items()).encode()


@pytest.mark.parametrize("name", NAMES)
def test_filtered_stream_yields_the_same_records(name: str) -> None:
    events = stream(name)
    kept = [e for e in events if wanted(wire(e))]
    assert len(kept) < len(events) / 3  # most of Asterisk's events are dropped unparsed
    full = feed_all(tracker(), events, NOW)
    filtered = feed_all(tracker(), kept, NOW)
    assert filtered.records == full.records
    assert filtered.wrapups == full.wrapups


def test_action_responses_always_pass() -> None:
    assert wanted(b"Response: Success\r\nActionID: 7\r\nPing: Pong")
    assert wanted(b"Event: CoreShowChannel\r\nActionID: 8\r\nUniqueid: 1.1")
    assert not wanted(b"Event: Newexten\r\nUniqueid: 1.1\r\nApplication: Playback")
    assert not wanted(b"Event: VarSet\r\nUniqueid: 1.1\r\nVariable: RTPAUDIOQOS")
    assert wanted(b"Event: VarSet\r\nUniqueid: 1.1\r\nVariable: PBXB_ACTION\r\nValue: queue")


# ---- the same at the source: manager.conf eventfilter for pbx-bridge's AMI user ------------

ROOT = FIXTURES.parents[2]
FILTERED_CONFIGS = [
    ROOT / "tests" / "testbed" / "templates" / "manager.conf",
    ROOT / "dialplans" / "asterisk" / "manager.conf.example",
]


def asterisk_passes(lines: list[str], event: dict[str, str]) -> bool:
    """Asterisk 22's advanced include filters (main/manager.c, filter_cmp_fn), for the
    criteria manager_eventfilters writes: name(), header(), method(exact|regex|none)."""
    for line in lines:
        criteria, _, pattern = line.partition("=")
        options = dict(re.findall(r"(\w+)\(([^()]*)\)", criteria))
        assert options.get("action", "include") == "include"
        if "name" in options and event.get("Event") != options["name"]:
            continue
        data = event.get(options["header"], "") if "header" in options else ""
        method, pattern = options.get("method", "none"), pattern.strip()
        matches = {
            "none": True,
            "exact": data == pattern,
            "regex": method == "regex" and re.search(pattern, data) is not None,
        }
        if matches[method]:
            return True
    return False


@pytest.mark.parametrize("name", NAMES)
def test_asterisk_side_filter_yields_the_same_records(name: str) -> None:
    events = stream(name)
    kept = [e for e in events if asterisk_passes(manager_eventfilters(), e)]
    assert len(kept) < len(events) / 3
    assert kept == [e for e in events if wanted(wire(e))]
    full = feed_all(tracker(), events, NOW)
    filtered = feed_all(tracker(), kept, NOW)
    assert (filtered.records, filtered.wrapups) == (full.records, full.wrapups)


@pytest.mark.parametrize("path", FILTERED_CONFIGS, ids=lambda p: p.name)
def test_shipped_manager_configs_filter_exactly_what_the_tracker_reads(path: Path) -> None:
    lines = [line for line in path.read_text().splitlines() if line.startswith("eventfilter")]
    assert lines == manager_eventfilters()


def test_the_filter_passes_exactly_the_events_the_tracker_handles() -> None:
    assert set(call_tracker._HANDLERS) == TRACKED_EVENTS | {DECISION_EVENT}
