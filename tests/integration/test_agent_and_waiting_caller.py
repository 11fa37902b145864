"""What the agent's phone shows and what a waiting caller may choose, through the real Asterisk.

The agents' SIPp phones keep every INVITE they receive: the display name and the X-PBXB
headers are read from there. Callers press 1 with RFC 4733 events (SIPp's dtmf_2833_1.pcap);
the callback ends in the daemon's database (ticket and record) and in Asterisk's CDR (recovered
from there when the daemon was down), the overflow forward at the switchboard's SIPp, the
position announcements in Asterisk's full log.
"""

from __future__ import annotations

import dataclasses
import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.testbed import center, tracking
from tests.testbed.asterisk import Testbed
from tests.testbed.callcenter import NOBODY_QUEUE, CallCenter
from tests.testbed.calls import CallTrace
from tests.testbed.sipp import Call, header, received_invites

KEYS_CONTEXT = "context = pbx-bridge-queue-keys"
# The waiting room: no agent ever answers. Position announced on entry and every 4 s, with
# the German sentence parts pbx-bridge renders.
WAITING_ROOM = (
    KEYS_CONTEXT,
    "announce-frequency = 4",
    "announce-position = yes",
    "announce-holdtime = no",
    "queue-youarenext = pbx-bridge/queue-youarenext",
    "queue-thereare = pbx-bridge/queue-thereare",
    "queue-callswaiting = pbx-bridge/queue-callswaiting",
)
GIFHORN = dataclasses.replace(
    center.GIFHORN,
    extra={
        "short_name": "Gifhorn",
        "numbers": [
            {"number": "05371 82-0", "department": "Zentrale"},
            {"number": "05371 82-370", "department": "Kfz-Zulassung", "department_short": "Kfz"},
        ],
        "knowledge_url": "https://wissen.gifhorn.de/suche?q={department}",
        "whisper": "gifhorn-whisper",
    },
)
MEINERSEN = dataclasses.replace(center.MEINERSEN, extra={"short_name": "Meinersen"})
# Bad YAML: a name with CR/LF that tries to add a header, and 2,000 characters.
HOSTILE = center.Tenant(
    "wolfsburg",
    "Stadt\r\nX-Injected: yes\r\n" + "W" * 2000,
    [("05361 28-0", "Zentrale\r\nX-Injected: dept")],
)
SWITCHBOARD = "02942 0999-100"  # fictional: Geseke's own switchboard
GESEKE_WAITING = dataclasses.replace(
    center.GESEKE,
    open=True,
    closed_action="hangup",
    forward_to="",
    extra={
        "queue": NOBODY_QUEUE,
        "overflow": {"action": "forward", "forward_to": SWITCHBOARD},
    },
)
GIFHORN_WAITING = dataclasses.replace(
    GIFHORN, extra={**GIFHORN.extra, "queue": NOBODY_QUEUE, "callback_offer_after_s": 3}
)
# Callers that can be called back need real numbers: public central numbers.
GIFHORN_CALLER = "05371820"


@pytest.fixture(scope="module")
def pbx(testbed: Testbed, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CallCenter]:
    run_dir = tmp_path_factory.mktemp("choices")
    names = [*GIFHORN.sounds, *MEINERSEN.sounds, *center.GESEKE.sounds, "gifhorn-whisper"]
    started = CallCenter.start(
        testbed,
        run_dir,
        names,
        agents=2,
        talk_ms=800,
        trace_agents=True,
        queue_settings={center.CENTER_QUEUE: (KEYS_CONTEXT,), NOBODY_QUEUE: WAITING_ROOM},
    )
    yield started
    started.stop()


@pytest.fixture
def service(pbx: CallCenter, tmp_path: Path) -> Iterator[tuple[tracking.Tracking, Any]]:
    yield from _service(pbx, tmp_path, (GIFHORN, MEINERSEN, HOSTILE), queue_timeout=20)


def _service(
    pbx: CallCenter, tmp_path: Path, tenants: tuple[center.Tenant, ...], *, queue_timeout: int
) -> Iterator[tuple[tracking.Tracking, Any]]:
    bridge = pbx.configure(tenants, queue_timeout=queue_timeout)
    tracked = tracking.enable(pbx, bridge, tmp_path)
    running = tracking.start_service(pbx, tracked, tmp_path / "daemon.log")
    try:
        yield tracked, running
    finally:
        running.stop()


def agent_invite(pbx: CallCenter, trace: CallTrace) -> str:
    """The first INVITE an agent's phone received for the call of `trace`."""
    for phone in pbx.agents.values():
        for invite in received_invites(phone):
            if header(invite, "X-PBXB-Call") == [trace.linkedid]:
                return invite
    raise AssertionError(f"no agent received an INVITE for {trace.describe()}")


def display_name(invite: str) -> str:
    [from_] = header(invite, "From")
    assert from_.startswith('"'), from_
    return from_[1:].split('"', 1)[0]


