"""The benchmarks' call center: a real Asterisk 22 (the testbed's) with three ways into the same
tenant schedule, the daemon, an AMI watcher that keeps only the timing events, SIPp callers.

Three PJSIP endpoints, picked by the SIPp caller's From user, are the three setups:

    bench-fastagi   shipped dialplan, the daemon over FastAGI (the global PBXB_AGI_URL)
    bench-untracked shipped dialplan, a second daemon that does not track calls over AMI (to
                    show what tracking on the same event loop costs the routing)
    bench-fallback  shipped dialplan, PBXB_AGI_URL on the channel points at a closed port, so
                    every call is decided by the pyst2 process AGI (the failsafe path)
    bench-floor     benchmarks/dialplan_floor.conf: the same schedule as GotoIfTime, no AGI

All three answer after the decision, play a 0.4 s greeting (closed: a 0.4 s announcement and
hang up) and queue the caller, who hangs up after `hold_ms`. Timing comes from Asterisk's own
AMI event timestamps (`timestampevents = yes`): Newchannel (the INVITE arrived), the first AGI
or GotoIfTime step, the VarSet that sets PBXB_ACTION (the decision), Answer(), the first
Playback. Between Answer() and the greeting Asterisk waits for the caller's first voice frame
(SIPp sends 0.2 s of PCMU once answered, paced in 20 ms packets).
"""

from __future__ import annotations

import contextlib
import itertools
import math
import os
import platform
import socket
import subprocess
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.testbed import center, ports, sipp, sounds, tracking
from tests.testbed.asterisk import DIALPLAN, Asterisk, AsteriskSettings, Testbed
from tests.testbed.daemon import FALLBACK_AGI, Daemon
from tests.testbed.load_priority import lower_this_thread

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


# ---- numbers -------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0..100) with linear interpolation; nan for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def ms(seconds: float) -> str:
    """Milliseconds for a table cell ('-' for nan)."""
    if math.isnan(seconds):
        return "-"
    value = seconds * 1000
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def histogram_quantile(q: float, buckets: Mapping[float, float]) -> float:
    """Prometheus' histogram_quantile over cumulative bucket counts {le: count}; nan if empty."""
    bounds = sorted(buckets)
    total = buckets[bounds[-1]] if bounds else 0
    if total <= 0:
        return math.nan
    rank = q * total
    previous_bound, previous_count = 0.0, 0.0
    for bound in bounds:
        count = buckets[bound]
        if count >= rank:
            if math.isinf(bound):
                return previous_bound
            inside = count - previous_count
            fraction = (rank - previous_count) / inside if inside else 0.0
            return previous_bound + (bound - previous_bound) * fraction
        previous_bound, previous_count = bound, count
    return previous_bound


