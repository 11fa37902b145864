"""pbx-bridge run as a service under real traffic: reload (SIGHUP) and stop (SIGTERM).

Real Asterisk, real SIPp callers, the real daemon process with AMI tracking and a SQLite call
log. What callers experienced comes from Asterisk's AMI events; what the daemon did from its
log, its metrics endpoint and the database.
"""

from __future__ import annotations

import dataclasses
import itertools
import os
import re
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

from pbx_bridge.config.loader import load_config
from tests.testbed import center, sounds, tracking
from tests.testbed.ami import Event
from tests.testbed.asterisk import PROJECT
from tests.testbed.callcenter import NOBODY_QUEUE, CallCenter
from tests.testbed.calls import CallTrace
from tests.testbed.sipp import Call
from tests.testbed.tracking import LogLine

UNIT = PROJECT / "systemd" / "pbx-bridge.service"
# The same number, department and greeting differ: which configuration decided is audible.
GIFHORN_A = center.GIFHORN
GIFHORN_B = dataclasses.replace(
    center.GIFHORN,
    greeting="wolfsburg",
    numbers=[("05371 82-0", "Bürgerbüro"), ("05371 82-370", "Kfz-Zulassung")],
)
BROKEN_TENANT = "id: gifhorn\nname: Landkreis Gifhorn\nnumbers: [{number: 05371 82-0\n"
# Meinersen's callers wait in a queue nobody answers: a call that stays in progress.
MEINERSEN_WAITING = dataclasses.replace(center.MEINERSEN, extra={"queue": NOBODY_QUEUE})


@pytest.fixture
def service(call_center: CallCenter, tmp_path: Path) -> Iterator[tracking.Service]:
    bridge = call_center.configure([GIFHORN_A, MEINERSEN_WAITING, center.WOLFSBURG])
    tracked = tracking.enable(call_center, bridge, tmp_path / "service")
    started = tracking.start_service(call_center, tracked, tmp_path / "daemon.log")
    yield started
    started.stop()


def _write_atomically(path: Path, text: str) -> None:
    # The daemon may read at any moment: it must see the old file or the new one, never half.
    partial = path.with_name(path.name + ".partial")
    partial.write_text(text)
    os.replace(partial, path)


def _tenant_text(tenant: center.Tenant) -> str:
    return yaml.safe_dump(tenant.as_yaml(), allow_unicode=True, sort_keys=False)


def test_reloading_every_half_second_under_traffic_drops_no_call_and_each_keeps_its_config(
    call_center: CallCenter, service: tracking.Service
) -> None:
    tenant_file = call_center.config_dir / "tenants" / "gifhorn.yaml"
    valid: dict[str, tuple[str, str]] = {}  # generation -> (greeting, central department)
    for variant in (GIFHORN_B, GIFHORN_A):  # A last: the daemon started with it
        _write_atomically(tenant_file, _tenant_text(variant))
        generation = load_config(service.tracking.config).generation
        valid[generation] = (f"pbx-bridge/{variant.sounds[0]}", variant.numbers[0][1])
    assert len(valid) == 2
    cycle = itertools.cycle(
        [BROKEN_TENANT, _tenant_text(GIFHORN_B), BROKEN_TENANT, _tenant_text(GIFHORN_A)]
    )

    calls = [Call(center.GIFHORN_CENTRAL) for _ in range(30)]
    hold_ms = int((sounds.longest(call_center.sounds_dir) + 2.0) * 1000)
    callers = call_center.place(calls, hold_ms=hold_ms, rate=3)
    sighups = 0
    while callers.running():
        _write_atomically(tenant_file, next(cycle))
        os.kill(service.pid, signal.SIGHUP)
        sighups += 1
        time.sleep(0.5)
    _write_atomically(tenant_file, _tenant_text(GIFHORN_A))  # leave a valid configuration
    result = callers.wait(5)
    rejected, reloaded = tracking.poll(
        lambda: _reloads(service.log, sighups), 5, f"{sighups} reloads in the log"
    )
    assert result.ok, f"{result.failed} of {len(calls)} calls failed:\n{result.screen[-3000:]}"
    traces = call_center.traces(calls)

    wrong = []
    for trace in traces:
        generation = trace.var("PBXB_CONFIG_GENERATION") or ""
        greeting, department = valid.get(generation, ("?", "?"))
        if (
            trace.var("PBXB_DECIDED_BY") != "daemon"
            or trace.heard[:1] != [greeting]
            or trace.var("PBXB_DEPARTMENT") != department
            or trace.queues_joined != [center.CENTER_QUEUE]
        ):
            wrong.append(
                f"generation {generation!r} (of {sorted(valid)}), department "
                f"{trace.var('PBXB_DEPARTMENT')!r}: {trace.describe()}"
            )
    assert not wrong, "calls inconsistent with a valid configuration:\n" + "\n".join(wrong)
    used = {trace.var("PBXB_CONFIG_GENERATION") for trace in traces}
    assert used == set(valid), f"calls saw {used}; expected both of {set(valid)}"

    # The log is written by the event loop in order: each decision used the configuration
    # that was in force (last loaded) when it was taken.
    in_force, decided = "", {}
    for line in tracking.log_lines(service.log):
        if line["event"] in ("daemon_ready", "config_reloaded"):
            in_force = line["generation"]
        elif line["event"] == "call_routed":
            assert line["config"] == in_force, line
            decided[line["linkedid"]] = line["config"]
    for trace in traces:
        assert decided.get(trace.linkedid) == trace.var("PBXB_CONFIG_GENERATION"), trace.describe()

    assert rejected, f"no reload rejected in {sighups} SIGHUPs"
    assert all(line["kept"] in valid for line in rejected), rejected
    assert tracking.events(service.log, "config_reload_error"), "the error itself is not logged"
    assert all(line["generation"] in valid for line in reloaded), reloaded
    scrape = service.tracking.scrape()
    assert scrape.value("pbxb_config_reloads_total", result="failed") == len(rejected)
    assert scrape.value("pbxb_config_reloads_total", result="ok") == len(reloaded)


