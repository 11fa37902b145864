"""A reload under SIPp traffic, with a hostile or a large configuration: do calls fail, are
decisions delayed?

Real Asterisk and SIPp callers (tests/testbed), the real daemon process. For each scenario a
SIPp batch calls through Asterisk while a probe takes FastAGI decisions from the daemon every
20 ms; two seconds in, the scenario's tenant file is put in place and the daemon gets SIGHUP.
Printed per scenario: the reload's outcome and duration, the decision latency the probe
measured while the reload ran (p50/p99/max, from sending the AGI headers to receiving
PBXB_ACTION), the daemon's peak memory, and the calls that failed or were not decided by the
daemon (read from Asterisk's own events).

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

LIMIT_MS = 50.0  # no decision may wait longer than this while a reload runs
PROBE_EVERY_S = 0.02

BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


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
        """Latencies (ms) of the decisions asked for between `first` and `last`."""
        return [latency * 1000 for started, latency in self.samples if first <= started <= last]


@dataclass(frozen=True)
class Outcome:
    scenario: str
    reload_event: str
    reload_s: float
    decisions: list[float]
    probe_errors: int
    peak_rss_mb: float
    calls: int
    failed_calls: int
    not_by_daemon: int

    def line(self) -> str:
        lat = sorted(self.decisions)
        if lat:
            p50 = statistics.median(lat)
            p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
            figures = f"p50 {p50:5.1f} ms  p99 {p99:5.1f} ms  max {lat[-1]:5.1f} ms"
        else:
            figures = "no decision measured"
        return (
            f"{self.scenario:<34} {self.reload_event:<23} {self.reload_s:6.2f} s  "
            f"{len(lat):4d} decisions: {figures}  probe errors {self.probe_errors}  "
            f"peak RSS {self.peak_rss_mb:6.1f} MB  calls {self.calls}, failed "
            f"{self.failed_calls}, not decided by the daemon {self.not_by_daemon}"
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


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _reload_events(log: Path) -> list[str]:
    """The reload answers in the daemon's log so far, in order."""
    return [
        event
        for line in log.read_text(errors="replace").splitlines()
        for event in ("config_reload_rejected", "config_reloaded")
        if f'"event": "{event}"' in line
    ]


def _wait_for_reload(log: Path, before: int, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        events = _reload_events(log)
        if len(events) > before:
            return events[before]
        time.sleep(0.005)
    return "no answer"


def run_scenario(
    call_center: CallCenter, daemon: Daemon, scenario: Scenario, calls_per_scenario: int
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
    before = len(_reload_events(daemon.log))
    sighup = time.monotonic()
    os.kill(pid, signal.SIGHUP)
    event = _wait_for_reload(daemon.log, before, timeout=120)
    answered = time.monotonic()
    result = callers.wait(120)
    probe.stop()
    traces = call_center.traces(calls, timeout=60)
    not_by_daemon = sum(1 for t in traces if t.var("PBXB_DECIDED_BY") != "daemon")
    peak = _peak_rss_mb(pid)
    if text:
        tenant_file.unlink()
        before = len(_reload_events(daemon.log))
        os.kill(pid, signal.SIGHUP)  # back to the configuration without it, not measured
        _wait_for_reload(daemon.log, before, timeout=120)
    return Outcome(
        scenario=scenario.name,
        reload_event=event,
        reload_s=answered - sighup,
        decisions=probe.during(sighup, answered),
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
        for scenario in SCENARIOS:
            outcome = run_scenario(call_center, daemon, scenario, args.calls)
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
