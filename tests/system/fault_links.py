"""Fault scenarios 1-3: the daemon killed, Asterisk restarted, the AMI peer silent."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pbx_bridge.core.outcomes import UNSEEN_END_DETAIL
from tests.system import fault_steps as steps
from tests.system import soak_bed as bed_
from tests.system import soak_measure as measure
from tests.system import soak_records as records_
from tests.system.fault_proxy import Proxy
from tests.system.soak_ami import Seen
from tests.system.soak_bed import Bed, Planned
from tests.testbed import tracking
from tests.testbed.daemon import port_accepts

# ---- (1) kill -9 of the daemon ---------------------------------------------------------------


def kill_daemon(bed: Bed, run_dir: Path, scale: steps.Scale) -> steps.FaultResult:
    result = steps.FaultResult(1, "kill -9 of the daemon during traffic")
    service = steps.start_daemon(bed, run_dir)
    planned = bed_.plan(
        int(scale.rate * scale.traffic_s) + 10, steps.LONG_KINDS, first=steps.first_caller()
    )
    dialer = bed_.WrapupDialer(bed, planned)
    traffic = bed_.place(bed, planned, scale.rate, name="kill9")
    restarted: tracking.Service | None = None
    try:
        time.sleep(scale.traffic_s / 3)
        process = service.daemon.process
        assert process is not None
        os.kill(process.pid, signal.SIGKILL)
        killed_at = time.time()
        process.wait(5)
        service.daemon.process = None
        time.sleep(scale.daemon_down_s)
        restarted = tracking.start_service(bed.pbx, service.tracking, run_dir / "daemon2.log")
        restarted_at = time.time()
        sipp_result = steps.end_traffic(result, traffic, dialer)
        steps.wait_for_records(service.tracking.database, len(planned))
    finally:
        traffic.stop()
        if restarted is not None:
            restarted.stop()
    seen = bed.watch.snapshot([p.caller for p in planned])
    result.figure("daemon down", f"{restarted_at - killed_at:.1f} s (kill -9, then restart)")
    failsafe = {"fallback", "generic"}
    steps.check_callers(result, planned, sipp_result, seen, decided_by={"daemon", *failsafe})
    took_failsafe = sum(1 for s in seen.values() if s is not None and s.decided_by in failsafe)
    result.require(took_failsafe > 0, "no call took the failsafe path while the daemon was down")
    waits = [
        (s.first_prompt - s.started) * 1000
        for s in seen.values()
        if s is not None and s.first_prompt is not None
    ]
    result.figure("call start to greeting", measure.fmt_ms(waits))
    slowest = max(waits, default=0.0)
    result.require(
        slowest <= steps.GREETING_LIMIT_MS, f"a caller waited {slowest:.0f} ms for a prompt"
    )

    _check_resync(result, restarted.log)

    def spanned(item: Planned) -> bool:
        s = seen.get(item.caller)
        return s is not None and s.started < restarted_at and (s.ended or 0) > killed_at

    spanning = [p for p in planned if spanned(p)]
    result.figure("calls spanning the outage", len(spanning))
    result.require(bool(spanning), "no call spanned the outage: the scenario proved nothing")
    rows = records_.records(service.tracking.database)
    steps.check_exactly_one(result, planned, rows, outcomes_of=lambda p: not spanned(p))
    span_check = records_.check_records(spanning, [r for r in rows if steps.key_in(r, spanning)])
    result.figure(
        "  of which with the planned outcome",
        f"{len(spanning) - len(span_check.wrong)} (others: "
        f"{dict(Counter(w.split('got (')[1].split(',')[1].strip() for w in span_check.wrong))})",
    )
    errors = steps.errors_in(service.log) + steps.errors_in(restarted.log)
    result.figure("daemon log errors", errors or "none")
    result.require(not errors, f"daemon errors: {errors[:5]}")
    return result


# ---- (2) Asterisk restarted -----------------------------------------------------------------


def _check_resync(result: steps.FaultResult, log: Path) -> None:
    """The restarted daemon restored its saved calls and resynced them with Asterisk."""
    restored = tracking.events(log, "tracker_state_restored")
    result.figure(
        "restored from the saved state", f"{restored[0]['calls']} calls" if restored else "nothing"
    )
    result.require(bool(restored) and restored[0]["calls"] > 0, "no saved call restored")
    resynced = tracking.events(log, "ami_resynced")
    if resynced:
        r = resynced[0]
        result.figure(
            "resync after the restart",
            f"{r['live_channels']} live channels, calls {r['calls_before']} -> "
            f"{r['calls_now']}, {r['closed_during_gap']} closed as ended during the gap",
        )
    result.require(bool(resynced), "the restarted daemon did not resync")


def _first_accept(port: int, stop: threading.Event, found: list[float]) -> None:
    while not stop.is_set():
        if port_accepts(port):
            found.append(time.time())
            return
        time.sleep(0.02)


def restart_asterisk(bed: Bed, run_dir: Path, scale: steps.Scale) -> steps.FaultResult:
    result = steps.FaultResult(2, "Asterisk restarted during traffic")
    service = steps.start_daemon(bed, run_dir)
    calls = int(scale.rate * (scale.traffic_s * 1.5 + scale.asterisk_down_s))
    planned = bed_.plan(calls, first=steps.first_caller())
    dialer = bed_.WrapupDialer(bed, planned)
    full_log = bed.pbx.asterisk.full_log
    log_offset = full_log.stat().st_size if full_log.exists() else 0
    traffic = bed_.place(bed, planned, scale.rate, name="restart")
    try:
        time.sleep(scale.traffic_s / 2)
        stopped_at = time.time()
        bed.pbx.asterisk.stop()
        time.sleep(scale.asterisk_down_s)
        accepted: list[float] = []
        stop_polling = threading.Event()
        poller = threading.Thread(
            target=_first_accept, args=(bed.pbx.asterisk.ami_port, stop_polling, accepted)
        )
        poller.start()
        bed.pbx.asterisk.start()
        booted_at = time.time()
        stop_polling.set()
        poller.join(5)
        bed.watch.reconnect()
        tracking.wait_for_log(service.log, "ami_resynced", count=2, timeout=30)
        sipp_result = steps.end_traffic(result, traffic, dialer)
    finally:
        traffic.stop()
    # How many calls Asterisk took, from its own log (both runs append to it): each call runs
    # the first step of pbx-bridge-inbound once. The log names channels, not callers (and the
    # restarted Asterisk numbers its channels anew), so the calls are matched by count: every
    # record must be one planned call's (distinct callers), and there must be as many records.
    entered = _calls_entering_dialplan(full_log, log_offset)
    try:
        steps.wait_for_records(service.tracking.database, entered)
    finally:
        service.stop()
    recorded = {
        records_.stored_key(row.get("caller"))
        for row in records_.records(service.tracking.database)
    }
    taken = [p for p in planned if p.key in recorded]
    result.require(
        len(taken) == entered, f"{entered} calls entered the dialplan, {len(taken)} have a record"
    )
    up_at = accepted[0] if accepted else booted_at
    relogin = _check_relogin(result, service.log, stopped_at, up_at, booted_at)
    unreachable = tracking.events(service.log, "ami_unreachable")
    result.figure(
        "connection attempts while down",
        f"{len(unreachable)} (retry delays {[u.get('retry_in') for u in unreachable]})",
    )
    result.figure(
        "callers",
        f"{len(planned)} placed, {len(taken)} entered the dialplan, SIPp: "
        f"{sipp_result.successful} completed, {sipp_result.failed} failed (cut by the restart)",
    )
    seen = bed.watch.snapshot([p.caller for p in taken])
    _check_restart_records(result, taken, seen, (up_at, relogin), service)
    errors = steps.errors_in(service.log)
    result.figure("daemon log errors", errors or "none")
    result.require(not errors, f"daemon errors: {errors[:5]}")
    return result


def _check_restart_records(
    result: steps.FaultResult,
    taken: Sequence[Planned],
    seen: dict[str, Seen | None],
    window: tuple[float, float],
    service: tracking.Service,
) -> None:
    """One record per call that entered the dialplan. Calls in progress when Asterisk stopped
    were cut by it: their record says what the daemon saw. Calls begun in `window` (after the
    manager port accepted again, before the daemon's new login) were routed by the daemon,
    which hands the tracker its decision: adopted at the resync, or recorded there if already
    gone, they must have the planned outcome, as must every later call."""
    back, relogin = window
    started = {p.caller: s.started for p in taken if (s := seen.get(p.caller)) is not None}
    cut = {p.caller for p in taken if started.get(p.caller, 0.0) < back}
    blind = [p for p in taken if back <= started.get(p.caller, 0.0) < relogin]
    rows = records_.records(service.tracking.database)
    steps.check_exactly_one(result, taken, rows, outcomes_of=lambda p: p.caller not in cut)
    result.figure("calls cut by the stop (outcome not checked)", len(cut))
    result.figure("calls begun between Asterisk's return and the daemon's login", len(blind))
    result.figure("recorded from the daemon's decision alone", _unseen_recorded(service.log))


def _check_relogin(
    result: steps.FaultResult, log: Path, stopped_at: float, up_at: float, booted_at: float
) -> float:
    """The daemon logged in again within steps.RECONNECT_LIMIT_S of the manager port accepting;
    returns when (Unix time; now if it did not)."""
    result.figure(
        "Asterisk down",
        f"{up_at - stopped_at:.1f} s until its manager port accepted, "
        f"{booted_at - stopped_at:.1f} s until fully booted",
    )
    logins = [steps.log_time(line) for line in tracking.events(log, "ami_logged_in")]
    relogin = [at for at in logins if at > stopped_at]
    if relogin:
        delay = relogin[0] - up_at
        result.figure(
            "AMI logged in again after", f"{delay:.2f} s (limit {steps.RECONNECT_LIMIT_S:g} s)"
        )
        result.require(delay <= steps.RECONNECT_LIMIT_S, f"AMI reconnect took {delay:.1f} s")
        return relogin[0]
    result.require(False, "the daemon did not log in again")
    return time.time()


def _calls_entering_dialplan(full_log: Path, offset: int) -> int:
    """How many trunk calls ran the first step of pbx-bridge-inbound, per Asterisk's log."""
    with full_log.open("rb") as fh:
        fh.seek(offset)
        text = fh.read().decode("utf-8", errors="replace")
    return sum(
        1
        for line in text.splitlines()
        if "@pbx-bridge-inbound:1] " in line and '("PJSIP/trunk-' in line
    )


def _unseen_recorded(log: Path) -> int:
    """Calls the daemon's resyncs recorded from its routing decision alone (never seen on AMI)."""
    return sum(int(e.get("unseen_recorded") or 0) for e in tracking.events(log, "ami_resynced"))


def _check_unseen(
    result: steps.FaultResult, unseen: Sequence[Planned], rows: Sequence[dict[str, Any]], log: Path
) -> None:
    """The records of calls the daemon knew only by its routing decision: the decided tenant,
    and the outcome the decision fixes (closed, unrouted); for a queued call, whose end was not
    seen, "failed" with the gap's detail, not a claim that the caller gave up."""
    result.figure("recorded from the daemon's decision alone", _unseen_recorded(log))
    by_key = {records_.stored_key(r.get("caller")): r for r in rows}
    wrong = []
    for item in unseen:
        row, kind = by_key.get(item.key), item.kind
        if row is None:
            continue  # check_exactly_one counts it missing
        expected: tuple[str | None, ...]
        if kind.outcome in ("closed", "unrouted"):
            expected = (kind.tenant, kind.outcome)
        else:
            expected = (kind.tenant, "failed", UNSEEN_END_DETAIL)
        got = (row.get("tenant"), row.get("outcome"), row.get("detail"))
        if got[: len(expected)] != expected:
            wrong.append(f"{item.caller} {kind.name}: got {got}, expected {expected}")
    result.require(not wrong, f"{len(wrong)} calls begun and ended blind, recorded wrong")
    result.lines += [f"    {w}" for w in wrong[:5]]


# ---- (3) a silent AMI peer ------------------------------------------------------------------


def silent_ami(bed: Bed, run_dir: Path, scale: steps.Scale) -> steps.FaultResult:
    """A proxy between the daemon and Asterisk stops passing anything, both ways, and keeps
    the connection open. Every call must get its record. Calls that begin and end while the
    daemon is blind leave no AMI event it could ever read (AMI replays nothing): their record
    comes from the daemon's own routing decision, at the resync after the new login."""
    result = steps.FaultResult(3, "AMI peer connected but silent")
    proxy = Proxy(bed.pbx.asterisk.ami_port)
    proxy.start()
    service = steps.start_daemon(bed, run_dir, {"ami": {"port": proxy.port}})
    planned = bed_.plan(int(scale.rate * scale.silent_traffic_s), first=steps.first_caller())
    dialer = bed_.WrapupDialer(bed, planned)
    traffic = bed_.place(bed, planned, scale.rate, name="silent")
    try:
        time.sleep(3)
        last_byte = proxy.freeze()
        frozen_at = time.monotonic()
        wall_offset = time.time() - time.monotonic()
        silent = tracking.wait_for_log(service.log, "ami_silent", timeout=30)[0]
        tracking.wait_for_log(service.log, "ami_resynced", count=2, timeout=30)
        sipp_result = steps.end_traffic(result, traffic, dialer)
        logins = tracking.events(service.log, "ami_logged_in")
        blind = (last_byte + wall_offset, steps.log_time(logins[-1]))
        seen = bed.watch.snapshot([p.caller for p in planned])

        def inside(item: Planned) -> bool:  # began and ended while the daemon was blind
            s = seen.get(item.caller)
            return s is not None and s.started > blind[0] and (s.ended or blind[1]) < blind[1]

        steps.wait_for_records(service.tracking.database, len(planned))
    finally:
        traffic.stop()
        service.stop()
        proxy.stop()
    detected = steps.log_time(silent) - blind[0]
    after_freeze = steps.log_time(silent) - wall_offset - frozen_at
    result.figure(
        "silence detected after",
        f"{detected:.1f} s from the last byte passed on ({after_freeze:.1f} s from the freeze; "
        f"limit {steps.SILENCE_DETECTION_LIMIT_S:g} s)",
    )
    result.require(detected <= steps.SILENCE_DETECTION_LIMIT_S, f"detected after {detected:.1f} s")
    result.figure("logged in again", f"{blind[1] - steps.log_time(silent):.1f} s later")
    result.require(len(logins) == 2, f"{len(logins)} logins (expected: first, after the silence)")
    result.figure("connections through the proxy", proxy.connections)
    steps.check_callers(result, planned, sipp_result, seen, decided_by={"daemon"})
    rows = records_.records(service.tracking.database)

    def outside(item: Planned) -> bool:  # ended before the daemon went blind, or began after
        s = seen.get(item.caller)
        return s is not None and ((s.ended or 0) < blind[0] or s.started > blind[1])

    invisible = [p for p in planned if inside(p)]
    result.figure("calls begun and ended while blind", len(invisible))
    steps.check_exactly_one(result, planned, steps.rows_for(rows, planned), outcomes_of=outside)
    _check_unseen(result, invisible, rows, service.log)
    unexpected = [r for r in rows if not steps.key_in(r, planned)]
    result.require(not unexpected, f"{len(unexpected)} records of no planned call")
    errors = [e for e in steps.errors_in(service.log) if e != "ami_silent"]
    result.figure("daemon log errors besides ami_silent", errors or "none")
    result.require(not errors, f"daemon errors: {errors[:5]}")
    return result
