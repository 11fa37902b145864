"""A call center sized for load on the real Asterisk testbed and a realistic call mix.

The testbed's `CallCenter` gives each phone its own SIPp and records every AMI event: right for
a handful of calls. Here dozens of agents' endpoints share one SIPp UAS (Asterisk rings
`PJSIP/agent7` at the same SIPp port as `PJSIP/agent8`; `ringinuse = no` still gives each
endpoint one queue call at a time), a pool of REFER agents transfers to the clerk, and
`CallWatch` keeps one small summary per call. The result is still a `CallCenter`, so the
testbed's daemon and tracking helpers (`tracking.enable`, `start_service`) work unchanged.

The mix (`KINDS`) plans every call's expected record the way `tests/testbed/record_ami.py`
does, with one difference: "no agent free" is a queue without members (`soak-waiting`) rather
than pausing all agents, so the other calls keep being answered. Each call has its own calling
number whose digits differ before the last three (the call log stores the number shortened by
three digits), so every record is matched to the call that made it (`soak_records`).
"""

from __future__ import annotations

import dataclasses
import itertools
import random
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from tests.system.soak_ami import CallWatch, Seen
from tests.testbed import ami, center, ports, sipp, sounds
from tests.testbed.asterisk import Asterisk, AsteriskSettings, Testbed
from tests.testbed.callcenter import CLERK, TRANSFER_TARGET, CallCenter, testbed_globals
from tests.testbed.load_priority import lower_this_thread

WAITING_QUEUE = "soak-waiting"  # no members: callers wait until they hang up or time out
TRANSFER_QUEUE = "soak-transfer"  # members: the REFER agents
QUEUE_TIMEOUT_S = 5  # the smallest the configuration allows; overflow happens after it
AGENT_TALK_MS = 30000  # agents stay until the caller hangs up
REFER_AFTER_MS = 1000

GIFHORN = center.GIFHORN  # open: queue servicecenter (the agents)
ISENBUETTEL = dataclasses.replace(center.ISENBUETTEL, extra={"queue": TRANSFER_QUEUE})
WOLFSBURG = dataclasses.replace(center.WOLFSBURG, extra={"queue": WAITING_QUEUE})
MEINERSEN = dataclasses.replace(center.MEINERSEN, extra={"queue": WAITING_QUEUE})
WARDENBURG = center.WARDENBURG  # closed: announcement, hang-up
GESEKE = center.GESEKE  # closed: announcement, forward to the town's switchboard
TENANTS = (GIFHORN, ISENBUETTEL, WOLFSBURG, MEINERSEN, WARDENBURG, GESEKE)


@dataclass(frozen=True)
class Kind:
    """One kind of call: what the caller dials and does, and the record it must leave."""

    name: str
    dialled: str
    hold_ms: int  # from Asterisk's answer until the caller hangs up (if Asterisk did not)
    tenant: str | None
    outcome: str
    detail: str | None = None  # checked when set
    weight: int = 1  # share of the mix, out of sum(weights)
    wrapup: str | None = None  # feature code the answering agent dials during the call
    prompt: str = ""  # the first prompt the caller must hear (default: the tenant's greeting)

    @property
    def first_prompt(self) -> str:
        return f"pbx-bridge/{self.prompt or self.tenant or center.CENTER_GREETING}"


