"""Two daemons for one Asterisk: while one is restarted every 10 s under traffic, the dialplan
asks the other (PBXB_SECOND_AGI_URL) before the fallback, so every caller is served and
decided by a daemon, and both daemons' writes leave exactly one record per call; an agent's
wrap-up, which both daemons apply, leaves one record with its outcome and one ticket."""

from __future__ import annotations

import itertools
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.testbed import ports, tracking
from tests.testbed import record_ami as mix
from tests.testbed.asterisk import Testbed
from tests.testbed.callcenter import CallCenter
from tests.testbed.daemon import Daemon
from tests.testbed.sipp import Call

pytestmark = pytest.mark.asterisk

CALLS = 40
RATE = 1.0  # calls per second: 40 s of traffic, four restarts
RESTART_EVERY_S = 10.0
NUMBERS = (mix.GIFHORN_CENTRAL, mix.WARDENBURG_CENTRAL, mix.GIFHORN_KFZ, mix.UNKNOWN)


@pytest.fixture(scope="module")
def center(testbed: Testbed, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CallCenter]:
    run_dir = tmp_path_factory.mktemp("two-daemons")
    names = [name for tenant in mix.TENANTS for name in tenant.sounds]
    pbx = CallCenter.start(testbed, run_dir, names, agents=8, talk_ms=mix.AGENT_TALK_MS)
    yield pbx
    pbx.stop()


def second_config(first: Path, run_dir: Path) -> tuple[Path, int]:
    """bridge.yaml of the second daemon: its own FastAGI port, metrics port and state, the
    same AMI account and the same call log."""
    port = ports.free_port()
    bridge = yaml.safe_load(first.read_text())
    bridge["agi"] = {"listen": f"127.0.0.1:{port}"}
    bridge["metrics"] = {"listen": f"127.0.0.1:{ports.free_port()}"}
    bridge["state_dir"] = str(run_dir / "state-b")
    path = first.with_name("bridge-b.yaml")
    path.write_text(yaml.safe_dump(bridge, allow_unicode=True, sort_keys=False))
    return path, port


def test_a_rolling_restart_of_one_of_two_daemons_loses_and_doubles_no_call(
    center: CallCenter, tmp_path: Path
) -> None:
    bridge = center.configure(mix.TENANTS, queue_timeout=30)
    tracked = tracking.enable(center, bridge, tmp_path)
    log_a = tmp_path / "daemon-a.log"
    service = tracking.start_service(center, tracked, log_a)
    config_b, port_b = second_config(bridge, tmp_path)
    log_b = tmp_path / "daemon-b.log"
    second = Daemon(config_b, port_b, log_b)
    second.start()
    restarts = 0
    try:
        tracking.wait_for_log(log_b, "ami_resynced")
        center.set_global("PBXB_SECOND_AGI_URL", f"agi://127.0.0.1:{port_b}/route")
        numbers = itertools.cycle(NUMBERS)
        calls = [Call(next(numbers)) for _ in range(CALLS)]
        callers = center.place(calls, hold_ms=mix.HANGS_UP_AFTER_TALK, rate=RATE)
        deadline = time.monotonic() + CALLS / RATE
        while time.monotonic() + RESTART_EVERY_S < deadline:
            time.sleep(RESTART_EVERY_S)
            service.stop()
            service = tracking.start_service(center, tracked, log_a)
            restarts += 1
        result = callers.wait(90)
        assert result.ok, f"{result.failed} failed calls; see {callers.error_log}"
        tracked.wait_for_records(CALLS, timeout=30)
        time.sleep(2.0)  # a duplicate would show now
        records = tracked.records()
    finally:
        service.stop()
        second.stop()

    assert restarts >= 3
    # The second daemon decided the calls that came while the first was restarting.
    assert tracking.events(log_b, "call_routed"), "no call reached the second daemon"
    assert len(records) == CALLS, [r["call_id"] for r in records]
    assert len({(r["node"], r["call_id"]) for r in records}) == CALLS
    assert {r["decided_by"] for r in records} == {"daemon"}
    outcomes = {r["outcome"] for r in records}
    assert outcomes <= {"resolved", "closed", "unrouted"}, outcomes
    assert sum(r["outcome"] == "closed" for r in records) == CALLS // len(NUMBERS)


def test_an_agents_wrapup_seen_by_both_daemons_makes_one_record_and_one_ticket(
    center: CallCenter, tmp_path: Path
) -> None:
    bridge = center.configure(mix.TENANTS, queue_timeout=30)
    tracked = tracking.enable(center, bridge, tmp_path)
    log_a, log_b = tmp_path / "daemon-a.log", tmp_path / "daemon-b.log"
    service = tracking.start_service(center, tracked, log_a)
    config_b, port_b = second_config(bridge, tmp_path)
    second = Daemon(config_b, port_b, log_b)
    second.start()
    try:
        tracking.wait_for_log(log_b, "ami_resynced")
        center.set_global("PBXB_SECOND_AGI_URL", f"agi://127.0.0.1:{port_b}/route")
        [call] = center.run_calls([Call(mix.GIFHORN_KFZ)], hold_ms=mix.HANGS_UP_AFTER_TALK)
        assert call.answered_by is not None, call.describe()
        code = center.dial_feature_code(call.answered_by.removeprefix("PJSIP/"), "*81")
        assert code.heard == ["beep"], code.describe()
        for log in (log_a, log_b):
            tracking.wait_for_log(log, "wrapup_applied")
        time.sleep(1.0)  # a second record or ticket would show now
        records, tickets, wrapups = rows(tracked, "calls", "tickets", "wrapups")
    finally:
        service.stop()
        second.stop()

    assert [(r["call_id"], r["outcome"]) for r in records] == [(call.linkedid, "callback")]
    assert records[0]["tracked_outcome"] == "resolved", records
    assert [(t["call_id"], t["source"], t["status"]) for t in tickets] == [
        (call.linkedid, "agent", "open")
    ]
    assert [(w["call_id"], w["status"]) for w in wrapups] == [(call.linkedid, "applied")]
    applied = [
        line["status"] for log in (log_a, log_b) for line in tracking.events(log, "wrapup_applied")
    ]
    assert applied == ["applied", "applied"], applied


def rows(tracked: tracking.Tracking, *tables: str) -> list[list[dict[str, Any]]]:
    with sqlite3.connect(f"file:{tracked.database}?mode=ro", uri=True) as db:
        db.row_factory = sqlite3.Row
        return [[dict(row) for row in db.execute(f"SELECT * FROM {t}")] for t in tables]
