"""dialplans/pbx-bridge.conf in a real Asterisk, fed by a scripted FastAGI peer instead of the
daemon: every decision (and broken ones) leads to an announcement and, where due, the queue.
No path ends in silence.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pbx_bridge.agi.decision_event import withheld as agi_withheld
from tests.testbed import center, sounds
from tests.testbed.callcenter import NOBODY_QUEUE, CallCenter
from tests.testbed.sipp import Call
from tests.testbed.stub_agi import SlowAgi, StubAgi

GIFHORN_OPEN = {
    "PBXB_ACTION": "queue",
    "PBXB_TENANT": "gifhorn",
    "PBXB_DEPARTMENT": "Zentrale",
    "PBXB_GREETING": "gifhorn",
    "PBXB_QUEUE": "servicecenter",
    "PBXB_PRIORITY": "5",
    "PBXB_QUEUE_TIMEOUT": "20",
    "PBXB_DECIDED_BY": "daemon",
}
GIFHORN_CLOSED = {
    "PBXB_ACTION": "closed",
    "PBXB_TENANT": "gifhorn",
    "PBXB_CLOSED_ANNOUNCEMENT": "gifhorn-closed",
    "PBXB_CLOSED_ACTION": "hangup",
    "PBXB_DECIDED_BY": "daemon",
}
NO_FALLBACK = "/nonexistent/pbx-bridge-fallback-agi"


@pytest.fixture
def no_fallback(call_center: CallCenter) -> CallCenter:
    call_center.set_global("PBXB_FALLBACK_AGI", NO_FALLBACK)
    return call_center


def test_decision_of_the_daemon_drives_greeting_priority_and_queue(
    call_center: CallCenter,
) -> None:
    call = Call(center.WOLFSBURG_CENTRAL, diversion=center.GIFHORN_CENTRAL)
    with StubAgi(call_center.daemon_port, GIFHORN_OPEN) as stub:
        [trace] = call_center.run_calls([call])
    [request] = stub.requests
    assert request["agi_network_script"] == "route"
    assert request["agi_extension"] == center.WOLFSBURG_CENTRAL
    assert request["agi_arg_1"] == center.GIFHORN_CENTRAL  # REDIRECTING(from-num)
    assert trace.heard == ["pbx-bridge/gifhorn"], trace.describe()
    assert trace.queues_joined == ["servicecenter"], trace.describe()
    assert trace.var("QUEUE_PRIO") == "5"
    assert trace.answered_by is not None, trace.describe()


def test_caller_hears_center_greeting_and_is_queued_when_daemon_and_fallback_are_missing(
    no_fallback: CallCenter,
) -> None:
    [trace] = no_fallback.run_calls([Call(center.GIFHORN_CENTRAL)])
    assert trace.values_of("AGISTATUS") == ["FAILURE", "NOTFOUND"], trace.describe()
    assert trace.var("PBXB_DECIDED_BY") == "generic"
    assert trace.heard == ["pbx-bridge/servicecenter"], trace.describe()
    assert trace.queues_joined == ["servicecenter"], trace.describe()
    assert trace.answered_by is not None, trace.describe()


def test_garbage_decision_is_not_obeyed_and_caller_still_reaches_the_queue(
    no_fallback: CallCenter,
) -> None:
    with StubAgi(no_fallback.daemon_port, {"PBXB_ACTION": "explode", "PBXB_QUEUE": "x"}):
        [trace] = no_fallback.run_calls([Call(center.GIFHORN_CENTRAL)])
    assert trace.var("PBXB_DECIDED_BY") == "generic", trace.describe()
    assert trace.heard == ["pbx-bridge/servicecenter"], trace.describe()
    assert trace.queues_joined == ["servicecenter"], trace.describe()


def test_caller_hears_center_greeting_when_the_tenant_greeting_is_missing(
    call_center: CallCenter,
) -> None:
    decision = {**GIFHORN_OPEN, "PBXB_GREETING": "no-such-greeting"}
    with StubAgi(call_center.daemon_port, decision):
        [trace] = call_center.run_calls([Call(center.GIFHORN_CENTRAL)])
    assert trace.playbacks[0] == ("pbx-bridge/no-such-greeting", "FAILED"), trace.describe()
    assert trace.heard == ["pbx-bridge/servicecenter"], trace.describe()
    assert trace.queues_joined == ["servicecenter"], trace.describe()


def test_caller_nobody_answers_hears_overflow_when_the_queue_times_out(
    call_center: CallCenter,
) -> None:
    decision = {**GIFHORN_OPEN, "PBXB_QUEUE": NOBODY_QUEUE, "PBXB_QUEUE_TIMEOUT": "2"}
    with StubAgi(call_center.daemon_port, decision):
        [trace] = call_center.run_calls([Call(center.GIFHORN_CENTRAL)])
    assert trace.queues_joined == [NOBODY_QUEUE], trace.describe()
    assert trace.var("QUEUESTATUS") == "TIMEOUT"
    assert trace.heard == ["pbx-bridge/gifhorn", "pbx-bridge/overflow"], trace.describe()


def test_caller_routed_to_a_queue_that_does_not_exist_hears_overflow(
    call_center: CallCenter,
) -> None:
    decision = {**GIFHORN_OPEN, "PBXB_QUEUE": "no-such-queue"}
    with StubAgi(call_center.daemon_port, decision):
        [trace] = call_center.run_calls([Call(center.GIFHORN_CENTRAL)])
    assert trace.heard == ["pbx-bridge/gifhorn", "pbx-bridge/overflow"], trace.describe()


def test_closed_caller_hears_the_announcement_and_is_never_queued(
    call_center: CallCenter,
) -> None:
    with StubAgi(call_center.daemon_port, GIFHORN_CLOSED):
        [trace] = call_center.run_calls([Call(center.GIFHORN_CENTRAL)])
    assert trace.heard == ["pbx-bridge/gifhorn-closed"], trace.describe()
    assert trace.queues_joined == [], trace.describe()
    assert trace.dialled_out == [], trace.describe()


def test_closed_caller_hears_generic_closed_prompt_when_the_announcement_is_missing(
    call_center: CallCenter,
) -> None:
    decision = {**GIFHORN_CLOSED, "PBXB_CLOSED_ANNOUNCEMENT": "no-such-announcement"}
    with StubAgi(call_center.daemon_port, decision):
        [trace] = call_center.run_calls([Call(center.GIFHORN_CENTRAL)])
    assert trace.heard == ["pbx-bridge/closed"], trace.describe()
    assert trace.queues_joined == [], trace.describe()


def test_closed_caller_with_forward_is_put_through_to_the_switchboard(
    call_center: CallCenter,
) -> None:
    decision = {**GIFHORN_CLOSED, "PBXB_CLOSED_ACTION": "forward", "PBXB_FORWARD_TO": "05371 82-0"}
    with StubAgi(call_center.daemon_port, decision):
        [trace] = call_center.run_calls([Call(center.GIFHORN_CENTRAL)])
    assert trace.heard == ["pbx-bridge/gifhorn-closed"], trace.describe()
    assert trace.dialled_out == ["PJSIP/05371820@switchboard,10"], trace.describe()
    assert trace.forward_answered, trace.describe()
    assert trace.queues_joined == [], trace.describe()


def test_call_without_a_dialled_number_is_still_routed(call_center: CallCenter) -> None:
    # PJSIP gives ${EXTEN}=s when the Request-URI has no user part; a SIPp call to "s" stands in.
    with StubAgi(call_center.daemon_port, GIFHORN_OPEN) as stub:
        [trace] = call_center.run_calls([Call("s", diversion=center.GIFHORN_CENTRAL)])
    assert stub.requests[0]["agi_extension"] == "s"
    assert trace.heard == ["pbx-bridge/gifhorn"], trace.describe()
    assert trace.queues_joined == ["servicecenter"], trace.describe()


def test_caller_is_not_held_by_a_daemon_that_never_decides(no_fallback: CallCenter) -> None:
    no_fallback.set_global("PBXB_AGI_TIMEOUT", "1")
    with SlowAgi(no_fallback.daemon_port) as slow:
        [trace] = no_fallback.run_calls([Call(center.GIFHORN_CENTRAL)])
    assert (slow.connections, slow.hangups_seen) == (1, 1)
    assert trace.var("PBXB_DECIDED_BY") == "generic", trace.describe()
    assert trace.heard == ["pbx-bridge/servicecenter"], trace.describe()
    assert trace.queues_joined == ["servicecenter"], trace.describe()


def test_caller_is_not_held_by_a_fallback_that_hangs(
    call_center: CallCenter, tmp_path: Path
) -> None:
    hanging = tmp_path / "hanging-fallback-agi"
    hanging.write_text("#!/bin/sh\nexec sleep 60\n")
    hanging.chmod(0o755)
    call_center.set_global("PBXB_FALLBACK_AGI", str(hanging))
    call_center.set_global("PBXB_AGI_TIMEOUT", "1")
    [trace] = call_center.run_calls([Call(center.GIFHORN_CENTRAL)])
    assert trace.var("PBXB_DECIDED_BY") == "generic", trace.describe()
    assert trace.heard == ["pbx-bridge/servicecenter"], trace.describe()
    assert trace.queues_joined == ["servicecenter"], trace.describe()


def test_caller_who_withholds_the_number_is_marked_withheld(call_center: CallCenter) -> None:
    calls = [Call(center.GIFHORN_CENTRAL, withheld=True), Call(center.GIFHORN_CENTRAL)]
    with StubAgi(call_center.daemon_port, GIFHORN_OPEN) as stub:
        withheld, shown = call_center.run_calls(calls)
    assert withheld.var("PBXB_WITHHELD") == "1", withheld.describe()
    assert shown.var("PBXB_WITHHELD") == "0", shown.describe()
    pres = sorted(request["agi_callingpres"] for request in stub.requests)
    assert pres[0] == "0" and pres[1] != "0", pres  # 0 = allowed, not screened
    # The daemon's own reading, for calls it records without AMI (agi/decision_event.py):
    assert sorted(agi_withheld(request) for request in stub.requests) == [False, True], pres


def test_caller_who_hangs_up_while_waiting_abandons_the_queue(call_center: CallCenter) -> None:
    decision = {**GIFHORN_OPEN, "PBXB_QUEUE": NOBODY_QUEUE, "PBXB_QUEUE_TIMEOUT": "60"}
    with StubAgi(call_center.daemon_port, decision):
        # The caller gives up 1.5 s after the greeting, long before the queue's timeout.
        hold_ms = int((sounds.longest(call_center.sounds_dir) + 1.5) * 1000)
        [trace] = call_center.run_calls([Call(center.GIFHORN_CENTRAL)], hold_ms=hold_ms)
    assert trace.queues_joined == [NOBODY_QUEUE], trace.describe()
    assert trace.abandoned, trace.describe()
    assert trace.heard == ["pbx-bridge/gifhorn"], trace.describe()


def test_caller_hears_ringing_while_the_daemon_is_asked(call_center: CallCenter) -> None:
    # 180 Ringing before anything else: during a daemon outage the call may wait up to twice
    # PBXB_AGI_TIMEOUT before Answer(), and without 180 many networks play dead air.
    with StubAgi(call_center.daemon_port, GIFHORN_OPEN):
        [trace] = call_center.run_calls([Call(center.GIFHORN_CENTRAL)])
    steps = [
        e.get("Application")
        for e in trace.events
        if e.get("Event") == "Newexten" and e.get("Channel") == trace.channel
    ]
    assert steps[0] == "Ringing", steps
    assert steps.index("AGI") < steps.index("Answer"), steps


def test_unset_settings_take_their_defaults_and_given_ones_are_kept(
    no_fallback: CallCenter,
) -> None:
    no_fallback.set_global("PBXB_FALLBACK_CONFIG", "")
    no_fallback.set_global("PBXB_DEFAULT_QUEUE_TIMEOUT", "")
    [trace] = no_fallback.run_calls([Call(center.GIFHORN_CENTRAL)])
    assert trace.var("PBXB_FALLBACK_CONFIG") == "/etc/pbx-bridge/bridge.yaml", trace.describe()
    assert trace.var("PBXB_QUEUE_TIMEOUT") == "300", trace.describe()  # generic: the default
    assert trace.var("PBXB_FALLBACK_AGI") == NO_FALLBACK, trace.describe()  # a global wins
    # A given value is kept verbatim, colons and all (it is IF()'s last branch).
    assert trace.var("PBXB_AGI_URL") == no_fallback.globals["PBXB_AGI_URL"], trace.describe()
    assert trace.heard == ["pbx-bridge/servicecenter"], trace.describe()
