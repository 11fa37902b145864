"""What the fault scenarios share: their scale (full or CI), the result with its figures and
pass conditions, starting a daemon as systemd would, and the checks of callers and records."""

from __future__ import annotations

import dataclasses
import itertools
import resource
import shutil
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from tests.system import soak_bed as bed_
from tests.system import soak_measure as measure
from tests.system import soak_records as records_
from tests.system.soak_ami import Seen
from tests.system.soak_bed import Bed, Planned
from tests.testbed import center, ports, tracking
from tests.testbed.daemon import Daemon

RECONNECT_LIMIT_S = 5.0
SILENCE_DETECTION_LIMIT_S = 15.0
P99_LIMIT_MS = 20.0
# (1) From a call's start to its first prompt, at the most: the dialplan's own bounds (the
# daemon's AGI step 5 s, the fallback's 5 s, Answer 0.5 s). While the daemon is down the
# process AGI (a Python start per call, ~3 calls/s on this 2-core box, docs/benchmarks.md) may
# exceed its 5 s; the caller then gets the generic path: still a greeting, still an agent.
GREETING_LIMIT_MS = 11000.0
GENERIC_GREETING = f"pbx-bridge/{center.CENTER_GREETING}"
RATE_FLOOR = 2.0  # calls per second SIPp places at least (bounds the wait for the last one)


@dataclass(frozen=True)
class Scale:
    """How long and how much: the full script, or the CI's shorter runs."""

    name: str
    rate: float  # calls per second of the traffic during a fault
    traffic_s: float  # seconds of traffic of most scenarios
    daemon_down_s: float  # (1) from kill -9 to the restart (systemd: RestartSec=2s + start)
    asterisk_down_s: float  # (2) between stopping Asterisk and starting it again
    silent_traffic_s: float  # (3) traffic around the silent peer
    db_outage_s: float  # (4)
    hostile_phase_s: float  # (6) traffic without, then with the hostile peers
    idle_sockets: int = 1000
    # (6) whether the p99 limit is a pass condition. The full script judges it; the CI's short
    # run on a shared machine prints the figures only (speed targets are judged by the
    # benchmark scripts, not by timed tests), and still checks every functional condition.
    judge_latency: bool = True


# A 20 s Asterisk restart (a package upgrade); in CI 8 s, still long enough that the old
# 0.5 s -> 30 s backoff (attempts at 7.5 s, then 15.5 s) missed the 5 s limit.
FULL = Scale("full", rate=5, traffic_s=30, daemon_down_s=3, asterisk_down_s=20,
             silent_traffic_s=30, db_outage_s=60, hostile_phase_s=30)  # fmt: skip
CI = Scale("ci", rate=5, traffic_s=10, daemon_down_s=3, asterisk_down_s=8,
           silent_traffic_s=16, db_outage_s=10, hostile_phase_s=12,
           judge_latency=False)  # fmt: skip

# Calls that last longer than the daemon is down in (1): all of them span the outage or end
# after the restart. Holds count from Asterisk's answer, before the 2 s greeting.
_LONG_HOLDS = {
    "resolved": 9000,
    "transferred": 9000,
    "callback": 9000,
    "abandoned": 6000,  # ~4 s in the queue, before its 5 s timeout
    "closed_forward": 9000,
    "unrouted": 9000,
}
LONG_KINDS = tuple(
    dataclasses.replace(kind, hold_ms=_LONG_HOLDS[kind.name])
    for kind in bed_.KINDS
    if kind.name in _LONG_HOLDS
) + tuple(kind for kind in bed_.KINDS if kind.name == "overflow")  # ~9 s by itself

_caller_blocks = itertools.count(100_000, 10_000)


def first_caller() -> int:
    """The first calling number of a new range (every run on one testbed gets its own)."""
    return next(_caller_blocks)


@dataclass
class FaultResult:
    number: int
    title: str
    lines: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0
    checked: int = 0  # pass conditions evaluated (a scenario that checks nothing fails its test)

    @property
    def passed(self) -> bool:
        return not self.failures

    def figure(self, label: str, value: object) -> None:
        self.lines.append(measure.line(label, value))

    def require(self, ok: bool, failure: str) -> None:
        self.checked += 1
        if not ok:
            self.failures.append(failure)

    def merge(self, other: FaultResult, prefix: str) -> None:
        """Take over the figures and conditions of a part (e.g. one of two databases)."""
        self.lines += [line.replace("  ", f"  {prefix}: ", 1) for line in other.lines]
        self.failures += [f"{prefix}: {failure}" for failure in other.failures]
        self.checked += other.checked

    def report(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        out = [f"fault {self.number}: {self.title}: {verdict} ({self.seconds:.0f} s)", *self.lines]
        out += [f"  FAILED: {failure}" for failure in self.failures]
        return "\n".join(out)


# ---- shared steps -------------------------------------------------------------------------


SYSTEMD_NOFILE_SOFT = 1024  # systemd's default soft limit of open files for a service


def start_daemon(
    bed: Bed, run_dir: Path, settings: dict[str, Any] | None = None
) -> tracking.Service:
    """The daemon routing the testbed's calls, tracking into SQLite in `run_dir`; started
    with the open-files limit systemd gives a service (soft 1024), as in production."""
    bridge = bed.configure()
    tracked = tracking.enable(bed.pbx, bridge, run_dir, settings)
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(soft, SYSTEMD_NOFILE_SOFT), hard))
    try:  # the daemon inherits the limit; this process gets its own back at once
        return tracking.start_service(bed.pbx, tracked, run_dir / "daemon.log")
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def start_tracker(
    bed: Bed, run_dir: Path, settings: dict[str, Any]
) -> tuple[tracking.Service, tracking.Tracking]:
    """A second daemon beside the routing one: its own configuration file, FastAGI port
    (which Asterisk does not use), metrics port and state; it tracks the same calls."""
    config = bed.pbx.config_dir / f"bridge-{run_dir.name}.yaml"
    shutil.copyfile(bed.pbx.config_dir / "bridge.yaml", config)
    port = ports.free_port()
    settings = {**settings, "agi": {"listen": f"127.0.0.1:{port}"}}
    settings["metrics"] = {"listen": f"127.0.0.1:{ports.free_port()}"}
    tracked = tracking.enable(bed.pbx, config, run_dir, settings)
    started = Daemon(config, port, run_dir / "daemon.log")
    started.start()
    service = tracking.Service(started, tracked)
    try:
        tracking.wait_for_log(service.log, "ami_resynced")
    except BaseException:
        started.stop()
        raise
    return service, tracked


