"""Record Asterisk's complete AMI event stream of one call scenario per file.

    python -m tests.testbed.record_ami [--out tests/fixtures/ami] [--only resolved ...]

Starts the testbed (Asterisk 22, SIPp phones) and the real daemon with a small test center,
runs each scenario of `SCENARIOS` and writes every event Asterisk sent while it ran, in order,
to `<out>/<name>.jsonl` (one JSON object per event, header names and values exactly as sent),
then `<out>/README.md`: the Asterisk version, the center and, per file, every call with its
caller, dialled number, expected outcome and the Linkedid Asterisk gave it. Nothing is
filtered; holds are short to keep the files small. Takes about two minutes.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tests.testbed import ami, center, record_notes
from tests.testbed.asterisk import provision
from tests.testbed.callcenter import CLERK, TRANSFER_QUEUE, TRANSFER_TARGET, CallCenter
from tests.testbed.calls import CallTrace
from tests.testbed.daemon import Daemon
from tests.testbed.sipp import Call, Sipp

PROJECT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = PROJECT / "tests" / "fixtures" / "ami"

AGENTS = 3
AGENT_TALK_MS = 6000  # agents, the switchboard and the clerk hang up after this
REFER_AFTER_MS = 1000  # the REFER agent talks this long, then transfers
QUEUE_TIMEOUT = 8  # seconds in the queue before the overflow announcement
# Caller holds, counted from Asterisk's answer (before the 2 s greeting).
HANGS_UP_AFTER_TALK = 4500  # about 2 s with the agent, then the caller hangs up
WAITS = 20000  # longer than anything: Asterisk or the other side ends the call
HANGS_UP_WHILE_QUEUED = 5000  # about 3 s in the queue
HANGS_UP_IN_GREETING = 1200

GIFHORN = center.GIFHORN  # open 24/7: 05371 82-0 Zentrale, 05371 82-370 Kfz-Zulassung
MEINERSEN = center.MEINERSEN  # open 24/7: 05372 89-0
# Its queue's only agent transfers every call by REFER.
ISENBUETTEL = dataclasses.replace(center.ISENBUETTEL, extra={"queue": TRANSFER_QUEUE})
WARDENBURG = center.WARDENBURG  # closed: announcement, hang-up
GESEKE = center.GESEKE  # closed: announcement, forward to the town's switchboard
GESEKE_FORWARD = center.GESEKE_FORWARD
TENANTS = (GIFHORN, MEINERSEN, ISENBUETTEL, WARDENBURG, GESEKE)

GIFHORN_CENTRAL = center.GIFHORN_CENTRAL  # 05371820
GIFHORN_KFZ = center.GIFHORN_KFZ  # 0537182370
ISENBUETTEL_CENTRAL = center.ISENBUETTEL_CENTRAL
WARDENBURG_CENTRAL = center.WARDENBURG_CENTRAL
GESEKE_CENTRAL = center.GESEKE_CENTRAL
CENTER_INBOUND = "0536109990"  # fictional: the center's own inbound number, claimed by no tenant
UNKNOWN = center.UNKNOWN_NUMBER  # 09991234567, fictional


@dataclass(frozen=True)
class Planned:
    """One call of a scenario and what a call tracker should make of it."""

    call: Call
    hold_ms: int
    outcome: str  # the expected outcome (issue 4's list)
    story: str  # what happens, for the README


@dataclass
class Session:
    """The running testbed and daemon the scenarios use."""

    pbx: CallCenter
    daemon: Daemon
    _numbers: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def plan(
        self,
        dialled: str,
        hold_ms: int,
        outcome: str,
        story: str,
        *,
        diversion: str | None = None,
        withheld: bool = False,
    ) -> Planned:
        # Fictional and stable across recordings (German numbers never start 0999).
        caller = f"0999555{next(self._numbers):05d}"
        call = Call(dialled, diversion=diversion, withheld=withheld, caller=caller)
        return Planned(call, hold_ms, outcome, story)

    def place(self, planned: Sequence[Planned], stagger_s: float = 0.0) -> None:
        """Place every call (each its own SIPp, so holds differ) and wait until SIPp is done."""
        running: list[Sipp] = []
        for index, item in enumerate(planned):
            if index and stagger_s:
                time.sleep(stagger_s)
            running.append(self.pbx.place([item.call], hold_ms=item.hold_ms))
        for callers in running:
            result = callers.wait(90)
            if not result.ok:
                raise RuntimeError(
                    f"SIPp {callers.name} failed ({result.returncode}); see {callers.error_log}"
                )

    def trace(self, planned: Planned, start: int, timeout: float = 30) -> CallTrace:
        caller = planned.call.caller
        return self.pbx.ami.wait_until(
            lambda events: CallTrace.ended(events[start:], caller), timeout, f"end of {caller}"
        )

    def pause_agents(self, paused: bool) -> None:
        for name in self.pbx.agents:
            reply = self.pbx.ami.action(
                "QueuePause",
                Interface=f"PJSIP/{name}",
                Queue=center.CENTER_QUEUE,
                Paused="true" if paused else "false",
                Reason="testbed: no agent free",
            )
            if reply.get("Response") != "Success":
                raise RuntimeError(f"QueuePause {name}: {reply}")


# ---- scenarios --------------------------------------------------------------------------------


def resolved(s: Session) -> list[Planned]:
    calls = [
        s.plan(GIFHORN_CENTRAL, HANGS_UP_AFTER_TALK, "resolved",
               "Gifhorn greeting, queue, an agent answers; the caller hangs up after ~2 s"),
    ]  # fmt: skip
    s.place(calls)
    return calls


def agent_hangs_up(s: Session) -> list[Planned]:
    calls = [
        s.plan(GIFHORN_KFZ, WAITS, "resolved",
               f"Gifhorn Kfz-Zulassung; the agent hangs up after {AGENT_TALK_MS // 1000} s"),
    ]  # fmt: skip
    s.place(calls)
    return calls


def blind_transfer(s: Session) -> list[Planned]:
    calls = [
        s.plan(ISENBUETTEL_CENTRAL, 7000, f"transferred (target {TRANSFER_TARGET})",
               f"queue {TRANSFER_QUEUE}: the agent answers, after {REFER_AFTER_MS} ms sends "
               f"REFER to {TRANSFER_TARGET}; Asterisk dials PJSIP/{CLERK}, who answers; the "
               "caller hangs up ~3 s later"),
    ]  # fmt: skip
    s.place(calls)
    return calls


def callback_wrapup(s: Session) -> list[Planned]:
    start = len(s.pbx.ami.snapshot())
    calls = [
        s.plan(GIFHORN_CENTRAL, HANGS_UP_AFTER_TALK, "callback (wrap-up *81)",
               "answered, the caller hangs up after ~2 s; a second later the agent who "
               "answered dials *81 (UserEvent PbxBridgeWrapup, Outcome: callback)"),
    ]  # fmt: skip
    s.place(calls)
    trace = s.trace(calls[0], start)
    agent = (trace.answered_by or "").partition("/")[2]
    if not agent:
        raise RuntimeError(f"no agent answered: {trace.describe()}")
    time.sleep(1.0)
    s.pbx.dial_feature_code(agent, "*81")
    return calls


def abandoned(s: Session) -> list[Planned]:
    calls = [
        s.plan(GIFHORN_CENTRAL, HANGS_UP_WHILE_QUEUED, "abandoned",
               "all agents paused (QueuePause before, unpause after the call); the caller "
               "hangs up after ~3 s in the queue"),
    ]  # fmt: skip
    s.pause_agents(True)
    try:
        s.place(calls)
    finally:
        s.pause_agents(False)
    return calls


def overflow(s: Session) -> list[Planned]:
    calls = [
        s.plan(GIFHORN_CENTRAL, WAITS, "overflow",
               f"all agents paused; Queue() times out after {QUEUE_TIMEOUT} s, the caller "
               "hears pbx-bridge/overflow and Asterisk hangs up"),
    ]  # fmt: skip
    s.pause_agents(True)
    try:
        s.place(calls)
    finally:
        s.pause_agents(False)
    return calls


def closed_hangup(s: Session) -> list[Planned]:
    calls = [
        s.plan(WARDENBURG_CENTRAL, WAITS, "closed",
               "Wardenburg is closed: closed announcement, Asterisk hangs up"),
    ]  # fmt: skip
    s.place(calls)
    return calls


def closed_forward(s: Session) -> list[Planned]:
    calls = [
        s.plan(GESEKE_CENTRAL, 5000, "closed (forwarded to the town's switchboard)",
               f"Geseke is closed: announcement, then Dial(PJSIP/{GESEKE_FORWARD}@switchboard),"
               " answered; the caller hangs up ~2 s later"),
    ]  # fmt: skip
    s.place(calls)
    return calls


def unrouted(s: Session) -> list[Planned]:
    calls = [
        s.plan(UNKNOWN, HANGS_UP_AFTER_TALK, "unrouted (answered by an agent)",
               "no tenant claims the number: center greeting, queue, an agent answers; the "
               "caller hangs up after ~2 s"),
    ]  # fmt: skip
    s.place(calls)
    return calls


def forwarded_diversion(s: Session) -> list[Planned]:
    calls = [
        s.plan(CENTER_INBOUND, HANGS_UP_AFTER_TALK, "resolved (tenant meinersen)",
               "Meinersen's switch forwards to the center: Diversion <sip:05372890@127.0.0.1>; "
               "Meinersen greeting, an agent answers, the caller hangs up after ~2 s",
               diversion=center.MEINERSEN_CENTRAL),
    ]  # fmt: skip
    s.place(calls)
    return calls


def withheld(s: Session) -> list[Planned]:
    calls = [
        s.plan(GIFHORN_KFZ, HANGS_UP_AFTER_TALK, "resolved (number withheld)",
               "CLIR: Privacy: id + P-Asserted-Identity; PBXB_WITHHELD=1; an agent answers, "
               "the caller hangs up after ~2 s", withheld=True),
    ]  # fmt: skip
    s.place(calls)
    return calls


def fallback(s: Session) -> list[Planned]:
    calls = [
        s.plan(GIFHORN_CENTRAL, HANGS_UP_AFTER_TALK, "resolved (decided by the fallback AGI)",
               "the daemon is stopped: AGI to it fails (AGISTATUS=FAILURE), the fallback AGI "
               "decides; an agent answers, the caller hangs up after ~2 s"),
    ]  # fmt: skip
    s.daemon.stop()
    try:
        s.place(calls)
    finally:
        s.daemon.start()
    return calls


def concurrent(s: Session) -> list[Planned]:
    calls = [
        s.plan(GIFHORN_CENTRAL, HANGS_UP_AFTER_TALK, "resolved",
               "an agent answers, the caller hangs up after ~2 s"),
        s.plan(GIFHORN_KFZ, WAITS, "resolved",
               f"an agent answers and hangs up after {AGENT_TALK_MS // 1000} s"),
        s.plan(ISENBUETTEL_CENTRAL, 7000, f"transferred (target {TRANSFER_TARGET})",
               "REFER from the agent to the clerk, who answers"),
        s.plan(WARDENBURG_CENTRAL, WAITS, "closed", "closed announcement, hangup"),
        s.plan(center.MEINERSEN_CENTRAL, HANGS_UP_IN_GREETING, "abandoned (before the queue)",
               "the caller hangs up during the greeting, never queued"),
    ]  # fmt: skip
    s.place(calls, stagger_s=0.3)
    return calls


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    run: Callable[[Session], list[Planned]]


SCENARIOS = (
    Scenario("resolved", "answered, the caller hangs up", resolved),
    Scenario("agent_hangs_up", "answered, the agent hangs up", agent_hangs_up),
    Scenario("blind_transfer", "blind transfer by SIP REFER from the agent", blind_transfer),
    Scenario("callback_wrapup", "answered, then the agent dials *81", callback_wrapup),
    Scenario("abandoned", "the caller hangs up while queued", abandoned),
    Scenario("overflow", "queue timeout, overflow announcement", overflow),
    Scenario("closed_hangup", "closed tenant, announcement and hangup", closed_hangup),
    Scenario("closed_forward", "closed tenant, forward to its switchboard", closed_forward),
    Scenario("unrouted", "a number no tenant claims, answered", unrouted),
    Scenario("forwarded_diversion", "forwarded call (Diversion header)", forwarded_diversion),
    Scenario("withheld", "caller withholds the number (CLIR)", withheld),
    Scenario("fallback", "daemon stopped, the fallback AGI decides", fallback),
    Scenario("concurrent", "5 overlapping calls with mixed outcomes", concurrent),
)


# ---- recording --------------------------------------------------------------------------------


def json_line(pairs: Sequence[tuple[str, str]]) -> str:
    """One event as a JSON object, headers in Asterisk's order; a repeated header is repeated
    (`json.loads` keeps the last one, `object_pairs_hook` sees all)."""
    members = (
        f"{json.dumps(key, ensure_ascii=False)}: {json.dumps(value, ensure_ascii=False)}"
        for key, value in pairs
    )
    return "{" + ", ".join(members) + "}"


def wait_settled(recorder: ami.AmiRecorder, start: int, quiet_s: float, timeout: float) -> int:
    """Index after the last event once every channel opened since `start` has hung up and
    Asterisk has been quiet for `quiet_s` (trailing Cdr, QueueMemberStatus, DeviceStateChange)."""
    deadline = time.monotonic() + timeout
    seen, changed = -1, time.monotonic()
    while True:
        events = recorder.snapshot()[start:]
        now = time.monotonic()
        if len(events) != seen:
            seen, changed = len(events), now
        opened = {e.get("Uniqueid") for e in events if e.get("Event") == "Newchannel"}
        closed = {e.get("Uniqueid") for e in events if e.get("Event") == "Hangup"}
        if opened <= closed and now - changed >= quiet_s:
            return start + seen
        if now > deadline:
            raise RuntimeError(f"still {len(opened - closed)} channel(s) up after {timeout}s")
        time.sleep(0.1)


@dataclass(frozen=True)
class Recorded:
    scenario: Scenario
    calls: list[tuple[Planned, CallTrace | None]]
    events: int
    path: Path


def record(session: Session, scenario: Scenario, out: Path) -> Recorded:
    recorder = session.pbx.ami
    start = wait_settled(recorder, len(recorder.snapshot()), quiet_s=1.0, timeout=60)
    planned = scenario.run(session)
    end = wait_settled(recorder, start, quiet_s=1.5, timeout=90)
    raw = recorder.raw_snapshot(start)[: end - start]
    path = out / f"{scenario.name}.jsonl"
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for message in raw:
            fh.write(json_line(ami.header_pairs(message)) + "\n")
    events = recorder.snapshot()[start:end]
    traces = [(p, CallTrace.find(events, p.call.caller)) for p in planned]
    return Recorded(scenario, traces, len(raw), path)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tests.testbed.record_ami",
        description="Record the AMI event stream of each call scenario into fixture files.",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="fixture folder")
    parser.add_argument(
        "--only", nargs="+", choices=[s.name for s in SCENARIOS], help="record only these"
    )
    parser.add_argument("--keep", action="store_true", help="keep the run folder (logs)")
    args = parser.parse_args(argv)
    chosen = [s for s in SCENARIOS if not args.only or s.name in args.only]
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)

    testbed = provision()
    run_dir = Path(tempfile.mkdtemp(prefix="pbxb-record-"))
    print(f"run folder: {run_dir}", file=sys.stderr)
    sound_names = [name for tenant in TENANTS for name in tenant.sounds]
    pbx = CallCenter.start(
        testbed, run_dir, sound_names, agents=AGENTS, talk_ms=AGENT_TALK_MS,
        refer_after_ms=REFER_AFTER_MS,
    )  # fmt: skip
    daemon = pbx.daemon(run_dir / "daemon.log")
    ok = False
    try:
        pbx.configure(TENANTS, queue_timeout=QUEUE_TIMEOUT)
        daemon.start()
        session = Session(pbx, daemon)
        results = []
        for scenario in chosen:
            done = record(session, scenario, out)
            print(f"{done.path}: {done.events} events", file=sys.stderr)
            results.append(done)
        if not args.only:
            (out / "README.md").write_text(
                record_notes.readme(testbed.version(), TENANTS, results, QUEUE_TIMEOUT),
                encoding="utf-8",
            )
        ok = True
    finally:
        daemon.stop()
        pbx.stop()
        if ok and not args.keep:
            shutil.rmtree(run_dir, ignore_errors=True)
        else:
            print(f"logs kept in {run_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