# Caller holds count from Asterisk's answer, before the 2 s greeting.
# fmt: off
KINDS: tuple[Kind, ...] = (
    # an agent answers, the caller hangs up after ~2 s of talk
    Kind("resolved", center.GIFHORN_CENTRAL, 4500, "gifhorn", "resolved", weight=14),
    # the REFER agent answers, after 1 s transfers by SIP REFER to the clerk, who answers
    Kind("transferred", center.ISENBUETTEL_CENTRAL, 7000, "isenbuettel", "transferred",
         TRANSFER_TARGET, weight=5),
    # answered; while talking, the agent dials *81 (callback wrap-up) from a second line
    Kind("callback", center.GIFHORN_KFZ, 7000, "gifhorn", "callback", weight=4, wrapup="*81"),
    # no agent free: the caller hangs up after ~3 s in the queue
    Kind("abandoned", center.WOLFSBURG_CENTRAL, 5000, "wolfsburg", "abandoned", weight=5),
    # no agent free: Queue() times out after 5 s, overflow announcement, Asterisk hangs up
    Kind("overflow", center.MEINERSEN_CENTRAL, 20000, "meinersen", "overflow", "timeout", 3),
    # closed: announcement, Asterisk hangs up
    Kind("closed", center.WARDENBURG_CENTRAL, 20000, "wardenburg", "closed", weight=3,
         prompt="wardenburg-closed"),
    # closed: announcement, forward to the town's switchboard, the caller hangs up
    Kind("closed_forward", center.GESEKE_CENTRAL, 5000, "geseke", "closed", weight=3,
         prompt="geseke-closed"),
    # a number no tenant claims: center greeting, an agent answers
    Kind("unrouted", center.UNKNOWN_NUMBER, 4500, None, "unrouted", weight=3),
)
# fmt: on


@dataclass(frozen=True)
class Planned:
    kind: Kind
    caller: str  # unique; unique also without its last three digits

    @property
    def key(self) -> str:
        return self.caller[:-3]


def plan(
    calls: int, kinds: Sequence[Kind] = KINDS, *, first: int = 0, seed: int = 6
) -> list[Planned]:
    """`calls` calls of the mix, interleaved (each window of sum(weights) calls has the mix);
    calling numbers count from `first` (runs on one testbed use separate ranges)."""
    pattern = [kind for kind in kinds for _ in range(kind.weight)]
    rng = random.Random(seed)
    planned: list[Planned] = []
    for index in range(calls):
        if index % len(pattern) == 0:
            rng.shuffle(pattern)
        # Fictional (no German number starts 0999) and distinct before the last three digits.
        caller = f"09998{first + index:06d}555"
        planned.append(Planned(pattern[index % len(pattern)], caller))
    return planned


# ---- the center ---------------------------------------------------------------------------


def queues_conf(agents: Sequence[str], refer_agents: Sequence[str], member_timeout: int) -> str:
    """The testbed's queue settings plus `autofill = yes`, as a busy center runs them: every
    waiting caller is offered to a free agent at once, not only the one at the head (Asterisk's
    default `no` serves one caller per ring cycle, which queues callers behind idle agents)."""
    settings = "\n".join(
        [
            "[servicecenter-settings](!)",
            "strategy = rrmemory",
            f"timeout = {member_timeout}",
            "retry = 1",
            "wrapuptime = 0",
            "ringinuse = no",
            "autofill = yes",
            "joinempty = yes",
            "leavewhenempty = no",
            "announce-frequency = 0",
            "periodic-announce-frequency = 0",
            "announce-holdtime = no",
            "announce-position = no",
            "reportholdtime = no",
        ]
    )
    queues = {
        center.CENTER_QUEUE: agents,
        WAITING_QUEUE: (),
        TRANSFER_QUEUE: refer_agents,
        "testbed-nobody": (),
    }
    sections = [
        f"[{name}](servicecenter-settings)\n" + "".join(f"member => PJSIP/{m}\n" for m in members)
        for name, members in queues.items()
    ]
    general = "[general]\npersistentmembers = no\nautofill = yes\nshared_lastcall = no\n"
    return "\n".join([general, settings, "", *sections])


