"""Calls that begin and end while the daemon is down still get exactly one record each, from
Asterisk's own CDR, and `pbx-bridge audit` finds the call log equal to Asterisk's records.

The daemon is killed (-9) under traffic and kept down while callers are served by the
fallback AGI: answered, transferred by SIP REFER, closed, forwarded, unrouted; a caller who
was waiting at the kill hangs up meanwhile (the tracker can only guess that call's outcome).
After its restart the daemon reconciles the call log with the CDR file Asterisk writes
(cdr_custom): it adds the calls it never saw and corrects the guess.
`PBXB_CDR_OUTAGE_S` sets how long it stays down (default 15 s; `make soak` runs 60 s).
Where the CDR cannot tell a transfer (to a line no party answers), Asterisk's CEL can: the
restarted daemon reads both.
"""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from pbx_bridge.cdr.csv_source import CsvSource
from pbx_bridge.cdr.settings import CUSTOM_COLUMNS
from pbx_bridge.core.calls import Outcome
from pbx_bridge.core.cdr_outcomes import records_of
from pbx_bridge.core.privacy import PrivacyPolicy
from tests.testbed import center as center_numbers
from tests.testbed import record_ami as mix
from tests.testbed import tracking
from tests.testbed.asterisk import Testbed
from tests.testbed.callcenter import NOBODY_QUEUE, CallCenter
from tests.testbed.sipp import Call

pytestmark = pytest.mark.asterisk

OUTAGE_S = float(os.environ.get("PBXB_CDR_OUTAGE_S", "15"))
BERLIN = ZoneInfo("Europe/Berlin")
EVER = (datetime(2000, 1, 1, tzinfo=BERLIN), datetime(2100, 1, 1, tzinfo=BERLIN))
# Meinersen's calls wait in a queue nobody serves: a caller still waiting at the kill hangs up
# during the outage, which the restarted tracker can only guess ("failed").
MEINERSEN = dataclasses.replace(mix.MEINERSEN, extra={"queue": NOBODY_QUEUE})
TENANTS = (mix.GIFHORN, MEINERSEN, mix.ISENBUETTEL, mix.WARDENBURG, mix.GESEKE)


@pytest.fixture(scope="module")
def center(testbed: Testbed, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CallCenter]:
    run_dir = tmp_path_factory.mktemp("cdr")
    names = [name for tenant in TENANTS for name in tenant.sounds]
    pbx = CallCenter.start(
        testbed, run_dir, names, agents=mix.AGENTS, talk_ms=mix.AGENT_TALK_MS,
        refer_after_ms=mix.REFER_AFTER_MS,
    )  # fmt: skip
    yield pbx
    pbx.stop()


def cdr_file(center: CallCenter) -> Path:
    return center.asterisk.run_dir / "log" / "cdr-custom" / "pbx-bridge-cdr.csv"


def audit(config: Path, day: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pbx_bridge", "audit", "--config", str(config),
         "--from", day, "--to", day],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip


def kill_9(service: tracking.Service) -> None:
    process = service.daemon.process
    assert process is not None
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(10)
    service.daemon.process = None


