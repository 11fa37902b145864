"""Routing overhead on the real Asterisk 22: pbx-bridge FastAGI against the pure dialplan floor
and the pyst2 process AGI, side by side in one Asterisk run, at rising call rates.

    python -m benchmarks.routing_overhead [--rates 10,25,50,100] [--seconds 10]

One Asterisk (the testbed's, `tests/testbed/provision`), one tenant schedule, four ways in
(benchmarks/bench_center.py): (c) the pure dialplan (GotoIfTime,
benchmarks/dialplan_floor.conf), (a) the shipped dialplan asking the daemon over FastAGI (the
daemon tracks every call over AMI into SQLite, as in production), (a') the same with a second
daemon that does not track calls, and (b) the shipped dialplan with the daemon unreachable, so
the pyst2 process AGI decides. SIPp places `rate * seconds` short calls per setup and rate
(greeting, then the caller hangs up); the setups take turns, so each has the machine to itself
while it is measured.

The process AGI is first stepped up on its own (--fallback-rates) until it fails or queues;
at the main rates it runs at the lowest one and goes on only while it keeps up.

A rate is "carried" by a setup when no call failed, every call was decided by the setup's own
path (no failsafe), and the decision p90 stayed under twice its p90 at the lowest rate
(beyond that, calls queue for the decider). Queueing moves the body of the distribution (the
process AGI's p50 went from 0.35 to 4.4 s when it queued); until the sixth session the rule
was on the p99, which over 1,000 calls is the tenth slowest call, and one stall of the VM of
some 20 ms (seen on the echo server of agi_throughput in the same minutes) made pbx-bridge
"fail" 100/s with p50 1.8 ms and no call failed.
"""

from __future__ import annotations

import argparse
import math
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.ami_timing import AmiWatch, CallTiming
from benchmarks.bench_center import DAEMON_AMI_USER, DECIDED_BY, SETUP_NAMES, Rig, StepResult
from benchmarks.figures import decision_buckets, histogram_quantile, ms, percentile
from benchmarks.targets import TargetResult
from tests.testbed.asterisk import provision
from tests.testbed.processes import OtherLoad, machine_busy_seconds, wait_quiet
from tests.testbed.provenance import machine

PROJECT = Path(__file__).resolve().parents[1]
TARGET_RATE = 50  # calls per second for the overhead target
TARGET_OVERHEAD_S = 0.005
TARGET_FACTOR = 10
QUEUEING_PERCENTILE = 90  # see "carried" in the docstring


@dataclass
class Step:
    setup: str
    rate: float
    sipp: StepResult
    calls: list[CallTiming]
    wall_s: float
    histogram: tuple[float, float] = (math.nan, math.nan)  # the daemon's p50/p99: (a), (a')
    # Shares of one core: tracking daemon, untracked daemon, Asterisk, the whole machine.
    cpu: tuple[float, float, float, float] = (math.nan, math.nan, math.nan, math.nan)
    overloads: int = 0  # Asterisk's taskprocessor high-water warnings during the step
    other: float = math.nan  # share of a core used by processes outside the benchmark

    @property
    def failed(self) -> int:
        """Calls the caller noticed: SIPp failed them, or no greeting was ever played."""
        silent = sum(c.greeting is None for c in self.calls)
        return max(self.sipp.failed, silent, self.sipp.placed - len(self.calls))

    @property
    def failsafe(self) -> int:
        """Calls decided by another path than the setup's own (the dialplan's failsafe)."""
        return sum(c.decided_by != DECIDED_BY[self.setup] for c in self.calls)

    def decision(self, q: float) -> float:
        return percentile([c.decision_s for c in self.calls if c.decision_s is not None], q)

    def answered(self, q: float) -> float:
        return percentile([c.to_answer_s for c in self.calls if c.to_answer_s is not None], q)

    def greeting(self, q: float) -> float:
        return percentile([c.to_greeting_s for c in self.calls if c.to_greeting_s is not None], q)

    def answer(self, q: float) -> float:
        return percentile(self.sipp.answer_s, q)

    @property
    def actions(self) -> str:
        counts: dict[str, int] = {}
        for call in self.calls:
            counts[call.action or "none"] = counts.get(call.action or "none", 0) + 1
        return ",".join(f"{k}={v}" for k, v in sorted(counts.items()))


