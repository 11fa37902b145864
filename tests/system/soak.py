"""The soak: thousands of calls of a realistic mix through the real Asterisk, tracked into SQLite.

    python -m tests.system.soak [--calls 5000] [--rate 20] [--keep]

Starts the testbed's Asterisk 22 with 60 agents, a pool of REFER agents, a clerk and a
switchboard (`tests/system/soak_bed.py`), and the daemon with AMI tracking into SQLite. SIPp
places `--calls` calls at `--rate` calls per second: answered, transferred by REFER, callback
(the agent dials *81 while talking), abandoned, overflow, closed (hang-up and forward) and
unrouted. Pass: every call placed completed for its caller (SIPp), was decided by the daemon
and heard its greeting; the database holds exactly one record per call with the planned
tenant and outcome, and one callback ticket per callback call; the daemon logged no error;
its resident memory did not grow by 10 % or more from the first to the last quarter of the
traffic. Prints the figures; exit status 0 on pass, 1 on fail. The CI runs 500 calls
(`tests/system/test_soak_ci.py`). Run it under `flock /tmp/pbxb-heavy.lock` (`make soak`).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tests.system import soak_bed as bed_
from tests.system import soak_measure as measure
from tests.system import soak_records as records_
from tests.system.soak_ami import Seen
from tests.system.soak_bed import Bed, Planned
from tests.system.soak_measure import RssGrowth
from tests.system.soak_records import RecordCheck
from tests.testbed import provenance, sipp, tracking
from tests.testbed.asterisk import provision

RSS_GROWTH_LIMIT = 0.10
DRAIN_S = 25.0  # after the last call is placed: the longest call (~12 s) and the writer


@dataclass
class SoakRun:
    """What one soak measured; `failures` names every pass condition it missed."""

    calls: int
    rate: float
    planned: list[Planned]
    callers: sipp.SippResult
    traffic_s: float  # from the first call placed until the last ended
    seen: dict[str, Seen | None]  # Asterisk's view of each call, by calling number
    wrapups_dialled: int
    wrapup_failures: list[str]  # SIPp runs of the agents' *81 that failed, and calls missed
    check: RecordCheck
    tickets: int
    drain_s: float  # after the traffic, until the last record was written
    errors: list[dict[str, Any]]  # the daemon's error lines
    warnings: Counter[str]  # the daemon's warning events
    rss: RssGrowth | None  # None: too few samples
    rss_max_kb: int
    daemon_cpu_s: float
    machine_cpu: str
    ami_events: int
    scrape: tracking.Scrape

    @property
    def decided(self) -> Counter[str]:
        return Counter(
            (s.decided_by or "nobody") if s else "never reached Asterisk"
            for s in self.seen.values()
        )

    @property
    def unheard(self) -> list[str]:
        return bed_.wrong_first_prompt(self.planned, self.seen)

    @property
    def callbacks(self) -> int:
        return sum(1 for p in self.planned if p.kind.outcome == "callback")

    @property
    def failures(self) -> list[str]:
        out: list[str] = []
        c = self.callers
        if not c.ok or c.failed or c.successful != self.calls:
            out.append(f"SIPp callers: exit {c.returncode}, {c.successful} ok, {c.failed} failed")
        if self.wrapup_failures:
            out.append(f"wrap-up dials: {self.wrapup_failures[:5]}")
        if set(self.decided) != {"daemon"}:
            out.append(f"calls not decided by the daemon: {dict(self.decided)}")
        if unheard := self.unheard:
            out.append(f"{len(unheard)} callers missed their greeting: {unheard[:3]}")
        if not self.check.ok:
            check = self.check
            out.append(
                f"records: {len(check.missing)} missing, {len(check.duplicated)} duplicated, "
                f"{len(check.unexpected)} unexpected, {len(check.wrong)} wrong outcome"
            )
        if self.tickets != self.callbacks:
            out.append(f"{self.tickets} callback tickets for {self.callbacks} callback calls")
        if self.errors:
            out.append(f"{len(self.errors)} daemon error lines, first: {self.errors[0]}")
        if self.rss is None:
            out.append("too few RSS samples to compare the first and last quarter")
        elif self.rss.growth >= RSS_GROWTH_LIMIT:
            out.append(f"RSS grew {self.rss.growth:.1%} (limit {RSS_GROWTH_LIMIT:.0%})")
        return out

    @property
    def passed(self) -> bool:
        return not self.failures

    def report(self) -> str:
        line, c = measure.line, self.callers
        verdict = "PASS" if self.passed else "FAIL"
        out = [
            f"soak: {self.calls} calls at {self.rate:g}/s: {verdict}",
            line(
                "calls placed / completed / failed", f"{self.calls} / {c.successful} / {c.failed}"
            ),
            line("traffic", measure.arrival_rate(self.seen.values(), self.traffic_s)),
            line("wrap-up codes dialled (*81)", self.wrapups_dialled),
            line("decided by (Asterisk's view)", dict(self.decided)),
            line("callers without their greeting", len(self.unheard)),
            line(
                "AGI step, Asterisk's side",
                measure.fmt_ms(measure.daemon_steps_ms(self.seen.values())),
            ),
        ]
        bound, observed = measure.histogram_quantile(
            self.scrape, "pbxb_routing_decision_seconds", 0.99
        )
        out += [
            line("decision p99 (daemon histogram)", f"<= {bound * 1000:g} ms (n={observed})"),
            line("AMI events", f"{self.ami_events} ({self.drain_s:.1f} s to drain)"),
            line("records stored / expected", f"{self.check.stored} / {self.calls}"),
            *records_.counts_table(self.check),
            *[f"    {problem}" for problem in self.check.problems()],
            line("callback tickets / callback calls", f"{self.tickets} / {self.callbacks}"),
            line("daemon log errors / warnings", f"{len(self.errors)} / {dict(self.warnings)}"),
        ]
        if self.rss is not None:
            rss = self.rss
            out.append(
                line(
                    "daemon RSS first / last quarter",
                    f"{rss.first_kb / 1024:.1f} MiB / {rss.last_kb / 1024:.1f} MiB "
                    f"({rss.growth:+.1%}, {rss.samples} samples, "
                    f"max {self.rss_max_kb / 1024:.1f} MiB)",
                )
            )
        per_call = self.daemon_cpu_s / self.calls * 1000
        out += [
            line("daemon CPU", f"{self.daemon_cpu_s:.1f} s ({per_call:.1f} ms per call)"),
            line("CPU during the run", self.machine_cpu),
            *[f"  FAILED: {failure}" for failure in self.failures],
        ]
        return "\n".join(out)


def run_soak(bed: Bed, run_dir: Path, calls: int, rate: float) -> SoakRun:
    """One soak on a started bed, with its own daemon and database in `run_dir`."""
    bridge = bed.configure()
    tracked = tracking.enable(bed.pbx, bridge, run_dir)
    service = tracking.start_service(bed.pbx, tracked, run_dir / "daemon.log")
    planned = bed_.plan(calls)
    dialer = bed_.WrapupDialer(bed, planned)
    sampler = measure.RssSampler(service.pid)
    cpu_before = measure.cpu_seconds(service.pid)
    asterisk = bed.pbx.asterisk.process
    meter = measure.CpuMeter(asterisk.pid if asterisk else None, service.pid)
    events_before = bed.watch.events
    try:
        traffic = bed_.place(bed, planned, rate)
        callers = traffic.wait(calls / rate + 120)
        traffic_s = time.monotonic() - traffic.started
        wrapup_failures = dialer.finish()
        _, drain_s = records_.wait_for_count(
            lambda: records_.count_rows(tracked.database, "calls"), calls, DRAIN_S
        )
        daemon_cpu_s = measure.cpu_seconds(service.pid) - cpu_before
        machine_cpu = meter.summary()
        scrape = tracked.scrape()
    finally:
        sampler.stop()
        service.stop()
    rss = sampler.between(traffic.started, traffic.started + traffic_s)
    errors, warnings = measure.log_levels(service.log)
    return SoakRun(
        calls=calls,
        rate=rate,
        planned=planned,
        callers=callers,
        traffic_s=traffic_s,
        seen=bed.watch.snapshot([p.caller for p in planned]),
        wrapups_dialled=len(dialer.dialled),
        wrapup_failures=wrapup_failures + [f"answered by no agent: {c}" for c in dialer.missed],
        check=records_.check_records(planned, records_.records(tracked.database)),
        tickets=records_.count_rows(tracked.database, "tickets"),
        drain_s=drain_s,
        errors=errors,
        warnings=warnings,
        rss=measure.rss_growth(rss) if len(rss) >= 4 else None,
        rss_max_kb=max(rss, default=0),
        daemon_cpu_s=daemon_cpu_s,
        machine_cpu=machine_cpu,
        ami_events=bed.watch.events - events_before,
        scrape=scrape,
    )


def header() -> str:
    """When, on what code, machine and Asterisk the figures below were measured."""
    return "\n".join(
        [
            f"date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC",
            f"code: commit {provenance.code_version()}",
            f"machine: {provenance.machine()}",
            f"Asterisk: {provenance.asterisk_version()}",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.system.soak", description=__doc__)
    parser.add_argument("--calls", type=int, default=5000, help="calls to place (5000)")
    parser.add_argument("--rate", type=float, default=20.0, help="calls per second (20)")
    parser.add_argument("--keep", action="store_true", help="keep the run folder")
    args = parser.parse_args(argv)
    print(header(), flush=True)
    testbed = provision()
    run_dir = Path(tempfile.mkdtemp(prefix="pbxb-soak-"))
    print(f"run folder: {run_dir}", file=sys.stderr)
    started = time.monotonic()
    bed = Bed.start(testbed, run_dir / "bed")
    try:
        result = run_soak(bed, run_dir / "daemon", args.calls, args.rate)
    finally:
        bed.stop()
    print(result.report())
    print(measure.line("wall time", f"{time.monotonic() - started:.0f} s"))
    if result.passed and not args.keep:
        shutil.rmtree(run_dir, ignore_errors=True)
    else:
        print(f"logs kept in {run_dir}", file=sys.stderr)
    return 0 if result.passed else 1


if __name__ == "__main__":
    sys.exit(main())
