"""Call-tracker throughput on recorded AMI event streams, against the bare cost of parsing them.

    python -m benchmarks.tracker_bench [--copies 400] [--fixtures tests/fixtures/ami]

The recorded streams (tests/fixtures/ami/*.jsonl, from a real Asterisk 22) are
replicated with fresh Uniqueid/Linkedid values, rendered to AMI wire format, and
then (a) only parsed into messages the way the daemon parses them, and (b)
parsed and fed to the CallTracker. Both are timed in the same run on one core;
the target is at least 20,000 events per second for (b). The daemon's TrackingService
is timed too, without and with the journal it writes every event to (ami/tracker_state.py),
to show what the journal costs.
"""

from __future__ import annotations

import argparse
import json
import logging
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import structlog
from panoramisk.message import Message

from benchmarks.targets import TargetResult
from pbx_bridge.ami.call_events import wanted
from pbx_bridge.ami.call_tracker import CallTracker
from pbx_bridge.ami.tracker_state import TrackerState
from pbx_bridge.ami.tracking_service import TrackingService
from pbx_bridge.core.calls import CallRecord, Wrapup
from pbx_bridge.core.privacy import PrivacyPolicy

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "ami"
_ID_FIELDS = ("Uniqueid", "Linkedid", "DestUniqueid", "DestLinkedid")


def load_streams(folder: Path) -> list[list[dict[str, str]]]:
    streams = []
    for file in sorted(folder.glob("*.jsonl")):
        events = [
            json.loads(line) for line in file.read_text(encoding="utf-8").splitlines() if line
        ]
        streams.append(events)
    if not streams:
        raise SystemExit(f"no recorded streams in {folder}")
    return streams


def replicate(streams: list[list[dict[str, str]]], copies: int) -> Iterator[dict[str, str]]:
    """Each copy gets its own id space, so calls never collide across copies."""
    for copy in range(copies):
        prefix = f"{copy}-"
        for stream in streams:
            for event in stream:
                renamed = dict(event)
                for key, value in event.items():
                    if value and (key in _ID_FIELDS or key.endswith(("Uniqueid", "Linkedid"))):
                        renamed[key] = prefix + value
                yield renamed


def wire(event: dict[str, str]) -> bytes:
    return "".join(f"{k}: {v}\r\n" for k, v in event.items()).encode() + b"\r\n"


def parse_all(chunks: list[bytes]) -> list[Message]:
    out = []
    for raw in chunks:
        message = Message.from_line(raw.decode("utf-8", "replace").strip())
        if message is not None:
            out.append(message)
    return out


def best_of(runs: int, work: Callable[[], object]) -> float:
    """Fastest of `runs` timings: other processes on the machine only ever slow a run down."""
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        timings.append(time.perf_counter() - started)
    return min(timings)


def track_all(messages: list[Message], now: datetime) -> int:
    tracker = CallTracker("bench", PrivacyPolicy())
    return sum(len(tracker.feed(message, now).records) for message in messages)


class _Discard:
    def record(self, record: CallRecord) -> None:
        pass

    def wrapup(self, wrapup: Wrapup) -> None:
        pass


def serve_all(messages: list[Message], now: datetime, journal: bool) -> int:
    """The daemon's path: TrackingService.on_event, with or without the journal."""
    tracker = CallTracker("bench", PrivacyPolicy())
    with tempfile.TemporaryDirectory(prefix="pbxb-journal-") as folder:
        state = TrackerState(Path(folder), "bench") if journal else None
        service = TrackingService(tracker, _Discard(), lambda: now, state)
        if state is not None:
            state.load()
            state.take(tracker.snapshot())
        for message in messages:
            service.on_event(message)
        if state is not None:
            state.close()
    return service.events


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=60)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--fixtures", type=Path, default=FIXTURES)
    args = parser.parse_args()
    streams = load_streams(args.fixtures)
    events = list(replicate(streams, args.copies))
    chunks = [wire(e) for e in events]
    messages = parse_all(chunks)
    now = datetime.now(UTC)
    records = track_all(messages, now)

    parse_s = best_of(args.runs, lambda: parse_all(chunks))
    track_s = best_of(args.runs, lambda: track_all(messages, now))
    both_s = best_of(args.runs, lambda: track_all(parse_all(chunks), now))
    # The service logs every call's end; the figures are for the work, not for a console.
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    service_s = best_of(args.runs, lambda: serve_all(messages, now, journal=False))
    journal_s = best_of(args.runs, lambda: serve_all(messages, now, journal=True))

    n = len(events)
    print(f"events: {n:,} ({args.copies} copies of {len(streams)} recorded streams)")
    print(f"calls recorded per pass: {records:,}; best of {args.runs} runs each, one core")
    print(f"parsing only (panoramisk Message): {n / parse_s:>10,.0f} events/s")
    print(f"tracking only (CallTracker):       {n / track_s:>10,.0f} events/s")
    print(f"parsing + tracking:                {n / both_s:>10,.0f} events/s")
    print(f"tracking costs {track_s / parse_s:.2f}x the bare parsing of the same stream")
    print(f"tracking service (daemon's path):  {n / service_s:>10,.0f} events/s")
    print(f"  with the journal written:        {n / journal_s:>10,.0f} events/s")
    per_event_us = (journal_s - service_s) / n * 1e6
    print(f"the journal costs {per_event_us:.1f} us per event ({journal_s / service_s:.2f}x)")
    # The daemon only sees what its event filter keeps (and Asterisk's eventfilter lines send).
    kept = sum(1 for chunk in chunks if wanted(chunk.rstrip(b"\r\n"))) / records
    print(
        f"the daemon's filter keeps {kept:.1f} events per call: "
        f"the journal costs {kept * per_event_us / 1000:.2f} ms of CPU per call"
    )
    target = TargetResult(
        target="tracker at least 20,000 events/s on one core",
        figure=f"{n / track_s:,.0f} events/s",
        baseline=f"parsing only (panoramisk Message) {n / parse_s:,.0f} events/s",
        met=n / track_s >= 20_000,
    )
    print(target.line())


if __name__ == "__main__":
    main()
