"""Call-tracker throughput on recorded AMI event streams, against the bare cost of parsing them.

    python -m benchmarks.tracker_bench [--copies 400] [--fixtures tests/fixtures/ami]

The recorded streams (tests/fixtures/ami/*.jsonl, from a real Asterisk 22) are
replicated with fresh Uniqueid/Linkedid values, rendered to AMI wire format, and
then (a) only parsed into messages the way the daemon parses them, and (b)
parsed and fed to the CallTracker. Both are timed in the same run on one core;
the target is at least 20,000 events per second for (b).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from panoramisk.message import Message

from pbx_bridge.core.call_tracking import CallTracker
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

    n = len(events)
    print(f"events: {n:,} ({args.copies} copies of {len(streams)} recorded streams)")
    print(f"calls recorded per pass: {records:,}; best of {args.runs} runs each, one core")
    print(f"parsing only (panoramisk Message): {n / parse_s:>10,.0f} events/s")
    print(f"tracking only (CallTracker):       {n / track_s:>10,.0f} events/s")
    print(f"parsing + tracking:                {n / both_s:>10,.0f} events/s")
    print(f"tracking costs {track_s / parse_s:.2f}x the bare parsing of the same stream")
    verdict = "meets" if n / track_s >= 20_000 else "MISSES"
    print(f"target: tracker at least 20,000 events/s on one core: {verdict}")


if __name__ == "__main__":
    main()
