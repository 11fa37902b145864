"""The benchmarks' call center: a real Asterisk 22 (the testbed's) with four ways into the same
tenant schedule, the daemon, an AMI watcher that keeps only the timing events
(`benchmarks/ami_timing.py`), SIPp callers.

Four PJSIP endpoints, picked by the SIPp caller's From user, are the four setups:

    bench-fastagi   shipped dialplan, the daemon over FastAGI (the global PBXB_AGI_URL)
    bench-untracked shipped dialplan, a second daemon that does not track calls over AMI (to
                    show what tracking on the same event loop costs the routing)
    bench-fallback  shipped dialplan, PBXB_AGI_URL on the channel points at a closed port, so
                    every call is decided by the pyst2 process AGI (the failsafe path)
    bench-floor     benchmarks/dialplan_floor.conf: the same schedule as GotoIfTime, no AGI

All answer after the decision, play a 0.4 s greeting (closed: a 0.4 s announcement and
hang up) and queue the caller, who hangs up after `hold_ms`. Between Answer() and the greeting
Asterisk waits for the caller's first voice frame (SIPp sends 0.2 s of PCMU once answered,
paced in 20 ms packets).
"""

from __future__ import annotations

import contextlib
import itertools
import os
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from benchmarks.ami_timing import AmiWatch, CallTiming
from tests.testbed import center, ports, sipp, sounds, tracking
from tests.testbed.asterisk import DIALPLAN, Asterisk, AsteriskSettings, Testbed
from tests.testbed.daemon import FALLBACK_AGI, Daemon
from tests.testbed.processes import cpu_seconds

HERE = Path(__file__).resolve().parent
FLOOR_DIALPLAN = HERE / "dialplan_floor.conf"
CALLER_SCENARIO = HERE / "sipp_caller.xml"


HERE = Path(__file__).resolve().parent
FLOOR_DIALPLAN = HERE / "dialplan_floor.conf"
CALLER_SCENARIO = HERE / "sipp_caller.xml"

BENCH_NUMBER = "053710999100"  # dialled form of the benchmark tenant's number (fictional)
BENCH_HOURS = {"mon-thu": "07:00-18:00", "fri": "07:00-14:00"}  # as in dialplan_floor.conf
BENCH = center.Tenant(
    "bench",
    "Benchmark-Gemeinde",
    [("05371 0999-100", "Zentrale")],
    extra={"hours": BENCH_HOURS},
)
TENANTS = (BENCH, *center.EXAMPLE_TENANTS)  # the fallback loads them all, as in production

# The daemon's own AMI user (tests/testbed/templates/manager.conf): Asterisk sends it only the
# events the call tracker reads (manager.conf eventfilter), as the shipped example does.
DAEMON_AMI_USER = "pbx-bridge"

SETUPS = ("floor", "fastagi", "untracked", "fallback")
SETUP_NAMES = {
    "floor": "(c) pure dialplan",
    "fastagi": "(a) pbx-bridge FastAGI",
    "untracked": "(a') FastAGI, no AMI tracking",
    "fallback": "(b) process AGI (pyst2)",
}
DECIDED_BY = {
    "fastagi": "daemon",
    "untracked": "daemon",
    "fallback": "fallback",
    "floor": "dialplan",
}


# ---- SIPp callers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class StepResult:
    """What SIPp saw of one batch of calls."""

    placed: int
    successful: int
    failed: int
    answer_s: list[float]  # INVITE sent to 200 OK received, per successful call


def render_caller(run_dir: Path, name: str, setup: str, step: int, hold_ms: int) -> Path:
    """The caller scenario for one batch, with 0.2 s of PCMU as the caller's media."""
    media = run_dir / "caller-media.ul"
    if not media.exists():
        subprocess.run(
            [
                *("sox", "-n", "-r", "8000", "-c", "1", "-t", "ul", str(media)),
                *("synth", "0.2", "sine", "300", "vol", "0.1"),
            ],
            check=True,
            capture_output=True,
        )
    text = CALLER_SCENARIO.read_text()
    values = {"ENDPOINT": f"bench-{setup}", "DIALLED": BENCH_NUMBER, "STEP": f"{step:03d}"}
    values |= {"HOLD_MS": str(hold_ms), "RTP_FILE": str(media)}
    for key, value in values.items():
        text = text.replace(f"@{key}@", value)
    path = run_dir / f"{name}.xml"
    path.write_text(text)
    return path