def carried(step: Step, lowest: Step) -> bool:
    if step.failed or step.failsafe:
        return False
    return not step.decision(QUEUEING_PERCENTILE) > 2 * lowest.decision(QUEUEING_PERCENTILE)


def run_step(rig: Rig, setup: str, rate: float, seconds: float, hold_ms: int) -> Step:
    count = max(1, round(rate * seconds))
    untracked = setup == "untracked"
    metered = setup in ("fastagi", "untracked")
    before = decision_buckets(rig.scrape(untracked)) if metered else {}
    cpu_before = _cpu(rig)
    overloads = rig.overload_warnings()
    other = OtherLoad()
    started = time.perf_counter()
    result, calls = rig.run_calls(setup, rate, count, hold_ms=hold_ms, timeout=seconds * 3 + 60)
    wall = time.perf_counter() - started
    step = Step(setup, rate, result, calls, wall)
    a, b, c, d = (now - then for now, then in zip(_cpu(rig), cpu_before, strict=True))
    step.cpu = (a / wall, b / wall, c / wall, d / wall)
    step.overloads = rig.overload_warnings() - overloads
    step.other = other.seconds() / wall
    if metered:
        after = decision_buckets(rig.scrape(untracked))
        delta = {le: after[le] - before.get(le, 0.0) for le in after}
        step.histogram = (histogram_quantile(0.5, delta), histogram_quantile(0.99, delta))
    print(
        f"  {SETUP_NAMES[setup]:<31} {rate:>5g}/s  {count:>5} calls  failed {step.failed:>4}"
        f"  failsafe {step.failsafe:>4}  decision p99 {ms(step.decision(99)):>6} ms"
        f"  answer p99 {ms(step.answered(99)):>6} ms  [{step.actions}]",
        flush=True,
    )
    time.sleep(2)  # let the queue leave and the daemon write its records
    return step


def _cpu(rig: Rig) -> tuple[float, float, float, float]:
    return (
        rig.cpu_seconds(),
        rig.cpu_seconds(untracked=True),
        rig.asterisk_cpu_seconds(),
        machine_busy_seconds(),
    )


CPU_HEADER = "CPU a/a'/ast/all"
HEADER = (
    f"{'rate':>4} {'setup':<31} {'calls':>5} {'fail':>4} {'fsafe':>5} {'decision':>11} "
    f"{'histogram':>9} {'to answer':>11} {'to greeting':>11} {'SIPp 200':>9} "
    f"{CPU_HEADER:>16} {'ovl':>3} {'other':>5}"
)


def row(step: Step) -> str:
    def pair(low: float, high: float) -> str:
        return f"{ms(low)}/{ms(high)}"

    hist = pair(*step.histogram) if step.setup in ("fastagi", "untracked") else ""
    cpu = "/".join(f"{share * 100:.0f}" for share in step.cpu) + "%"
    return (
        f"{step.rate:>4g} {SETUP_NAMES[step.setup]:<31} {len(step.calls):>5} {step.failed:>4} "
        f"{step.failsafe:>5} {pair(step.decision(50), step.decision(99)):>11} {hist:>9} "
        f"{pair(step.answered(50), step.answered(99)):>11} "
        f"{pair(step.greeting(50), step.greeting(99)):>11} "
        f"{pair(step.answer(50), step.answer(99)):>9} {cpu:>16} {step.overloads:>3} "
        f"{step.other * 100:>4.0f}%"
    )


LEGEND = """\
Times in ms, p50/p99. From Asterisk's AMI event timestamps: decision = the AGI step (floor:
GotoIfTime) to PBXB_ACTION set; to answer = channel created (INVITE in) to the Answer() step
right after the decision; to greeting = to the first Playback (after Answer() Asterisk waits
for the caller's first RTP packet). histogram = the daemon's pbxb_routing_decision_seconds
(the decision alone, bucket-interpolated; since 4e83ef8 a number's decision is taken once a
minute and remembered for its other calls). SIPp 200 = INVITE sent to 200 OK received (SIPp's
response time, 4 ms resolution). fail = calls failed or never greeted; fsafe = decided by a
failsafe path instead of the setup's own. CPU = share of one core used during the step by the
daemon that tracks calls over AMI (a) / the one that does not (a') / Asterisk / everything on
the machine (2 CPUs = 200%). ovl = Asterisk's "taskprocessor queue reached ... scheduled
tasks" warnings during the step (its internal queues, e.g. for AMI events, falling behind).
other = share of a core used by processes outside the benchmark meanwhile (if high, the step
shared the machine and its figures are too slow)."""