def test_agent_sees_gifhorn_kfz_and_the_callers_name_with_umlauts_and_screen_pop_headers(
    pbx: CallCenter, service: object
) -> None:
    [trace] = pbx.run_calls([Call(center.GIFHORN_KFZ, name="Müller")], hold_ms=8000)
    assert trace.answered_by, trace.describe()
    invite = agent_invite(pbx, trace)
    assert display_name(invite) == "Gifhorn Kfz: Müller", invite
    assert header(invite, "X-PBXB-Tenant") == ["gifhorn"]
    assert header(invite, "X-PBXB-Department") == ["Kfz-Zulassung"]
    assert header(invite, "Call-Info") == [
        "<https://wissen.gifhorn.de/suche?q=Kfz-Zulassung>;purpose=info"
    ]
    # The agent alone heard the whisper before being connected (Asterisk's log).
    log = pbx.asterisk.full_log.read_text(errors="replace")
    assert re.search(r"<PJSIP/agent\d+-[0-9a-f]+> Playing 'pbx-bridge/gifhorn-whisper\.", log)
    # The call record keeps the caller's own identity: only the agent's display changed.
    assert trace.var("PBXB_TENANT") == "gifhorn"


def test_agent_sees_meinersen_for_a_call_forwarded_from_meinersen(
    pbx: CallCenter, service: object
) -> None:
    call = Call(center.WOLFSBURG_CENTRAL, diversion=center.MEINERSEN_CENTRAL, name="Schulz")
    [trace] = pbx.run_calls([call], hold_ms=8000)
    invite = agent_invite(pbx, trace)
    assert display_name(invite) == "Meinersen Zentrale: Schulz", invite
    assert header(invite, "X-PBXB-Tenant") == ["meinersen"]
    assert header(invite, "X-PBXB-Department") == ["Zentrale"]
    assert header(invite, "Call-Info") == []


def test_agent_sees_the_center_and_the_number_for_a_call_no_tenant_claims(
    pbx: CallCenter, service: object
) -> None:
    call = Call(center.UNKNOWN_NUMBER)
    [trace] = pbx.run_calls([call], hold_ms=8000)
    invite = agent_invite(pbx, trace)
    assert display_name(invite) == f"Service Center Testbed: {call.caller}", invite
    assert header(invite, "X-PBXB-Tenant") == ["-"]
    assert header(invite, "X-PBXB-Department") == ["-"]


def test_header_syntax_in_names_never_reaches_the_agent_as_a_header(
    pbx: CallCenter, service: object
) -> None:
    evil = "Mü <sip:evil@example.org>, X-Injected: name"
    [trace] = pbx.run_calls([Call(center.WOLFSBURG_CENTRAL, name=evil)], hold_ms=8000)
    assert trace.answered_by, trace.describe()
    invite = agent_invite(pbx, trace)
    assert header(invite, "X-Injected") == [], invite
    shown = display_name(invite)
    assert shown.startswith("Stadt X-Injected: yes WWW"), shown
    assert len(shown) <= 60 and "<" not in shown, shown
    assert header(invite, "X-PBXB-Department") == ["Zentrale X-Injected: dept"]


def records_and_tickets(tracked: tracking.Tracking) -> tuple[list[Any], list[Any]]:
    with sqlite3.connect(f"file:{tracked.database}?mode=ro", uri=True) as db:
        db.row_factory = sqlite3.Row
        tickets = [dict(row) for row in db.execute("SELECT * FROM tickets")]
    return tracked.records(), tickets


def pressing_1(pbx: CallCenter, call: Call, timeout: float) -> CallTrace:
    """Place `call`, whose caller presses 1 while waiting; its trace once the caller is done."""
    callers = pbx.place([call], pressing_1=True)
    assert callers.wait(timeout).ok
    [trace] = pbx.traces([call])
    return trace


def test_caller_who_presses_1_twice_gets_a_callback_ticket_and_hears_the_confirmation(
    pbx: CallCenter, tmp_path: Path
) -> None:
    for tracked, _running in _service(pbx, tmp_path, (GIFHORN_WAITING,), queue_timeout=60):
        trace = pressing_1(pbx, Call(center.GIFHORN_CENTRAL, caller=GIFHORN_CALLER), 90)
        assert trace.var("PBXB_CALLBACK") == GIFHORN_CALLER, trace.describe()
        assert "pbx-bridge/callback-booked" in trace.heard, trace.describe()
        assert "pbx-bridge/digit-5" in trace.heard, trace.describe()
        [record] = tracked.wait_for_records(1)
        assert record["outcome"] == "callback", record
        # The record keeps the shortened number; the full one lives in the ticket only.
        assert str(record["caller"]).endswith("xxx"), record
        _records, [ticket] = records_and_tickets(tracked)
        assert ticket["source"] == "caller" and ticket["caller_full"] == GIFHORN_CALLER
        assert ticket["tenant"] == "gifhorn" and ticket["due"] is not None