def sipp_answer_times(run_dir: Path, scenario: Path) -> list[float]:
    """Response times (s) from SIPp's -trace_rtt file(s) of `scenario`."""
    times: list[float] = []
    for file in run_dir.glob(f"{scenario.stem}_*_rtt.csv"):
        for line in file.read_text().splitlines()[1:]:
            fields = line.split(";")
            with contextlib.suppress(IndexError, ValueError):
                times.append(float(fields[1]) / 1000)
    return times


# ---- the rig --------------------------------------------------------------------------------


@dataclass
class Rig:
    testbed: Testbed
    run_dir: Path
    asterisk: Asterisk
    config: Path
    daemon: Daemon
    metrics_port: int
    untracked: Daemon | None = None
    untracked_metrics_port: int = 0
    watch: AmiWatch | None = None
    _steps: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @classmethod
    def start(
        cls, testbed: Testbed, run_dir: Path, *, track: bool = True, untracked: bool = False
    ) -> Rig:
        """Asterisk with the setups, the daemon (tracking calls over AMI when `track`, into
        SQLite), with `untracked` a second daemon without AMI for bench-untracked, and the AMI
        watcher; stop() ends them all."""
        run_dir.mkdir(parents=True, exist_ok=True)
        names = [n for tenant in TENANTS for n in tenant.sounds]
        sounds_dir = sounds.prepare_sounds(run_dir / "sounds", names)
        config_dir = run_dir / "config"
        daemon_port = ports.free_port()
        unreachable = ports.free_port()  # nobody listens: the "daemon down" of bench-fallback
        untracked_port = ports.free_port()
        globals_ = {
            "PBXB_AGI_URL": f"agi://127.0.0.1:{daemon_port}/route",
            "PBXB_FALLBACK_AGI": str(FALLBACK_AGI),
            "PBXB_FALLBACK_CONFIG": str(config_dir / "bridge.yaml"),
            "PBXB_FORWARD_ENDPOINT": "switchboard",
        }
        settings = AsteriskSettings(
            sounds_dir=sounds_dir,
            agent_ports={},
            switchboard_port=ports.free_port(),
            globals=globals_,
            overrides={
                "extensions.conf": _extensions_conf(globals_),
                "pjsip_wizard.conf": _wizard_conf(unreachable, untracked_port),
            },
        )
        pbx = Asterisk(testbed, run_dir, settings)
        config = center.write_center(
            config_dir, TENANTS, agi_port=daemon_port, sounds_dir=sounds_dir, queue_timeout=300
        )
        metrics_port = _configure_daemon(config, pbx, run_dir, track=track)
        service = Daemon(config, daemon_port, run_dir / "daemon.log")
        self = cls(testbed, run_dir, pbx, config, service, metrics_port)
        if untracked:
            second = center.write_center(
                run_dir / "config-untracked", TENANTS, agi_port=untracked_port,
                sounds_dir=sounds_dir, queue_timeout=300,
            )  # fmt: skip
            self.untracked_metrics_port = _configure_daemon(
                second, pbx, run_dir / "untracked", track=False
            )
            log = run_dir / "daemon-untracked.log"
            self.untracked = Daemon(second, untracked_port, log)
        try:
            pbx.start()
            service.start()
            tracking.wait_for_log(service.log, "daemon_ready")
            if track:
                tracking.wait_for_log(service.log, "ami_resynced")
            if self.untracked is not None:
                self.untracked.start()
                tracking.wait_for_log(self.untracked.log, "daemon_ready")
            self.watch = AmiWatch("127.0.0.1", pbx.ami_port, pbx.ami_user, pbx.ami_secret)
        except BaseException:
            self.stop()
            raise
        return self

    @property
    def daemon_pid(self) -> int:
        assert self.daemon.process is not None, "daemon not running"
        return self.daemon.process.pid

    def scrape(self, untracked: bool = False) -> tracking.Scrape:
        """The metrics of the daemon (with `untracked`: of the second daemon)."""
        port = self.untracked_metrics_port if untracked else self.metrics_port
        return tracking.Scrape.parse(tracking.http_get(port, "/metrics"))

    def asterisk_cpu_seconds(self) -> float:
        assert self.asterisk.process is not None, "Asterisk not running"
        return cpu_seconds(self.asterisk.process.pid)

    def overload_warnings(self) -> int:
        """Asterisk's "taskprocessor queue reached … scheduled tasks" warnings so far (its event
        queues, e.g. AMI's, falling behind)."""
        log = self.asterisk.full_log
        if not log.exists():
            return 0
        return log.read_text(errors="replace").count("scheduled tasks (high water mark")

    def cpu_seconds(self, untracked: bool = False) -> float:
        """CPU time (user + system) the daemon has used so far."""
        service = self.untracked if untracked else self.daemon
        assert service is not None and service.process is not None, "daemon not running"
        return cpu_seconds(service.process.pid)

    def run_calls(
        self, setup: str, rate: float, count: int, *, hold_ms: int = 800, timeout: float = 120
    ) -> tuple[StepResult, list[CallTiming]]:
        """Place `count` calls at `rate` per second into `setup`; wait until SIPp is done and
        Asterisk has hung every call up; return SIPp's view and Asterisk's timing."""
        assert self.watch is not None
        step = next(self._steps)
        name = f"step{step:03d}-{setup}-{rate:g}cps"
        scenario = render_caller(self.run_dir, name, setup, step, hold_ms)
        args = [
            f"127.0.0.1:{self.asterisk.sip_port}",
            "-sf", str(scenario),
            "-m", str(count),
            "-r", f"{rate:g}",
            "-l", str(max(50, int(rate * 20))),
            "-recv_timeout", "30000",
            "-timeout", f"{int(timeout)}s",
            "-timeout_error",
            "-trace_rtt", "-rtt_freq", "1",
            "-max_recv_loops", "10000",
        ]  # fmt: skip
        caller = sipp.Sipp(name, self.run_dir, args)
        since = self.watch.mark()
        caller.start()
        # On a timeout SIPp is stopped; its statistics say how far it got.
        with contextlib.suppress(subprocess.TimeoutExpired):
            caller.wait(timeout + 10)
        successful, failed = caller.counts()
        failed = max(failed, count - successful)
        timing = self.watch.wait_hung_up(since, count, timeout=30)
        answers = sipp_answer_times(self.run_dir, scenario)
        return StepResult(count, successful, failed, answers), timing

    def stop(self) -> None:
        if self.watch is not None:
            self.watch.close()
            self.watch = None
        self.daemon.stop()
        if self.untracked is not None:
            self.untracked.stop()
        self.asterisk.stop()


