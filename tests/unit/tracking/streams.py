"""Recorded AMI event streams of a real Asterisk 22 (tests/fixtures/ami, see its README)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

from pbx_bridge.ami.call_events import DECISION_EVENT, Event
from pbx_bridge.ami.call_tracker import CallTracker, TrackerOutput
from pbx_bridge.core.privacy import PrivacyPolicy

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ami"
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def stream(name: str) -> list[dict[str, str]]:
    text = (FIXTURES / f"{name}.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line]


def tracker() -> CallTracker:
    return CallTracker("asterisk-1", PrivacyPolicy())


def feed_all(call_tracker: CallTracker, events: Iterable[Event], now: datetime) -> TrackerOutput:
    """Feed a whole stream; everything the tracker put out on the way."""
    out = TrackerOutput()
    for event in events:
        one = call_tracker.feed(event, now)
        out.records.extend(one.records)
        out.wrapups.extend(one.wrapups)
        out.unseen += one.unseen
    return out


def replay(name: str) -> TrackerOutput:
    return feed_all(tracker(), stream(name), NOW)


def decision_of(events: list[dict[str, str]]) -> dict[str, str]:
    """What the daemon hands the tracker for the call of a stream (agi/decision_event.py)."""
    caller = next(e for e in events if e.get("Event") == "Newchannel")
    uniqueid = caller["Uniqueid"]
    decided: dict[str, str] = {
        "Event": DECISION_EVENT,
        "Uniqueid": uniqueid,
        "Linkedid": uniqueid,
        "Exten": caller["Exten"],
        "CallerIDNum": caller["CallerIDNum"],
    }
    for event in events:
        if event.get("Event") != "VarSet" or event.get("Uniqueid") != uniqueid:
            continue
        if event["Variable"].startswith("PBXB_") and event["Value"]:
            decided[event["Variable"]] = event["Value"]
    return decided
