"""A reload under SIPp traffic, with a hostile or a large configuration: do calls fail, are
decisions delayed?

Real Asterisk and SIPp callers (tests/testbed), the real daemon process. For each scenario a
SIPp batch calls through Asterisk while a probe takes FastAGI decisions from the daemon every
20 ms; two seconds in, the scenario's tenant file is put in place and the daemon gets SIGHUP.
Printed per scenario: the reload's outcome and duration, the decision latency the probe
measured around the reload (from 250 ms before the SIGHUP to 250 ms after the daemon's
answer) and during the rest of the run (p50/p99/max, from sending the AGI headers to
receiving PBXB_ACTION), the daemon's peak memory, and the calls that failed or were not
decided by the daemon (read from Asterisk's own events).

    flock /tmp/pbxb-heavy.lock .venv/bin/python -m benchmarks.reload_under_load
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.testbed import center
from tests.testbed.asterisk import provision
from tests.testbed.callcenter import CallCenter
from tests.testbed.daemon import Daemon
from tests.testbed.sipp import Call
from tests.unit.config.tree import BILLION_LAUGHS

LIMIT_MS = 50.0  # no decision may wait longer than this while a reload runs
PROBE_EVERY_S = 0.02
AROUND_S = 0.25  # "around the reload": from this long before the SIGHUP to after the answer


def numbers_tenant(tenant_id: str, numbers: int) -> str:
    """A valid tenant claiming `numbers` fictional numbers (0999…: no German number)."""
    lines = [
        f"id: {tenant_id}",
        f"name: Grosstest {tenant_id}",
        "greeting: servicecenter",
        'greeting_text: "Guten Tag."',
        "holidays: NI",
        "numbers:",
        *(
            f'  - {{number: "0999 {i:08d}", department: "Abteilung {i % 97}"}}'
            for i in range(numbers)
        ),
        "hours:",
        '  mon-sun: "00:00-24:00"',
    ]
    return "\n".join(lines) + "\n"


def fifty_megabytes() -> str:
    """A well-formed tenant file of about 50 MB, as in the review that found the stall."""
    return numbers_tenant("grosstest", 50_000_000 // 62)


@dataclass(frozen=True)
class Scenario:
    name: str
    text: Callable[[], str]
    accepted: bool  # the reload is meant to be accepted


SCENARIOS = (
    Scenario("50 MB tenant file", fifty_megabytes, accepted=False),
    Scenario("alias bomb (9^9)", lambda: BILLION_LAUGHS, accepted=False),
    Scenario("largest accepted file (~480 KiB)", lambda: numbers_tenant("gross", 7600), True),
    Scenario("the unchanged configuration", lambda: "", accepted=True),
)

_HEADERS = (
    "".join(
        f"{key}: {value}\n"
        for key, value in {
            "agi_network": "yes",
            "agi_network_script": "route",
            "agi_request": "agi://127.0.0.1/route",
            "agi_channel": "PJSIP/probe-00000001",
            "agi_uniqueid": "1700000000.1",
            "agi_callerid": "0999000001",
            "agi_extension": center.GIFHORN_CENTRAL,
            "agi_arg_1": "",
        }.items()
    ).encode()
    + b"\n"
)


def decide_once(port: int) -> float:
    """Seconds from sending the AGI headers to receiving the PBXB_ACTION assignment."""
    started = time.perf_counter()
    decided: float | None = None
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(_HEADERS)
        with sock.makefile("rb") as lines:
            for raw in lines:
                command = raw.decode(errors="replace")
                if "PBXB_ACTION" in command and decided is None:
                    decided = time.perf_counter()
                sock.sendall(b"200 result=0\n" if command.startswith("EXEC") else b"200 result=1\n")
    if decided is None:
        raise RuntimeError("the daemon closed the session without a decision")
    return decided - started


@dataclass
class Probe:
    port: int
    samples: list[tuple[float, float]] = field(default_factory=list)  # (started, latency)
    errors: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                self.samples.append((started, decide_once(self.port)))
            except (OSError, RuntimeError):
                self.errors += 1
            self._stop.wait(max(0.0, PROBE_EVERY_S - (time.monotonic() - started)))

    def during(self, first: float, last: float) -> list[float]:
        """Latencies (ms) of the decisions that were under way between `first` and `last`."""
        return [
            latency * 1000
            for started, latency in self.samples
            if started <= last and started + latency >= first
        ]

    def outside(self, first: float, last: float) -> list[float]:
        return [
            latency * 1000
            for started, latency in self.samples
            if started > last or started + latency < first
        ]


@dataclass(frozen=True)
class Outcome:
    scenario: str
    reload_event: str
    reload_s: float
    decisions: list[float]  # ms, around the reload
    baseline: list[float]  # ms, the rest of the scenario
    probe_errors: int
    peak_rss_mb: float
    calls: int
    failed_calls: int
    not_by_daemon: int

    def line(self) -> str:
        return (
            f"{self.scenario}: {self.reload_event} after {self.reload_s:.2f} s\n"
            f"  around the reload {_figures(self.decisions)}\n"
            f"  rest of the run   {_figures(self.baseline)}\n"
            f"  probe errors {self.probe_errors}, daemon peak RSS {self.peak_rss_mb:.1f} MB, "
            f"SIPp calls {self.calls}: failed {self.failed_calls}, not decided by the daemon "
            f"{self.not_by_daemon}"
        )

    @property
    def passed(self) -> bool:
        worst = max(self.decisions, default=0.0)
        return (
            bool(self.decisions)
            and worst <= LIMIT_MS
            and self.failed_calls == 0
            and self.not_by_daemon == 0
            and self.probe_errors == 0
        )


def _figures(latencies: list[float]) -> str:
    lat = sorted(latencies)
    if not lat:
        return "no decision measured"
    p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
    return (
        f"{len(lat):4d} decisions: p50 {statistics.median(lat):5.1f} ms, p99 {p99:5.1f} ms, "
        f"max {lat[-1]:5.1f} ms"
    )


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


class ReloadAnswers:
    """The daemon's answers to SIGHUP, read from its log as it grows (only the new bytes:
    the probe shares this process and must not wait for whole-file reads)."""

    def __init__(self, log: Path) -> None:
        self._log = log
        self._offset = 0
        self._partial = b""
        self.seen: list[str] = []

    def poll(self) -> list[str]:
        with self._log.open("rb") as handle:
            handle.seek(self._offset)
            data = self._partial + handle.read()
        self._offset += len(data) - len(self._partial)
        *lines, self._partial = data.split(b"\n")
        for line in lines:
            for event in ("config_reload_rejected", "config_reloaded"):
                if f'"event": "{event}"'.encode() in line:
                    self.seen.append(event)
        return self.seen

    def next_answer(self, timeout: float) -> str:
        before = len(self.seen)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.poll()) > before:
                return self.seen[before]
            time.sleep(0.01)
        return "no answer"


def run_scenario(
    call_center: CallCenter,
    daemon: Daemon,
    answers: ReloadAnswers,
    scenario: Scenario,
    calls_per_scenario: int,
) -> Outcome:
    assert daemon.process is not None
    pid = daemon.process.pid
    tenant_file = call_center.config_dir / "tenants" / "zz-reload-under-load.yaml"
    text = scenario.text()
    calls = [Call(center.GIFHORN_CENTRAL) for _ in range(calls_per_scenario)]
    probe = Probe(call_center.daemon_port)
    probe.start()
    callers = call_center.place(calls, hold_ms=3000, rate=5)
    time.sleep(2.0)
    if text:
        partial = tenant_file.with_suffix(".partial")
        partial.write_text(text)
        os.replace(partial, tenant_file)
    answers.poll()
    sighup = time.monotonic()
    os.kill(pid, signal.SIGHUP)
    event = answers.next_answer(timeout=120)
    answered = time.monotonic()
    result = callers.wait(120)
    probe.stop()
    traces = call_center.traces(calls, timeout=60)
    not_by_daemon = sum(1 for t in traces if t.var("PBXB_DECIDED_BY") != "daemon")
    peak = _peak_rss_mb(pid)
    if text:
        tenant_file.unlink()
        os.kill(pid, signal.SIGHUP)  # back to the configuration without it, not measured
        answers.next_answer(timeout=120)
    return Outcome(
        scenario=scenario.name,
        reload_event=event,
        reload_s=answered - sighup,
        decisions=probe.during(sighup - AROUND_S, answered + AROUND_S),
        baseline=probe.outside(sighup - AROUND_S, answered + AROUND_S),
        probe_errors=probe.errors,
        peak_rss_mb=peak,
        calls=len(calls),
        failed_calls=result.failed if not result.ok else 0,
        not_by_daemon=not_by_daemon,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20, help="SIPp calls per scenario")
    args = parser.parse_args(argv)
    run_dir = Path(tempfile.mkdtemp(prefix="pbxb-reload-under-load-"))
    sound_names = [name for tenant in center.EXAMPLE_TENANTS for name in tenant.sounds]
    call_center = CallCenter.start(provision(), run_dir, sound_names)
    daemon: Daemon | None = None
    outcomes: list[Outcome] = []
    try:
        call_center.configure(center.EXAMPLE_TENANTS)
        daemon = call_center.daemon(run_dir / "daemon.log")
        daemon.start()
        answers = ReloadAnswers(daemon.log)
        for scenario in SCENARIOS:
            outcome = run_scenario(call_center, daemon, answers, scenario, args.calls)
            outcomes.append(outcome)
            print(outcome.line(), flush=True)
    finally:
        if daemon is not None:
            daemon.stop()
        call_center.stop()
    wrong = [
        o.scenario
        for o, s in zip(outcomes, SCENARIOS, strict=True)
        if not o.passed or (o.reload_event == "config_reloaded") != s.accepted
    ]
    print(f"limit {LIMIT_MS:.0f} ms per decision during a reload; run folder {run_dir}")
    print("PASS" if not wrong else f"FAIL: {', '.join(wrong)}")
    return 0 if not wrong else 1


if __name__ == "__main__":
    sys.exit(main())
