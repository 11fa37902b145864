"""What the soak and the fault scenarios measure: the daemon's memory, CPU and log levels, and
the figures they print (percentiles, Asterisk's timing of the AGI step, arrival rates)."""

from __future__ import annotations

import contextlib
import json
import os
import statistics
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.system.soak_ami import Seen
from tests.testbed import processes, tracking


class RssSampler:
    """The daemon's resident memory (VmRSS), sampled every `every` seconds while it runs."""

    def __init__(self, pid: int, every: float = 1.0) -> None:
        self.pid = pid
        self.every = every
        self.samples: list[tuple[float, int]] = []  # (monotonic, KiB)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="rss", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(OSError, RuntimeError):  # exited (a fault scenario)
                self.samples.append((time.monotonic(), processes.rss_kib(self.pid)))
            self._stop.wait(self.every)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)

    def between(self, start: float, end: float) -> list[int]:
        return [kb for at, kb in self.samples if start <= at <= end]


def cpu_seconds(pid: int | None) -> float:
    """User + system CPU time of `pid` so far; 0 for no process or one that has exited."""
    if pid is None:
        return 0.0
    try:
        return processes.cpu_seconds(pid)
    except OSError:
        return 0.0


class CpuMeter:
    """CPU seconds used during a run: the machine (all cores), Asterisk, the daemon, this
    process (SIPp control, the AMI watch) and its finished children (SIPp)."""

    def __init__(self, asterisk_pid: int | None, daemon_pid: int) -> None:
        self.asterisk_pid = asterisk_pid
        self.daemon_pid = daemon_pid
        self._start = self._now()

    def _now(self) -> dict[str, float]:
        own = os.times()
        return {
            "wall": time.monotonic(),
            "busy": processes.machine_busy_seconds(),
            "asterisk": cpu_seconds(self.asterisk_pid),
            "daemon": cpu_seconds(self.daemon_pid),
            "harness": own.user + own.system,
            "sipp": own.children_user + own.children_system,
        }

    def summary(self) -> str:
        end = self._now()
        used = {key: end[key] - self._start[key] for key in end}
        wall = used.pop("wall")
        busy = used.pop("busy")
        cores = os.cpu_count() or 1
        parts = ", ".join(f"{key} {value / wall:.0%}" for key, value in used.items())
        return (
            f"machine {busy / wall / cores:.0%} of {cores} cores busy; "
            f"of one core: {parts} (over {wall:.0f} s)"
        )


@dataclass(frozen=True)
class RssGrowth:
    first_kb: float  # median of the first quarter's samples
    last_kb: float  # median of the last quarter's samples
    samples: int

    @property
    def growth(self) -> float:
        return (self.last_kb - self.first_kb) / self.first_kb if self.first_kb else 0.0


def rss_growth(samples: Sequence[int]) -> RssGrowth:
    if len(samples) < 4:
        raise ValueError(f"too few RSS samples ({len(samples)}) to compare quarters")
    quarter = len(samples) // 4
    return RssGrowth(
        statistics.median(samples[:quarter]), statistics.median(samples[-quarter:]), len(samples)
    )


def log_levels(log: Path) -> tuple[list[dict[str, Any]], Counter[str]]:
    """(error lines, warning events counted) of the daemon's JSON log. A line that is not
    JSON (a traceback on stderr, a library's print) counts as an error line."""
    errors: list[dict[str, Any]] = []
    warnings: Counter[str] = Counter()
    text = log.read_text(errors="replace") if log.exists() else ""
    for raw in text.splitlines():
        if not raw.strip():
            continue
        try:
            line = json.loads(raw)
        except json.JSONDecodeError:
            line = None
        if not isinstance(line, dict):
            errors.append({"level": "error", "event": "not a JSON line", "text": raw[:300]})
        elif line.get("level") in ("error", "critical"):
            errors.append(line)
        elif line.get("level") == "warning":
            warnings[str(line.get("event"))] += 1
    return errors, warnings


# ---- figures ------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """The q-quantile (0..1) by nearest rank; nan for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q * len(ordered) + 0.5) - 1))
    return ordered[rank]


def histogram_quantile(
    scrape: tracking.Scrape, name: str, q: float, since: tracking.Scrape | None = None
) -> tuple[float, int]:
    """(upper bound of the bucket holding the q-quantile, observations) of a histogram; with
    `since`, of the observations made between that scrape and this one."""
    before = since.samples if since is not None else {}
    buckets = sorted(
        (float(dict(labels)["le"]), value - before.get((sample, labels), 0.0))
        for (sample, labels), value in scrape.samples.items()
        if sample == f"{name}_bucket"
    )
    total = int(buckets[-1][1]) if buckets else 0
    for bound, cumulative in buckets:
        if total and cumulative >= q * total:
            return bound, total
    return float("nan"), total


def daemon_steps(seen: Iterable[Seen | None]) -> list[tuple[float, float]]:
    """Asterisk's view of the daemon's AGI step of each call: (seconds, when it began)."""
    out: list[tuple[float, float]] = []
    for s in seen:
        step = s.daemon_step if s is not None else None
        if step is not None and step.seconds is not None:
            out.append((step.seconds, step.started))
    return out


def daemon_steps_ms(seen: Iterable[Seen | None]) -> list[float]:
    """Asterisk's view of the daemon's AGI step of each call, in milliseconds."""
    return [seconds * 1000 for seconds, _ in daemon_steps(seen)]


def slowest_steps(seen: Iterable[Seen | None], count: int) -> str:
    """The slowest daemon AGI steps with the time each began (UTC, Asterisk's clock), so a
    slow one can be found in the daemon's and Asterisk's logs."""
    return ", ".join(
        f"{seconds * 1000:.1f} ms ({datetime.fromtimestamp(at, UTC):%H:%M:%S.%f}"[:-3] + ")"
        for seconds, at in sorted(daemon_steps(seen))[-count:]
    )


def arrival_rate(seen: Iterable[Seen | None], total_s: float) -> str:
    """How fast calls reached Asterisk (its Newchannel timestamps), and the whole run."""
    starts = sorted(s.started for s in seen if s is not None)
    if len(starts) < 2:
        return f"{len(starts)} calls reached Asterisk"
    span = starts[-1] - starts[0]
    return (
        f"{len(starts)} calls arrived over {span:.1f} s ({(len(starts) - 1) / span:.1f}/s); "
        f"{total_s:.0f} s until the last ended"
    )


def line(label: str, value: object) -> str:
    return f"  {label:<38} {value}"


def fmt_ms(values: Sequence[float]) -> str:
    if not values:
        return "no samples"
    return (
        f"p50 {percentile(values, 0.5):.1f} ms, p99 {percentile(values, 0.99):.1f} ms, "
        f"max {max(values):.1f} ms (n={len(values)})"
    )


def chunks(items: Sequence[Any], size: int) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