@dataclass
class Bed:
    """Asterisk, shared SIPp phones, a `CallWatch`, as a `CallCenter` for the testbed helpers."""

    pbx: CallCenter
    watch: CallWatch
    agent_names: list[str]
    phones: list[sipp.Sipp]

    @classmethod
    def start(
        cls,
        testbed: Testbed,
        run_dir: Path,
        *,
        agents: int = 60,
        refer_agents: int = 12,
        member_timeout: int = 3,
    ) -> Bed:
        run_dir.mkdir(parents=True, exist_ok=True)
        names = [name for tenant in TENANTS for name in tenant.sounds]
        sounds_dir = sounds.prepare_sounds(run_dir / "sounds", names)
        config_dir = run_dir / "config"
        config_dir.mkdir(parents=True, exist_ok=True)
        daemon_port = ports.free_port()
        agent_phone = sipp.agent(run_dir, "agents", talk_ms=AGENT_TALK_MS)
        refer_phone = sipp.refer_agent(
            run_dir, "refer-agents", TRANSFER_TARGET, talk_ms=REFER_AFTER_MS
        )
        clerk = sipp.agent(run_dir, CLERK, talk_ms=AGENT_TALK_MS)
        switchboard = sipp.agent(run_dir, "switchboard", talk_ms=AGENT_TALK_MS)
        agent_names = [f"agent{i}" for i in range(1, agents + 1)]
        refer_names = [f"refer-agent{i}" for i in range(1, refer_agents + 1)]
        dialplan_globals = testbed_globals(daemon_port, config_dir)
        pbx = Asterisk(
            testbed,
            run_dir,
            AsteriskSettings(
                sounds_dir=sounds_dir,
                agent_ports={name: agent_phone.port for name in agent_names},
                switchboard_port=switchboard.port,
                globals=dialplan_globals,
                member_timeout=member_timeout,
                extra_queues=(WAITING_QUEUE,),
                phones={**{name: refer_phone.port for name in refer_names}, CLERK: clerk.port},
                member_queues={TRANSFER_QUEUE: tuple(refer_names)},
                overrides={"queues.conf": queues_conf(agent_names, refer_names, member_timeout)},
            ),
        )
        # The CallCenter's recorder is never connected (it would keep every event).
        recorder = ami.AmiRecorder(
            "127.0.0.1", pbx.ami_port, pbx.ami_user, pbx.ami_secret, run_dir / "ami.log"
        )
        call_center = CallCenter(
            run_dir, sounds_dir, config_dir, daemon_port, pbx,
            {name: agent_phone for name in agent_names}, switchboard, refer_phone, clerk,
            recorder, dict(dialplan_globals),
        )  # fmt: skip
        watch = CallWatch("127.0.0.1", pbx.ami_port, pbx.ami_user, pbx.ami_secret)
        phones = [agent_phone, refer_phone, clerk, switchboard]
        bed = cls(call_center, watch, agent_names, phones)
        try:
            for phone in phones:
                phone.start()
            pbx.start()
            watch.connect()
        except BaseException:
            bed.stop()
            raise
        return bed

    @property
    def run_dir(self) -> Path:
        return self.pbx.run_dir

    def configure(self, tenants: Sequence[center.Tenant] = TENANTS) -> Path:
        return self.pbx.configure(tenants, queue_timeout=QUEUE_TIMEOUT_S)

    def stop(self) -> None:
        self.watch.close()
        self.pbx.asterisk.stop()
        for phone in self.phones:
            phone.stop()

    def log_files(self) -> list[tuple[str, Path]]:
        files = list(self.pbx.asterisk.log_files())
        for phone in self.phones:
            files += phone.log_files()
        return files


# ---- traffic ----------------------------------------------------------------------------------

_batches = itertools.count(1)
CALLER_SCENARIO = Path(__file__).resolve().parent / "soak_caller.xml"


@dataclass
class Traffic:
    """One SIPp placing the planned calls in order at a steady rate, each with its kind's hold."""

    planned: list[Planned]
    callers: sipp.Sipp
    started: float

    def running(self) -> bool:
        return self.callers.running()

    def wait(self, timeout: float) -> sipp.SippResult:
        return self.callers.wait(timeout)

    def stop(self) -> None:
        self.callers.stop()