def decision_buckets(scrape: tracking.Scrape) -> dict[float, float]:
    """Cumulative buckets of pbxb_routing_decision_seconds from one scrape."""
    out: dict[float, float] = {}
    for (name, labels), value in scrape.samples.items():
        if name == "pbxb_routing_decision_seconds_bucket":
            out[float(dict(labels)["le"])] = value
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU seconds all CPUs spent busy so far (/proc/stat: everything but idle and iowait)."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _processes() -> dict[int, tuple[int, float]]:
    """pid -> (parent pid, user + system CPU seconds) of every process now."""
    tick = os.sysconf("SC_CLK_TCK")
    found: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:  # gone meanwhile
            continue
        found[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    return found


class OtherLoad:
    """CPU used by processes outside this process's tree (another benchmark, a test run):
    whatever they take is missing from the figures measured meanwhile."""

    def __init__(self) -> None:
        self._before = self._others()

    @staticmethod
    def _others() -> dict[int, float]:
        processes = _processes()
        ours = {os.getpid()}
        changed = True
        while changed:
            changed = False
            for pid, (parent, _) in processes.items():
                if parent in ours and pid not in ours:
                    ours.add(pid)
                    changed = True
        return {pid: cpu for pid, (_, cpu) in processes.items() if pid not in ours}

    def seconds(self) -> float:
        """CPU seconds other processes used since this object was made (or last `restart`)."""
        now = self._others()
        return sum(cpu - self._before.get(pid, 0.0) for pid, cpu in now.items())

    def restart(self) -> None:
        self._before = self._others()


def wait_quiet(limit: float = 0.2, timeout: float = 120) -> float:
    """Wait (up to `timeout` s) until processes outside this one's tree use under `limit` of a
    core over 2 s; return that share as last measured."""
    deadline = time.monotonic() + timeout
    while True:
        other = OtherLoad()
        time.sleep(2)
        share = other.seconds() / 2
        if share < limit or time.monotonic() > deadline:
            return share


def wait_idle(pid: int, share: float = 0.05, window: float = 0.5, timeout: float = 20) -> float:
    """Wait until process `pid` uses under `share` of a core over `window` s; the seconds
    waited. A load's sessions end for the generator when it reads the server's FIN, which may
    come before the server has finished them (read the last reply, logged, closed): the next
    load must not start on top of that backlog."""
    began = time.perf_counter()
    while time.perf_counter() - began < timeout:
        before = cpu_seconds(pid)
        time.sleep(window)
        if cpu_seconds(pid) - before < share * window:
            break
    return time.perf_counter() - began - window


def rss_kib(pid: int) -> int:
    """VmRSS of a process in KiB (/proc/PID/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


def machine(load: bool = True) -> str:
    """One line: CPUs, CPU model, Python, kernel, and (with `load`) the load average, which
    tells whether something else was running on the machine."""
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    text = (
        f"{os.cpu_count()} CPUs ({model or 'unknown model'}), Python {platform.python_version()}, "
        f"Linux {platform.release()}"
    )
    if load:
        text += "; load average now " + ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return text


# ---- AMI: only the events the figures need -------------------------------------------------

# Advanced AMI filters (Asterisk 21+): everything else is never sent to this session.
_FILTERS = (
    ("name(Newchannel)", ""),
    ("name(Hangup)", ""),
    ("name(Newexten),header(Application),method(regex)", "^(AGI|GotoIfTime|Answer|Playback)$"),
    ("name(VarSet),header(Variable),method(regex)", "^(PBXB_ACTION|PBXB_DECIDED_BY)$"),
)


@dataclass
class CallTiming:
    """One inbound call as Asterisk timed it (seconds since the epoch, Asterisk's clock)."""

    uniqueid: str
    channel: str
    created: float
    decide_start: float | None = None  # first AGI (or GotoIfTime) step
    decided: float | None = None  # PBXB_ACTION set to a decision
    action: str = ""
    decided_by: str = ""
    answer: float | None = None  # the Answer() step (right after the decision, in all setups)
    greeting: float | None = None  # first Playback step
    hung_up: bool = False

    @property
    def setup(self) -> str:
        """'fastagi' from 'PJSIP/bench-fastagi-0000001a'."""
        endpoint = self.channel.partition("/")[2].rpartition("-")[0]
        return endpoint.removeprefix("bench-")

    @property
    def decision_s(self) -> float | None:
        if self.decide_start is None or self.decided is None:
            return None
        return self.decided - self.decide_start

    @property
    def to_answer_s(self) -> float | None:
        return None if self.answer is None else self.answer - self.created

    @property
    def to_greeting_s(self) -> float | None:
        return None if self.greeting is None else self.greeting - self.created


class AmiWatch:
    """Logs in to AMI, asks for only the timing events, keeps them as (index-able) tuples."""

    def __init__(
        self, host: str, port: int, user: str, secret: str, *, filtered: bool = True
    ) -> None:
        self._sock = socket.create_connection((host, port), timeout=10)
        self._lock = threading.Condition()
        self._events: list[dict[str, str]] = []
        self._responses: dict[str, dict[str, str]] = {}
        self._ids = itertools.count(1)
        self._closed = False
        banner = b""
        while not banner.endswith(b"\r\n"):
            chunk = self._sock.recv(1)
            if not chunk:
                raise ConnectionError("AMI closed before its banner")
            banner += chunk
        self._sock.settimeout(None)
        self._thread = threading.Thread(target=self._read, name="ami-watch", daemon=True)
        self._thread.start()
        reply = self.action("Login", {"Username": user, "Secret": secret, "Events": "on"})
        if reply.get("Response") != "Success":
            raise ConnectionError(f"AMI login failed: {reply}")
        for criteria, expression in _FILTERS if filtered else ():
            fields = {"Operation": "Add", "MatchCriteria": criteria}
            if expression:
                fields["Filter"] = expression
            reply = self.action("Filter", fields)
            if reply.get("Response") != "Success":
                raise ConnectionError(f"AMI filter {criteria} refused: {reply}")

    def action(self, name: str, fields: Mapping[str, str], timeout: float = 10) -> dict[str, str]:
        action_id = f"bench-{next(self._ids)}"
        lines = [f"Action: {name}", f"ActionID: {action_id}"]
        lines += [f"{k}: {v}" for k, v in fields.items()]
        self._sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        with self._lock:
            if not self._lock.wait_for(
                lambda: action_id in self._responses or self._closed, timeout
            ):
                raise TimeoutError(f"no AMI response to {name}")
            return self._responses.pop(action_id, {})

    def _read(self) -> None:
        lower_this_thread()
        buffer = b""
        while True:
            try:
                chunk = self._sock.recv(262144)
            except OSError:
                chunk = b""
            if not chunk:
                break
            buffer += chunk
            parts = buffer.split(b"\r\n\r\n")
            buffer = parts.pop()
            parsed = [_parse(raw) for raw in parts]
            with self._lock:
                for message in parsed:
                    if "Event" in message:
                        self._events.append(message)
                    elif "ActionID" in message:
                        self._responses[message["ActionID"]] = message
                self._lock.notify_all()
        with self._lock:
            self._closed = True
            self._lock.notify_all()

    def mark(self) -> int:
        """Index of the next event: calls placed after this are read with `calls(mark)`."""
        with self._lock:
            return len(self._events)

    def calls(self, since: int = 0) -> list[CallTiming]:
        """The benchmark's inbound calls whose channel was created after `since`."""
        with self._lock:
            events = self._events[since:]
        found: dict[str, CallTiming] = {}
        for event in events:
            kind, uid = event.get("Event"), event.get("Uniqueid", "")
            stamp = float(event.get("Timestamp", "nan"))
            if kind == "Newchannel":
                if event.get("Channel", "").startswith("PJSIP/bench-"):
                    found[uid] = CallTiming(uid, event["Channel"], stamp)
                continue
            call = found.get(uid)
            if call is None:
                continue
            if kind == "Newexten":
                app = event.get("Application")
                if app in ("AGI", "GotoIfTime") and call.decide_start is None:
                    call.decide_start = stamp
                elif app == "Answer" and call.answer is None:
                    call.answer = stamp
                elif app == "Playback" and call.greeting is None:
                    call.greeting = stamp
            elif kind == "VarSet":
                value = event.get("Value", "")
                if event.get("Variable") == "PBXB_DECIDED_BY":
                    call.decided_by = value
                elif value and call.decided is None:
                    call.decided, call.action = stamp, value
            elif kind == "Hangup":
                call.hung_up = True
        return list(found.values())

    def events_per_call(self, since: int = 0) -> dict[str, float]:
        """Mean number of AMI events per benchmark call by setup (events of its channel or
        its Linkedid, from `since` on); useful on an unfiltered session only."""
        with self._lock:
            events = self._events[since:]
        setup_of: dict[str, str] = {}
        counts: dict[str, int] = {}
        for event in events:
            if event.get("Event") == "Newchannel" and event.get("Channel", "").startswith(
                "PJSIP/bench-"
            ):
                call = CallTiming(event.get("Uniqueid", ""), event["Channel"], 0.0)
                setup_of[call.uniqueid] = call.setup
            key = event.get("Linkedid") or event.get("Uniqueid", "")
            if key in setup_of:
                counts[key] = counts.get(key, 0) + 1
        by_setup: dict[str, list[int]] = {}
        for key, count in counts.items():
            by_setup.setdefault(setup_of[key], []).append(count)
        return {setup: sum(c) / len(c) for setup, c in by_setup.items()}

    def wait_hung_up(self, since: int, count: int, timeout: float) -> list[CallTiming]:
        """Wait until `count` calls created after `since` have hung up (or the timeout)."""
        deadline = time.monotonic() + timeout
        while True:
            calls = self.calls(since)
            if sum(c.hung_up for c in calls) >= count or time.monotonic() > deadline:
                return calls
            time.sleep(0.25)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._sock.sendall(b"Action: Logoff\r\n\r\n")
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self._sock.close()
        self._thread.join(5)


def _parse(raw: bytes) -> dict[str, str]:
    message: dict[str, str] = {}
    for line in raw.decode("utf-8", "replace").split("\r\n"):
        key, sep, value = line.partition(":")
        if sep:
            message[key.strip()] = value.strip()
    return message


# ---- SIPp callers --------------------------------------------------------------------------


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


# ---- the rig -------------------------------------------------------------------------------


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
    lines = ["; Written by benchmarks/rig.py.", "[general]", "static = yes", "writeprotect = yes"]
    lines += ["clearglobalvars = yes", "", "[globals]"]
    lines += [f"{k} = {v}" for k, v in globals_.items()]
    lines += ["", f'#include "{DIALPLAN}"', f'#include "{FLOOR_DIALPLAN}"', ""]
    return "\n".join(lines)


def _wizard_conf(unreachable_port: int, untracked_port: int) -> str:
    return f"""; Written by benchmarks/rig.py: the three setups, picked by the caller's From user.
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
