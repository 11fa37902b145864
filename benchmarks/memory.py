"""The daemon's memory (VmRSS) after 100 calls against after 10,000: flat means under 10% growth.

    python -m benchmarks.memory [--calls 10000] [--rate 50] [--skip-asterisk]

Two runs, each with its own daemon:

1. decisions only: `pbx-bridge run` without AMI, driven by the FastAGI load generator
   (benchmarks/agi_load.py, 50 sessions in flight) - the listener and the routing alone;
2. whole calls with call tracking: SIPp calls at `--rate` per second through the real Asterisk
   into the shipped dialplan (benchmarks/bench_center.py, setup bench-fastagi); the daemon
   routes them over FastAGI and tracks every call over AMI into SQLite, as in production.

RSS is read from /proc/PID/status after 100 calls (the baseline: everything imported, caches
warm), at points in between, and after `--calls`; for the tracked run only once the call log
holds a record of every call placed.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
import time
from pathlib import Path

from benchmarks import agi_load
from benchmarks.agi_load import Generator
from benchmarks.bench_center import TENANTS, Rig
from benchmarks.targets import TargetResult
from tests.testbed import center, ports
from tests.testbed.asterisk import provision
from tests.testbed.daemon import DAEMON
from tests.testbed.processes import OtherLoad, rss_kib, wait_quiet
from tests.testbed.provenance import machine

PROJECT = Path(__file__).resolve().parents[1]
BASELINE_CALLS = 100
TARGET_GROWTH = 0.10


def checkpoints(total: int) -> list[int]:
    """100, then roughly quarters of the way, then `total`."""
    points = [BASELINE_CALLS] + [total * k // 4 for k in (1, 2, 3)] + [total]
    return sorted({p for p in points if BASELINE_CALLS <= p <= total})


def report(title: str, samples: list[tuple[int, int]], note: str = "") -> str:
    """Print the samples; return the verdict line."""
    print(f"{title}{note}")
    base = samples[0][1]
    for calls, kib in samples:
        print(f"  after {calls:>6,} calls: RSS {kib / 1024:7.1f} MiB  ({(kib - base) / base:+.1%})")
    growth = (samples[-1][1] - base) / base
    return TargetResult(
        target=f"RSS after {samples[-1][0]:,} calls under 10% above after {samples[0][0]:,} "
        f"({title})",
        figure=f"{growth:+.1%} ({samples[-1][1] / 1024:.1f} MiB)",
        baseline=f"RSS after {samples[0][0]:,} calls {base / 1024:.1f} MiB",
        met=growth < TARGET_GROWTH,
    ).line()


def run_decisions(run_dir: Path, total: int) -> list[tuple[int, int]]:
    port = ports.free_port()
    config = center.write_center(run_dir / "config", TENANTS, agi_port=port, sounds_dir=run_dir)
    process = agi_load.start_pinned(
        [str(DAEMON), "run", "--config", str(config)], None, port, run_dir / "daemon.log"
    )
    samples: list[tuple[int, int]] = []
    try:
        generator = Generator(port)
        done = 0
        for point in checkpoints(total):
            result = generator.closed_loop(point - done, 50)
            if result.failed:
                raise RuntimeError(f"{result.failed} FastAGI sessions failed; see {run_dir}")
            done = point
            time.sleep(1)
            samples.append((done, rss_kib(process.pid)))
    finally:
        agi_load.stop(process)
    return samples


def _count_records(database: Path) -> int:
    if not database.exists():
        return 0
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10) as db:
        try:
            return int(db.execute("SELECT count(*) FROM calls").fetchone()[0])
        except sqlite3.OperationalError:
            return 0


def _wait_for_records(database: Path, count: int, timeout: float) -> int:
    """Wait until the call log holds `count` records (or the timeout); return how many."""
    deadline = time.monotonic() + timeout
    while (found := _count_records(database)) < count and time.monotonic() < deadline:
        time.sleep(0.5)
    return found


def run_calls(run_dir: Path, total: int, rate: float) -> tuple[list[tuple[int, int]], str]:
    rig = Rig.start(provision(), run_dir, track=True)
    database = run_dir / "state" / "calls.sqlite3"
    samples: list[tuple[int, int]] = []
    failed = 0
    try:
        done = 0
        for point in checkpoints(total):
            count = point - done
            other, started = OtherLoad(), time.perf_counter()
            result, _ = rig.run_calls("fastagi", rate, count, timeout=count / rate * 3 + 60)
            busy = other.seconds() / (time.perf_counter() - started)
            failed += result.failed
            done = point
            _wait_for_records(database, done, timeout=60)
            samples.append((done, rss_kib(rig.daemon_pid)))
            print(
                f"  {done:,} calls placed ({result.failed} failed; other processes used "
                f"{busy * 100:.0f}% of a core meanwhile), RSS {samples[-1][1] / 1024:.1f} MiB",
                flush=True,
            )
        records = _count_records(database)
    finally:
        rig.stop()
    return samples, f" ({failed} failed calls, {records:,} records in the call log)"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=50, help="SIPp calls per second")
    parser.add_argument("--skip-asterisk", action="store_true", help="decisions only")
    parser.add_argument("--run-dir", type=Path, default=PROJECT / "var" / "bench" / "memory")
    args = parser.parse_args(argv)
    shutil.rmtree(args.run_dir, ignore_errors=True)
    began = time.perf_counter()
    print(f"machine: {machine()}")
    print(f"other processes: {wait_quiet() * 100:.0f}% of a core before the start")
    verdicts = []
    print("decisions only (FastAGI load generator, no AMI):")
    (args.run_dir / "decisions").mkdir(parents=True)
    samples = run_decisions(args.run_dir / "decisions", args.calls)
    verdicts.append(report("decisions only", samples))
    if not args.skip_asterisk:
        print(f"whole calls with AMI tracking (SIPp at {args.rate:g}/s through Asterisk):")
        samples, note = run_calls(args.run_dir / "calls", args.calls, args.rate)
        verdicts.append(report("whole calls, AMI tracking", samples, note))
    print()
    for verdict in verdicts:
        print(verdict)
    print(f"run time: {time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