def place(bed: Bed, planned: Sequence[Planned], rate: float, name: str = "") -> Traffic:
    """Start placing `planned` at `rate` calls per second."""
    name = name or f"callers{next(_batches)}"
    inject = bed.run_dir / f"{name}.calls.csv"
    with inject.open("w") as fh:
        fh.write("SEQUENTIAL\n")
        for item in planned:
            fh.write(f"{item.caller};{item.kind.dialled};X-PBXB-Test: soak;{item.kind.hold_ms}\n")
    uac = sipp.Sipp(
        name,
        bed.run_dir,
        [
            f"127.0.0.1:{bed.pbx.asterisk.sip_port}",
            "-sf", str(CALLER_SCENARIO),
            "-inf", str(inject),
            "-m", str(len(planned)),
            "-l", str(len(planned)),
            "-r", f"{rate:g}",
            "-timeout", f"{int(len(planned) / rate) + 120}s",
            "-timeout_error",
            "-max_recv_loops", "10000",
        ],
    )  # fmt: skip
    started = time.monotonic()
    uac.start()
    return Traffic(list(planned), uac, started)


class WrapupDialer:
    """Agents dial their wrap-up code while still talking to the caller (`CallWatch` tells
    who answered); dials are batched into one SIPp per `every` seconds."""

    def __init__(self, bed: Bed, planned: Iterable[Planned], every: float = 0.3) -> None:
        self.bed = bed
        self.codes = {p.caller: p.kind.wrapup for p in planned if p.kind.wrapup}
        self.every = every
        self.dialled: dict[str, str] = {}  # caller -> agent who dialled for it
        self.missed: list[str] = []  # answered by no known agent
        self._pending: list[tuple[str, str]] = []  # (agent, code)
        self._lock = threading.Lock()
        self._running: list[sipp.Sipp] = []
        self._finished: list[tuple[sipp.Sipp, sipp.SippResult]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="wrapup-dialer", daemon=True)
        bed.watch.on_agent_connect = self._connected
        self._thread.start()

    def _connected(self, seen: Seen) -> None:  # in the watch's reader thread: quick
        code = self.codes.get(seen.caller)
        if code is None:
            return
        agent = (seen.answered_by or "").partition("/")[2]
        with self._lock:
            if agent:
                self.dialled[seen.caller] = agent
                self._pending.append((agent, code))
            else:
                self.missed.append(seen.caller)

    def _loop(self) -> None:
        lower_this_thread()
        while not self._stop.is_set():
            self._stop.wait(self.every)
            self._dial()
            self._reap()

    def _dial(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, []
        if not pending:
            return
        calls = [sipp.Call(code, caller=agent) for agent, code in pending]
        dialler = sipp.callers(
            self.bed.run_dir, f"wrapup{next(_batches)}", self.bed.pbx.asterisk.sip_port,
            calls, hold_ms=10000, rate=100, timeout_s=60,
        )  # fmt: skip
        dialler.start()
        self._running.append(dialler)

    def _reap(self) -> None:
        for dialler in list(self._running):
            if dialler.process is not None and dialler.process.poll() is not None:
                self._running.remove(dialler)
                self._finished.append((dialler, dialler.result(dialler.process.returncode)))

    def finish(self, timeout: float = 30) -> list[str]:
        """Stop after the last dial; the failures (SIPp names and counts), if any."""
        self._stop.set()
        self._thread.join(5)
        self._dial()
        deadline = time.monotonic() + timeout
        for dialler in self._running:
            assert dialler.process is not None
            code = dialler.process.wait(max(1.0, deadline - time.monotonic()))
            self._finished.append((dialler, dialler.result(code)))
        self._running.clear()
        self.bed.watch.on_agent_connect = None
        return [
            f"{d.name}: exit {r.returncode}, {r.failed} failed ({d.error_log})"
            for d, r in self._finished
            if not r.ok
        ]


def wrong_first_prompt(planned: Iterable[Planned], seen: dict[str, Seen | None]) -> list[str]:
    """Callers who did not hear their greeting (or closed announcement) first, described."""
    wrong: list[str] = []
    for item in planned:
        s = seen.get(item.caller)
        heard = s.heard[:1] if s is not None else ["(never reached Asterisk)"]
        if heard != [item.kind.first_prompt]:
            # What the watch saw of the call, so a miss can be told from a lost AMI event.
            saw = "" if s is None else f" (playbacks {s.playbacks}, {s.variables})"
            wrong.append(f"{item.caller} {item.kind.name}: heard {heard}{saw}")
    return wrong
