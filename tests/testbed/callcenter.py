"""The whole testbed in one object: Asterisk with the shipped dialplan, SIPp agents and a
switchboard, an AMI recorder, and a place for the center's configuration and the daemon.

    pbx = CallCenter.start(provision(), Path(tempfile.mkdtemp(prefix="pbxb-")), ["gifhorn"])
    pbx.configure([GIFHORN])
    daemon = pbx.daemon(pbx.run_dir / "daemon.log")
    daemon.start()
    traces = pbx.run_calls([Call(GIFHORN_CENTRAL)])
    print(traces[0].describe())
    daemon.stop()
    pbx.stop()
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tests.testbed import ami, center, daemon, ports, sipp, sounds
from tests.testbed.asterisk import Asterisk, AsteriskSettings, Testbed
from tests.testbed.calls import CallTrace

NOBODY_QUEUE = "testbed-nobody"  # a queue without members: callers leave it by timeout
# A queue whose only agent blind-transfers every call by SIP REFER to the clerk (a SIPp UAS
# reached through the agents' context as "clerk-1").
TRANSFER_QUEUE = "testbed-transfer"
REFER_AGENT = "refer-agent"
CLERK = "clerk"
TRANSFER_TARGET = "clerk-1"


def testbed_globals(daemon_port: int, config_dir: Path) -> dict[str, str]:
    """The dialplan [globals] of a testbed: the daemon on `daemon_port`, the fallback AGI
    reading `config_dir`/bridge.yaml, closed-hours forwards to the switchboard phone."""
    return {
        "PBXB_AGI_URL": f"agi://127.0.0.1:{daemon_port}/route",
        "PBXB_FALLBACK_AGI": str(daemon.FALLBACK_AGI),
        "PBXB_FALLBACK_CONFIG": str(config_dir / "bridge.yaml"),
        "PBXB_FORWARD_ENDPOINT": "switchboard",
        "PBXB_FORWARD_TIMEOUT": "10",
    }


@dataclass
class CallCenter:
    run_dir: Path
    sounds_dir: Path
    config_dir: Path
    daemon_port: int
    asterisk: Asterisk
    agents: dict[str, sipp.Sipp]
    switchboard: sipp.Sipp
    refer_agent: sipp.Sipp  # the only member of TRANSFER_QUEUE
    clerk: sipp.Sipp  # answers the transfers
    ami: ami.AmiRecorder
    globals: dict[str, str]  # dialplan [globals] as rendered
    _changed_globals: set[str] = field(default_factory=set)

    @classmethod
    def start(
        cls,
        testbed: Testbed,
        run_dir: Path,
        sound_names: Iterable[str],
        *,
        agents: int = 4,
        talk_ms: int = 600,
        refer_after_ms: int = 1000,
        trace_agents: bool = False,
        queue_settings: Mapping[str, tuple[str, ...]] | None = None,
    ) -> CallCenter:
        """Start SIPp phones and Asterisk; the daemon is the caller's business (`daemon()`)."""
        sounds_dir = sounds.prepare_sounds(run_dir / "sounds", sound_names)
        config_dir = run_dir / "config"
        config_dir.mkdir(parents=True, exist_ok=True)
        daemon_port = ports.free_port()
        phones = {
            f"agent{i}": sipp.agent(run_dir, f"agent{i}", talk_ms=talk_ms, trace=trace_agents)
            for i in range(1, agents + 1)
        }
        switchboard = sipp.agent(run_dir, "switchboard", talk_ms=talk_ms)
        refer_agent = sipp.refer_agent(
            run_dir, REFER_AGENT, TRANSFER_TARGET, talk_ms=refer_after_ms
        )
        clerk = sipp.agent(run_dir, CLERK, talk_ms=talk_ms)
        dialplan_globals = testbed_globals(daemon_port, config_dir)
        pbx = Asterisk(
            testbed,
            run_dir,
            AsteriskSettings(
                sounds_dir=sounds_dir,
                agent_ports={name: phone.port for name, phone in phones.items()},
                switchboard_port=switchboard.port,
                globals=dialplan_globals,
                extra_queues=(NOBODY_QUEUE,),
                phones={REFER_AGENT: refer_agent.port, CLERK: clerk.port},
                member_queues={TRANSFER_QUEUE: (REFER_AGENT,)},
                queue_settings=queue_settings or {},
            ),
        )
        recorder = ami.AmiRecorder(
            "127.0.0.1", pbx.ami_port, pbx.ami_user, pbx.ami_secret, run_dir / "ami.log"
        )
        self = cls(
            run_dir, sounds_dir, config_dir, daemon_port, pbx, phones, switchboard, refer_agent,
            clerk, recorder, dict(dialplan_globals),
        )  # fmt: skip
        try:
            for phone in self._phones():
                phone.start()
            pbx.start()
            recorder.connect()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        self.ami.close()
        self.asterisk.stop()
        for phone in self._phones():
            phone.stop()

    def _phones(self) -> list[sipp.Sipp]:
        return [*self.agents.values(), self.switchboard, self.refer_agent, self.clerk]

    def log_files(self) -> list[tuple[str, Path]]:
        files = [*self.asterisk.log_files(), *self.ami.log_files()]
        for phone in self._phones():
            files += phone.log_files()
        return files

    # ---- configuration and daemon ------------------------------------------------------------

    def configure(self, tenants: Sequence[center.Tenant], *, queue_timeout: int = 20) -> Path:
        """Write the center's configuration (read by the daemon and the fallback AGI)."""
        return center.write_center(
            self.config_dir,
            tenants,
            agi_port=self.daemon_port,
            sounds_dir=self.sounds_dir,
            queue_timeout=queue_timeout,
        )

    def daemon(self, log: Path) -> daemon.Daemon:
        """A daemon (not started) on the port the dialplan calls, with the written config."""
        return daemon.Daemon(self.config_dir / "bridge.yaml", self.daemon_port, log)

    def set_global(self, name: str, value: str) -> None:
        """Change a dialplan global at runtime; `reset_globals` undoes it."""
        self._changed_globals.add(name)
        self.ami.set_global(name, value)

    def reset_globals(self) -> None:
        """Restore the rendered globals; others set at runtime become empty (= default)."""
        for name in sorted(self._changed_globals):
            self.ami.set_global(name, self.globals.get(name, ""))
        self._changed_globals.clear()

    # ---- calls ---------------------------------------------------------------------------------

    _batches = itertools.count(1)

    def place(
        self,
        calls: Sequence[sipp.Call],
        *,
        hold_ms: int = 20000,
        rate: float = 20,
        pressing_1: bool = False,
    ) -> sipp.Sipp:
        """Start a SIPp placing `calls` on the trunk; returns it running. Callers `pressing_1`
        press 1 (RFC 4733) about every second until Asterisk hangs up."""
        callers = sipp.callers(
            self.run_dir, f"callers{next(self._batches)}", self.asterisk.sip_port, calls,
            hold_ms=hold_ms, rate=rate,
            scenario_template="caller_keys.xml" if pressing_1 else "caller.xml",
        )  # fmt: skip
        callers.start()
        return callers

    def traces(self, calls: Sequence[sipp.Call], timeout: float = 30) -> list[CallTrace]:
        """Wait until every call has hung up (and its CDR is out) and return what happened."""

        def done(events: list[ami.Event]) -> list[CallTrace] | None:
            found = [CallTrace.find(events, call.caller) for call in calls]
            complete = [t for t in found if t is not None and t.hung_up and t.cdr_accountcodes]
            return complete if len(complete) == len(calls) else None

        return self.ami.wait_until(done, timeout, f"end of {len(calls)} call(s)")

    def run_calls(
        self,
        calls: Sequence[sipp.Call],
        *,
        hold_ms: int = 20000,
        rate: float = 20,
        timeout: float = 60,
    ) -> list[CallTrace]:
        """Place calls, wait for SIPp and Asterisk to finish them, return one trace per call.

        Fails when SIPp saw a failed call (unexpected SIP message, timeout).
        """
        callers = self.place(calls, hold_ms=hold_ms, rate=rate)
        result = callers.wait(timeout)
        assert result.ok, (
            f"SIPp {callers.name}: exit {result.returncode}, {result.successful} ok, "
            f"{result.failed} failed; errors in {callers.error_log}\n{result.screen[-3000:]}"
        )
        return self.traces(calls, timeout)

    def dial_feature_code(self, phone: str, code: str, *, timeout: float = 30) -> CallTrace:
        """`phone` (an agent's endpoint, e.g. "agent1") dials `code` (e.g. "*81"); returns the
        trace of that call once Asterisk has hung it up (after its beep)."""
        start = len(self.ami.snapshot())
        dialler = sipp.callers(
            self.run_dir, f"{phone}-dials{next(self._batches)}", self.asterisk.sip_port,
            [sipp.Call(code, caller=phone)], hold_ms=10000,
        )  # fmt: skip
        dialler.start()
        result = dialler.wait(timeout)
        assert result.ok, (
            f"SIPp {dialler.name}: exit {result.returncode}; errors in {dialler.error_log}\n"
            f"{result.screen[-3000:]}"
        )
        return self.ami.wait_until(
            lambda events: CallTrace.ended(events[start:], phone), timeout, f"{phone} {code}"
        )


class Daemons:
    """Starts `pbx-bridge run` with a written configuration; `stop_all` after the test."""

    def __init__(self, call_center: CallCenter, log: Path) -> None:
        self.call_center = call_center
        self.log = log
        self.running: list[daemon.Daemon] = []

    def start(self, tenants: Sequence[center.Tenant] = center.EXAMPLE_TENANTS) -> daemon.Daemon:
        self.call_center.configure(tenants)
        started = self.call_center.daemon(self.log)
        started.start()
        self.running.append(started)
        return started

    def stop_all(self) -> None:
        while self.running:
            self.running.pop().stop()

    def log_files(self) -> list[tuple[str, Path]]:
        return [(f"pbx-bridge daemon ({self.log})", self.log)]