def test_caller_who_waits_past_the_timeout_is_forwarded_to_the_towns_switchboard(
    pbx: CallCenter, tmp_path: Path
) -> None:
    for tracked, _running in _service(pbx, tmp_path, (GESEKE_WAITING,), queue_timeout=6):
        [trace] = pbx.run_calls([Call(center.GESEKE_CENTRAL)], hold_ms=15000)
        [dial] = trace.dialled_out
        assert "029420999100@switchboard" in dial, trace.describe()
        assert trace.forward_answered, trace.describe()
        [record] = tracked.wait_for_records(1)
        assert record["outcome"] == "overflow", record
        assert record["detail"] == "timeout; forwarded to 029420999100", record
        # Waiting 6 s in a queue announcing every 4 s: the position was announced.
        log = pbx.asterisk.full_log.read_text(errors="replace")
        announced = rf"<{re.escape(trace.channel)}> Playing 'pbx-bridge/queue-youarenext\."
        assert re.search(announced, log), trace.describe()


def test_withheld_caller_pressing_1_is_never_offered_a_callback_and_keeps_waiting(
    pbx: CallCenter, tmp_path: Path
) -> None:
    for tracked, _running in _service(pbx, tmp_path, (GIFHORN_WAITING,), queue_timeout=8):
        trace = pressing_1(pbx, Call(center.GIFHORN_CENTRAL, withheld=True), 60)
        assert not any(h.startswith("pbx-bridge/callback") for h in trace.heard), trace.heard
        assert trace.heard[-1] == "pbx-bridge/overflow", trace.describe()
        [record] = tracked.wait_for_records(1)
        assert record["outcome"] == "overflow" and record["caller"] is None, record


def cdr_file(pbx: CallCenter) -> Path:
    return pbx.asterisk.run_dir / "log" / "cdr-custom" / "pbx-bridge-cdr.csv"


def audit(config: Path) -> subprocess.CompletedProcess[str]:
    day = datetime.now(ZoneInfo("Europe/Berlin")).date().isoformat()
    return subprocess.run(
        [sys.executable, "-m", "pbx_bridge", "audit", "--config", str(config),
         "--from", day, "--to", day],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip


def test_a_callback_the_caller_booked_is_in_the_cdr_also_while_the_daemon_is_down(
    pbx: CallCenter, tmp_path: Path
) -> None:
    # The CDR of this test's calls alone: earlier tests' calls have no record in this log.
    cdr_file(pbx).write_text("")
    bridge = pbx.configure((GIFHORN_WAITING,), queue_timeout=60)
    cdr = {"source": "csv", "path": str(cdr_file(pbx)), "delay_s": 1}
    tracked = tracking.enable(pbx, bridge, tmp_path, {"cdr": cdr})
    log = tmp_path / "daemon.log"
    service = tracking.start_service(pbx, tracked, log)
    try:
        seen = Call(center.GIFHORN_CENTRAL, caller=GIFHORN_CALLER)
        assert pbx.place([seen], pressing_1=True).wait(60).ok
        [record] = tracked.wait_for_records(1)
        assert record["outcome"] == "callback" and record["source"] is None, record
        checked = audit(tracked.config)
        assert checked.returncode == 0, checked.stdout + checked.stderr

        service.stop()  # the failsafe decides, nobody tracks; the caller books all the same
        unseen = Call(center.GIFHORN_CENTRAL, caller=center.WOLFSBURG_CENTRAL)
        assert pbx.place([unseen], pressing_1=True).wait(60).ok
        [trace] = pbx.traces([unseen])
        assert trace.var("PBXB_DECIDED_BY") == "fallback", trace.describe()
        assert trace.var("PBXB_CALLBACK") == center.WOLFSBURG_CENTRAL, trace.describe()
        runs = len(tracking.events(log, "cdr_reconciled"))
        service = tracking.start_service(pbx, tracked, log)
        [*_, reconciled] = tracking.wait_for_log(log, "cdr_reconciled", timeout=20, count=runs + 1)
        assert (reconciled["missing"], reconciled["corrected"]) == (1, 0), reconciled
    finally:
        service.stop()

    records, tickets = records_and_tickets(tracked)
    assert [(r["outcome"], r["source"]) for r in records] == [
        ("callback", None),
        ("callback", "cdr"),
    ]
    assert records[1]["detail"] == "the caller chose a callback", records[1]
    assert sorted((t["source"], t["caller_full"]) for t in tickets) == sorted(
        [("caller", GIFHORN_CALLER), ("caller", center.WOLFSBURG_CENTRAL)]
    )
    checked = audit(tracked.config)
    assert checked.returncode == 0, checked.stdout + checked.stderr