@dataclass
class Run:
    events_per_call: dict[str, float]  # to a session without any filter
    daemon_events_per_call: dict[str, float]  # to the daemon's user (manager.conf eventfilter)
    ladder: list[Step]  # the process AGI stepped up alone
    steps: list[Step]  # the main rates

    @property
    def fallback_fails(self) -> float | None:
        """The first rate the process AGI did not carry (None: it carried them all)."""
        return next((s.rate for s in self.ladder if not carried(s, self.ladder[0])), None)


def measure(rig: Rig, args: argparse.Namespace) -> Run:
    print("warm-up (timings not reported), AMI events counted per call")
    ami = rig.asterisk
    unfiltered = AmiWatch("127.0.0.1", ami.ami_port, ami.ami_user, ami.ami_secret, filtered=False)
    as_daemon = AmiWatch("127.0.0.1", ami.ami_port, DAEMON_AMI_USER, ami.ami_secret, filtered=False)
    try:
        for setup in ("floor", "fastagi", "untracked", "fallback"):
            run_step(rig, setup, 2, 2, args.hold_ms)
        time.sleep(1)
        run = Run(unfiltered.events_per_call(), as_daemon.events_per_call(), [], [])
    finally:
        unfiltered.close()
        as_daemon.close()

    print("process AGI stepped up until it fails or queues")
    for rate in args.fallback_rates:
        run.ladder.append(run_step(rig, "fallback", rate, args.seconds, args.hold_ms))
        if not carried(run.ladder[-1], run.ladder[0]):
            break

    print("main rates")
    fallback_next = True  # at the lowest rate, then until it fails there
    for rate in args.rates:
        for setup in ("floor", "fastagi", "untracked"):
            run.steps.append(run_step(rig, setup, rate, args.seconds, args.hold_ms))
        if fallback_next:
            run.steps.append(run_step(rig, "fallback", rate, args.seconds, args.hold_ms))
            fallback_next = carried(run.steps[-1], run.ladder[0])
    return run


def print_report(run: Run) -> None:
    print()
    print(LEGEND)
    print()
    print(
        "AMI events Asterisk sends per call to a session with no filter: "
        + ", ".join(f"{SETUP_NAMES[s]} {n:.0f}" for s, n in run.events_per_call.items())
    )
    print(
        f"  to the tracking daemon's user {DAEMON_AMI_USER!r} (manager.conf eventfilter): "
        + ", ".join(f"{SETUP_NAMES[s]} {n:.0f}" for s, n in run.daemon_events_per_call.items())
    )
    print()
    print("process AGI stepped up:")
    print(HEADER)
    for step in run.ladder:
        print(row(step), "" if carried(step, run.ladder[0]) else " <- fails or queues")
    print()
    print("main rates:")
    print(HEADER)
    for step in run.steps:
        print(row(step))
    print()
    for line in _verdicts(run.steps, run.ladder, run.fallback_fails):
        print(line)


def _rates(text: str) -> list[float]:
    return [float(r) for r in text.split(",")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rates", type=_rates, default="10,25,50,100", help="calls per second, rising"
    )
    parser.add_argument("--fallback-rates", type=_rates, default="1,2,3,4,6,8,10")
    parser.add_argument("--seconds", type=float, default=10, help="length of each step")
    parser.add_argument("--hold-ms", type=int, default=800, help="caller hangs up after this")
    parser.add_argument("--run-dir", type=Path, default=PROJECT / "var" / "bench" / "routing")
    args = parser.parse_args(argv)

    shutil.rmtree(args.run_dir, ignore_errors=True)
    testbed = provision()
    print(f"machine: {machine()}")
    print(f"other processes: {wait_quiet() * 100:.0f}% of a core before the start")
    print(f"asterisk: {testbed.version()}")
    print(f"steps: {args.seconds:g} s each; callers hang up {args.hold_ms} ms after the answer")
    began = time.perf_counter()
    rig = Rig.start(testbed, args.run_dir, untracked=True)
    try:
        run = measure(rig, args)
    finally:
        rig.stop()
    print_report(run)
    print(f"run time: {time.perf_counter() - began:.0f} s")
    return 0