def log_time(line: dict[str, Any]) -> float:
    """A daemon log line's timestamp (ISO, UTC) as Unix time."""
    return datetime.fromisoformat(str(line["timestamp"]).replace("Z", "+00:00")).timestamp()


def check_callers(
    result: FaultResult,
    planned: Sequence[Planned],
    sipp_result: Any,
    seen: dict[str, Seen | None],
    *,
    decided_by: set[str] | None = None,
) -> None:
    """Every caller completed (SIPp) and heard the greeting first; who decided."""
    calls = len(planned)
    result.figure(
        "calls placed / completed / failed",
        f"{calls} / {sipp_result.successful} / {sipp_result.failed}",
    )
    result.require(
        sipp_result.ok and sipp_result.successful == calls,
        f"SIPp: exit {sipp_result.returncode}, {sipp_result.failed} failed",
    )
    # The dialplan's last resort (no answer from the daemon nor the fallback in time) plays
    # the center's greeting and queues the caller for any agent: a greeting all the same.
    generic = [p for p in planned if (s := seen.get(p.caller)) and s.decided_by == "generic"]
    unheard = bed_.wrong_first_prompt([p for p in planned if p not in generic], seen)
    unheard += [
        f"{p.caller} {p.kind.name} (generic path): heard {seen_heard[:1]}"
        for p in generic
        if (seen_heard := _heard(seen, p)) and seen_heard[:1] != [GENERIC_GREETING]
    ]
    result.figure("callers without their greeting", len(unheard))
    result.require(not unheard, f"callers missed their greeting: {unheard[:3]}")
    causes = Counter(s.hangup_cause for s in seen.values() if s is not None)
    result.figure("callers' hangup causes (Asterisk)", dict(causes))
    decided = Counter(s.decided_by if s else "never reached Asterisk" for s in seen.values())
    result.figure("decided by (Asterisk's view)", dict(decided))
    if decided_by is not None:
        result.require(set(decided) <= decided_by, f"decided by {dict(decided)}")


def _heard(seen: dict[str, Seen | None], item: Planned) -> list[str]:
    s = seen.get(item.caller)
    return s.heard if s is not None else ["(never reached Asterisk)"]


def check_exactly_one(
    result: FaultResult,
    planned: Sequence[Planned],
    rows: Sequence[dict[str, Any]],
    *,
    outcomes_of: Callable[[Planned], bool] = lambda _p: True,
) -> records_.RecordCheck:
    """Exactly one record per planned call; the planned outcome for those `outcomes_of`
    selects (the others are reported)."""
    presence = records_.check_records(planned, rows, outcomes=False)
    result.figure("records stored / calls", f"{len(rows)} / {len(planned)}")
    result.require(
        not (presence.missing or presence.duplicated or presence.unexpected),
        f"records: {len(presence.missing)} missing, {len(presence.duplicated)} duplicated, "
        f"{len(presence.unexpected)} unexpected",
    )
    result.lines += [f"    {p}" for p in presence.problems(5)]
    checked = [p for p in planned if outcomes_of(p)]
    outcome = records_.check_records(checked, [r for r in rows if key_in(r, checked)])
    result.figure("records with the planned outcome", f"{len(checked) - len(outcome.wrong)}"
                  f" / {len(checked)} checked")  # fmt: skip
    result.require(not outcome.wrong, f"{len(outcome.wrong)} records with a wrong outcome")
    result.lines += [f"    {w}" for w in outcome.wrong[:5]]
    return presence


def key_in(row: dict[str, Any], planned: Sequence[Planned]) -> bool:
    return records_.stored_key(row.get("caller")) in {p.key for p in planned}


def end_traffic(result: FaultResult, traffic: bed_.Traffic, dialer: bed_.WrapupDialer) -> Any:
    """Wait for the last caller (SIPp) and the agents' wrap-up dials; their failures fail."""
    sipp_result = traffic.wait(len(traffic.planned) / RATE_FLOOR + 90)
    failures = dialer.finish()
    result.require(not failures, f"agents' wrap-up dials failed: {failures[:3]}")
    return sipp_result


def wait_for_records(database: Path, expected: int, timeout: float = 30) -> None:
    """Until the call log holds `expected` records (and 2 s more, for a duplicate)."""
    records_.wait_for_count(lambda: records_.count_rows(database, "calls"), expected, timeout)


def errors_in(log: Path) -> list[str]:
    errors, _ = measure.log_levels(log)
    return [str(e.get("event")) for e in errors]


def rows_for(rows: Sequence[dict[str, Any]], planned: Sequence[Planned]) -> list[dict[str, Any]]:
    return [r for r in rows if key_in(r, planned)]