def test_calls_during_a_daemon_outage_get_one_record_each_and_the_audit_is_equal(
    center: CallCenter, tmp_path: Path
) -> None:
    bridge = center.configure(TENANTS, queue_timeout=20)
    tracked = tracking.enable(
        center, bridge, tmp_path,
        {"privacy": {"shorten_digits": 0},
         "cdr": {"source": "csv", "path": str(cdr_file(center)), "delay_s": 5}},
    )  # fmt: skip
    log = tmp_path / "daemon.log"
    service = tracking.start_service(center, tracked, log)
    session = mix.Session(center, service.daemon)
    try:
        before = [
            session.plan(mix.GIFHORN_CENTRAL, mix.HANGS_UP_AFTER_TALK, "resolved", "before"),
            session.plan(mix.WARDENBURG_CENTRAL, mix.WAITS, "closed", "before"),
        ]
        session.place(before)
        tracked.wait_for_records(len(before), timeout=30)

        # Answered now, ended by the agent while the daemon is down.
        spanning = session.plan(mix.GIFHORN_KFZ, mix.WAITS, "resolved", "spans the kill")
        # Waiting now, hangs up while the daemon is down: about 7 s in the queue, the kill
        # comes 2.5 s after it joined.
        waiting = session.plan(
            center_numbers.MEINERSEN_CENTRAL, 9000, "abandoned", "abandons in the outage"
        )
        running = [
            center.place([spanning.call], hold_ms=spanning.hold_ms),
            center.place([waiting.call], hold_ms=waiting.hold_ms),
        ]
        for call in (spanning, waiting):
            center.ami.wait_until(tracking.in_queue(call.call.caller), 20, call.story)
        time.sleep(2.5)  # greeting over, an agent answered
        kill_9(service)
        down_since = time.monotonic()
        during = [
            session.plan(mix.GIFHORN_CENTRAL, mix.HANGS_UP_AFTER_TALK, "resolved", "down"),
            session.plan(mix.ISENBUETTEL_CENTRAL, 7000, "transferred", "down: REFER"),
            session.plan(mix.WARDENBURG_CENTRAL, mix.WAITS, "closed", "down"),
            session.plan(mix.GESEKE_CENTRAL, 5000, "closed", "down: forwarded"),
            session.plan(mix.UNKNOWN, mix.HANGS_UP_AFTER_TALK, "unrouted", "down"),
        ]
        session.place(during, stagger_s=0.3)
        for callers in running:
            assert callers.wait(60).ok
        time.sleep(max(0.0, OUTAGE_S - (time.monotonic() - down_since)))

        # The first start reconciled once already (nothing missing then).
        runs = len(tracking.events(log, "cdr_reconciled"))
        service = tracking.start_service(center, tracked, log)
        reconciled = tracking.wait_for_log(log, "cdr_reconciled", timeout=30, count=runs + 1)[-1]
        after = [session.plan(mix.GIFHORN_KFZ, mix.HANGS_UP_AFTER_TALK, "resolved", "after")]
        session.place(after)
        planned = [*before, spanning, waiting, *during, *after]
        tracked.wait_for_records(len(planned), timeout=30)
        time.sleep(1.0)  # a duplicate would show now
    finally:
        service.stop()

    records = tracked.records()
    by_caller = {record["caller"]: record for record in records}
    assert len(records) == len(planned) == len(by_caller), records
    for call in planned:
        record = by_caller[call.call.caller]
        assert record["outcome"] == call.outcome, (call.story, record)
    assert by_caller[during[1].call.caller]["detail"] == "clerk-1"
    assert by_caller[during[1].call.caller]["tenant"] == "isenbuettel"
    assert by_caller[during[4].call.caller]["tenant"] is None
    from_cdr = {r["caller"] for r in records if r["source"] == "cdr"}
    assert from_cdr == {call.call.caller for call in [waiting, *during]}
    assert (reconciled["missing"], reconciled["corrected"]) == (len(during), 1)
    assert by_caller[waiting.call.caller]["tenant"] == "meinersen"
    assert by_caller[spanning.call.caller]["source"] is None  # the tracker's own record

    day = datetime.now(ZoneInfo("Europe/Berlin")).date().isoformat()
    checked = audit(tracked.config, day)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "differ" not in checked.stdout


def cel_file(center: CallCenter) -> Path:
    return center.asterisk.run_dir / "log" / "cel-custom" / "pbx-bridge-cel.csv"


def test_a_transfer_no_cdr_row_shows_is_recovered_from_cel_after_an_outage(
    center: CallCenter, tmp_path: Path
) -> None:
    """The agent blind-transfers to a clerk whose line is an announcement: no party answers
    after the agent, so the CDR alone says resolved; CEL's BLINDTRANSFER says transferred."""
    # This test's calls alone: the log below has none of the module's earlier calls.
    for path in (cdr_file(center), cel_file(center)):
        path.write_text("")
    bridge = center.configure(TENANTS, queue_timeout=20)
    cel = {"source": "csv", "path": str(cel_file(center))}
    tracked = tracking.enable(
        center, bridge, tmp_path,
        {"cdr": {"source": "csv", "path": str(cdr_file(center)), "delay_s": 1, "cel": cel}},
    )  # fmt: skip
    log = tmp_path / "daemon.log"
    service = tracking.start_service(center, tracked, log)
    center.set_global("TESTBED_CLERK_AWAY", "1")
    try:
        service.stop()
        # A caller of its own: the module's first test numbered its callers from 01.
        away = Call(mix.ISENBUETTEL_CENTRAL, caller="099955500099")
        assert center.place([away], hold_ms=mix.WAITS).wait(60).ok
        [trace] = center.traces([away])
        runs = len(tracking.events(log, "cdr_reconciled"))
        service = tracking.start_service(center, tracked, log)
        [*_, reconciled] = tracking.wait_for_log(log, "cdr_reconciled", timeout=20, count=runs + 1)
        [record] = tracked.wait_for_records(1)
    finally:
        center.reset_globals()
        service.stop()

    assert reconciled["missing"] == 1, reconciled
    assert (record["call_id"], record["source"]) == (trace.linkedid, "cdr"), record
    assert (record["outcome"], record["detail"]) == ("transferred", "clerk-1"), record
    assert record["tenant"] == "isenbuettel", record
    # The CDR alone: the agent answered and nobody after, so it would say resolved.
    rows = CsvSource(cdr_file(center), CUSTOM_COLUMNS, BERLIN).rows(*EVER)
    [cdr_only] = records_of(rows, "n", PrivacyPolicy())
    assert cdr_only.outcome is Outcome.RESOLVED, cdr_only
    day = datetime.now(BERLIN).date().isoformat()
    checked = audit(tracked.config, day)
    assert checked.returncode == 0, checked.stdout + checked.stderr