def _steps_of(steps: list[Step], setup: str) -> list[Step]:
    """`setup`'s steps, lowest rate first."""
    return sorted((s for s in steps if s.setup == setup), key=lambda s: s.rate)


def _top_carried(steps: list[Step], setup: str) -> float:
    """The highest rate `setup` carried (0 when it was not run)."""
    mine = _steps_of(steps, setup)
    return max((s.rate for s in mine if carried(s, mine[0])), default=0.0)


def _verdicts(steps: list[Step], ladder: list[Step], fallback_fails: float | None) -> list[str]:
    lines = []
    at = {(s.setup, s.rate): s for s in steps}
    fast, floor = at.get(("fastagi", TARGET_RATE)), at.get(("floor", TARGET_RATE))
    if fast is None or floor is None:
        lines.append(f"target overhead at {TARGET_RATE}/s: not measured (rate not in --rates)")
    else:
        added = fast.answered(99) - floor.answered(99)
        added_decision = fast.decision(99) - floor.decision(99)
        overhead = TargetResult(
            target=f"pbx-bridge adds < 5 ms at p99 over the pure dialplan at {TARGET_RATE}/s "
            "with zero failed calls",
            figure=f"INVITE to answer p99 +{ms(added)} ms, decision step p99 "
            f"+{ms(added_decision)} ms; failed {fast.failed}, failsafe {fast.failsafe}",
            baseline=f"pure dialplan: INVITE to answer p99 {ms(floor.answered(99))} ms",
            met=added < TARGET_OVERHEAD_S and fast.failed == 0 and fast.failsafe == 0,
        )
        lines.append(overhead.line())
        untracked = at.get(("untracked", TARGET_RATE))
        if untracked is not None:
            lines.append(
                f"  (a') without AMI tracking: INVITE to answer p99 "
                f"+{ms(untracked.answered(99) - floor.answered(99))} ms, decision step p99 "
                f"+{ms(untracked.decision(99) - floor.decision(99))} ms; failed "
                f"{untracked.failed}, failsafe {untracked.failsafe}"
            )
    sustained = [s.rate for s in ladder if carried(s, ladder[0])]
    top = _top_carried(steps, "fastagi")
    if fallback_fails is None:
        lines.append(
            f"process AGI: never failed or queued up to {ladder[-1].rate:g}/s; the 10x target "
            "cannot be judged from this run"
        )
        return lines
    top_untracked = _top_carried(steps, "untracked")
    lines.append(
        f"process AGI: carried up to {max(sustained, default=0):g}/s, fails or queues from "
        f"{fallback_fails:g}/s; pbx-bridge (a) carried up to {top:g}/s of the rates run, "
        f"(a') without AMI tracking up to {top_untracked:g}/s"
    )
    lines.append(
        f"  queueing rule, decision p{QUEUEING_PERCENTILE} under twice the lowest rate's: "
        + "; ".join(
            f"{SETUP_NAMES[mine[0].setup]} "
            + ", ".join(f"{ms(s.decision(QUEUEING_PERCENTILE))} ms at {s.rate:g}/s" for s in mine)
            for mine in (ladder, _steps_of(steps, "fastagi"))
            if mine
        )
    )
    need = TARGET_FACTOR * fallback_fails
    headroom = TargetResult(
        target=f"pbx-bridge carries >= {TARGET_FACTOR}x the rate where the process AGI fails "
        f"({need:g}/s)",
        figure=f"{top / fallback_fails:.1f}x (carried up to {top:g}/s of the rates run)",
        baseline=f"process AGI fails or queues from {fallback_fails:g}/s",
        met=top >= need,
    )
    lines.append(headroom.line())
    return lines


if __name__ == "__main__":
    sys.exit(main())