def _reloads(log: Path, sighups: int) -> tuple[list[LogLine], list[LogLine]] | None:
    """(rejected, accepted) reloads once the daemon has answered every SIGHUP."""
    rejected = tracking.events(log, "config_reload_rejected")
    reloaded = tracking.events(log, "config_reloaded")
    return (rejected, reloaded) if len(rejected) + len(reloaded) == sighups else None


def _in_daemon_agi(caller: str) -> Callable[[list[Event]], CallTrace | None]:
    def check(events: list[Event]) -> CallTrace | None:
        trace = CallTrace.find(events, caller)
        if trace is None:
            return None
        asking = any(
            e.get("Event") == "Newexten"
            and e.get("Channel") == trace.channel
            and e.get("Application") == "AGI"
            and e.get("AppData", "").startswith("agi://")
            for e in trace.events
        )
        return trace if asking else None

    return check


def _stop_timeout_s() -> float:
    found = re.search(r"^TimeoutStopSec=(\d+)s?$", UNIT.read_text(), re.MULTILINE)
    assert found, f"no TimeoutStopSec= in {UNIT}"
    return float(found.group(1))


def test_sigterm_with_calls_in_flight_exits_zero_in_time_and_keeps_finished_records(
    call_center: CallCenter, service: tracking.Service
) -> None:
    greeting_s = sounds.longest(call_center.sounds_dir)
    waiting = Call(center.MEINERSEN_CENTRAL)  # in the queue when the daemon stops
    waiting_callers = call_center.place([waiting], hold_ms=int((greeting_s + 5) * 1000))
    [finished] = call_center.run_calls([Call(center.GIFHORN_CENTRAL)], hold_ms=8000)
    tracking.wait_for_log(service.log, "call_ended")  # handed to the record writer, maybe unwritten
    call_center.ami.wait_until(
        tracking.in_queue(waiting.caller), 10, "the waiting caller in the queue"
    )

    # A call reaches the daemon while it is frozen; SIGTERM arrives with that session pending.
    routing = Call(center.GIFHORN_KFZ)
    os.kill(service.pid, signal.SIGSTOP)
    try:
        routing_callers = call_center.place([routing], hold_ms=int((greeting_s + 2) * 1000))
        call_center.ami.wait_until(_in_daemon_agi(routing.caller), 10, "call asking the daemon")
        os.kill(service.pid, signal.SIGTERM)
        stopped_at = time.monotonic()
    finally:
        os.kill(service.pid, signal.SIGCONT)
    process = service.daemon.process
    assert process is not None
    limit = _stop_timeout_s()
    returncode = process.wait(limit)
    took = time.monotonic() - stopped_at
    assert returncode == 0
    assert took < limit, f"stopped after {took:.1f}s, systemd kills after {limit:.0f}s"

    [flushed] = tracking.events(service.log, "records_flushed")
    assert flushed["complete"] is True, flushed
    assert tracking.events(service.log, "daemon_stopped")
    stored = {row["call_id"]: row for row in service.tracking.records()}
    assert finished.linkedid in stored, f"{finished.describe()} not in {list(stored)}"
    assert stored[finished.linkedid]["outcome"] == "resolved"
    assert stored[finished.linkedid]["tenant"] == "gifhorn"

    # Callers in flight never noticed: the queued one stays, the one being routed is routed.
    for callers in (waiting_callers, routing_callers):
        result = callers.wait(30)
        assert result.ok, f"SIPp {callers.name}: {result.screen[-2000:]}"
    waited, routed = call_center.traces([waiting, routing])
    assert waited.queues_joined == [NOBODY_QUEUE], waited.describe()
    assert waited.heard[:1] == ["pbx-bridge/meinersen"], waited.describe()
    assert routed.var("PBXB_DECIDED_BY") in ("daemon", "fallback"), routed.describe()
    assert routed.var("PBXB_TENANT") == "gifhorn", routed.describe()
    assert routed.heard[:1] == ["pbx-bridge/gifhorn"], routed.describe()
    assert routed.queues_joined == [center.CENTER_QUEUE], routed.describe()