def _extensions_conf(globals_: Mapping[str, str]) -> str:
    lines = [
        "; Written by benchmarks/bench_center.py.",
        "[general]",
        "static = yes",
        "writeprotect = yes",
    ]
    lines += ["clearglobalvars = yes", "", "[globals]"]
    lines += [f"{k} = {v}" for k, v in globals_.items()]
    lines += ["", f'#include "{DIALPLAN}"', f'#include "{FLOOR_DIALPLAN}"', ""]
    return "\n".join(lines)


def _wizard_conf(unreachable_port: int, untracked_port: int) -> str:
    return f"""; Written by benchmarks/bench_center.py: the setups, picked by the caller's From user
[bench-endpoint](!)
type = wizard
transport = transport-udp
accepts_registrations = no
sends_registrations = no
endpoint/disallow = all
endpoint/allow = ulaw,alaw
endpoint/direct_media = no
endpoint/send_connected_line = no
endpoint/trust_connected_line = no
endpoint/timers = no
endpoint/rtp_timeout = 0
endpoint/language = de
endpoint/trust_id_inbound = yes

[bench-fastagi](bench-endpoint)
endpoint/context = pbx-bridge-inbound

[bench-fallback](bench-endpoint)
endpoint/context = pbx-bridge-inbound
endpoint/set_var = PBXB_AGI_URL=agi://127.0.0.1:{unreachable_port}/route

[bench-untracked](bench-endpoint)
endpoint/context = pbx-bridge-inbound
endpoint/set_var = PBXB_AGI_URL=agi://127.0.0.1:{untracked_port}/route

[bench-floor](bench-endpoint)
endpoint/context = bench-floor
"""


def _configure_daemon(config: Path, pbx: Asterisk, run_dir: Path, *, track: bool) -> int:
    """Call tracking (AMI, SQLite) into bridge.yaml when `track`; returns the metrics port."""
    bridge: dict[str, Any] = yaml.safe_load(config.read_text())
    state_dir = run_dir / "state"
    state_dir.mkdir(parents=True, exist_ok=True)
    bridge["state_dir"] = str(state_dir)
    bridge["database"] = {"url": f"sqlite:///{state_dir / 'calls.sqlite3'}"}
    if track:
        secret_file = run_dir / "ami.secret"
        fd = os.open(secret_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(pbx.ami_secret + "\n")
        bridge["ami"] = {
            "host": "127.0.0.1",
            "port": pbx.ami_port,
            "username": DAEMON_AMI_USER,
            "secret_file": str(secret_file),
        }
    config.write_text(yaml.safe_dump(bridge, allow_unicode=True, sort_keys=False))
    return int(str(bridge["metrics"]["listen"]).rpartition(":")[2])
