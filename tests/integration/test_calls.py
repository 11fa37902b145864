"""Calls through the real Asterisk, decided by the real daemon (or its fallback), as callers
experience them. Every assertion reads Asterisk's own AMI events (VarSet, Newexten Playback +
PLAYBACKSTATUS, QueueCallerJoin, AgentConnect, Dial, Cdr), never the daemon's word.
"""

from __future__ import annotations

import dataclasses
import itertools

from tests.testbed import center, sounds
from tests.testbed.callcenter import CallCenter, Daemons
from tests.testbed.calls import CallTrace
from tests.testbed.sipp import Call

AGENTS = {"PJSIP/agent1", "PJSIP/agent2", "PJSIP/agent3", "PJSIP/agent4"}
GIFHORN_CLOSED = dataclasses.replace(center.GIFHORN, open=False)
GIFHORN_SWITCHBOARD = "05371 0999-100"  # fictional
GIFHORN_CLOSED_FORWARD = dataclasses.replace(
    center.GIFHORN, open=False, closed_action="forward", forward_to=GIFHORN_SWITCHBOARD
)


def assert_queued_with_greeting(trace: CallTrace, greeting: str) -> None:
    assert trace.heard[:1] == [f"pbx-bridge/{greeting}"], trace.describe()
    assert trace.queues_joined == [center.CENTER_QUEUE], trace.describe()


def test_call_to_gifhorn_central_number_hears_gifhorn_and_reaches_an_agent(
    call_center: CallCenter, daemons: Daemons
) -> None:
    daemons.start()
    [trace] = call_center.run_calls([Call(center.GIFHORN_CENTRAL)])
    assert trace.var("PBXB_DECIDED_BY") == "daemon", trace.describe()
    assert trace.var("PBXB_TENANT") == "gifhorn"
    assert trace.var("PBXB_DEPARTMENT") == "Zentrale"
    assert trace.var("PBXB_ACTION") == "queue"
    assert_queued_with_greeting(trace, "gifhorn")
    assert trace.answered_by in AGENTS, trace.describe()
    assert "gifhorn" in trace.cdr_accountcodes, trace.cdr_accountcodes


def test_call_to_closed_gifhorn_hears_closed_announcement_and_is_never_queued(
    call_center: CallCenter, daemons: Daemons
) -> None:
    daemons.start([GIFHORN_CLOSED, center.MEINERSEN])
    [trace] = call_center.run_calls([Call(center.GIFHORN_CENTRAL)])
    assert trace.var("PBXB_ACTION") == "closed", trace.describe()
    assert trace.var("PBXB_TENANT") == "gifhorn"
    assert trace.heard == ["pbx-bridge/gifhorn-closed"], trace.describe()
    assert trace.queues_joined == [], trace.describe()
    assert trace.dialled_out == [], trace.describe()


def test_call_to_closed_gifhorn_with_forward_reaches_the_town_switchboard(
    call_center: CallCenter, daemons: Daemons
) -> None:
    daemons.start([GIFHORN_CLOSED_FORWARD])
    [trace] = call_center.run_calls([Call(center.GIFHORN_CENTRAL)])
    assert trace.var("PBXB_CLOSED_ACTION") == "forward", trace.describe()
    assert trace.heard == ["pbx-bridge/gifhorn-closed"], trace.describe()
    [dial] = trace.dialled_out
    assert "0999100@switchboard" in dial, dial
    assert trace.forward_answered, trace.describe()
    assert trace.queues_joined == [], trace.describe()


def test_forwarded_call_to_the_center_number_from_meinersen_is_meinersens(
    call_center: CallCenter, daemons: Daemons
) -> None:
    daemons.start()
    call = Call(center.WOLFSBURG_CENTRAL, diversion=center.MEINERSEN_CENTRAL)
    [trace] = call_center.run_calls([call])
    assert trace.var("PBXB_TENANT") == "meinersen", trace.describe()
    assert_queued_with_greeting(trace, "meinersen")


def test_call_to_a_number_no_tenant_claims_hears_center_greeting_and_is_queued(
    call_center: CallCenter, daemons: Daemons
) -> None:
    daemons.start()
    [trace] = call_center.run_calls([Call(center.UNKNOWN_NUMBER)])
    assert trace.var("PBXB_ACTION") == "unrouted", trace.describe()
    assert trace.var("PBXB_DECIDED_BY") == "daemon"
    assert not trace.var("PBXB_TENANT")
    assert_queued_with_greeting(trace, center.CENTER_GREETING)


def test_with_the_daemon_stopped_the_fallback_routes_gifhorn_callers_right(
    call_center: CallCenter,
) -> None:
    call_center.configure(
        center.EXAMPLE_TENANTS
    )  # the fallback reads the same files; no daemon runs
    [trace] = call_center.run_calls([Call(center.GIFHORN_KFZ)])
    assert trace.values_of("AGISTATUS") == ["FAILURE", "SUCCESS"], trace.describe()
    assert trace.var("PBXB_DECIDED_BY") == "fallback", trace.describe()
    assert trace.var("PBXB_TENANT") == "gifhorn"
    assert trace.var("PBXB_DEPARTMENT") == "Kfz-Zulassung"
    assert_queued_with_greeting(trace, "gifhorn")


def test_with_daemon_and_fallback_broken_caller_hears_center_greeting_and_is_queued(
    call_center: CallCenter,
) -> None:
    call_center.configure(center.EXAMPLE_TENANTS)
    call_center.set_global("PBXB_FALLBACK_CONFIG", "/nonexistent/pbx-bridge/bridge.yaml")
    [trace] = call_center.run_calls([Call(center.GIFHORN_CENTRAL)])
    assert trace.var("PBXB_DECIDED_BY") == "generic", trace.describe()
    assert_queued_with_greeting(trace, center.CENTER_GREETING)


def test_fifty_concurrent_calls_are_all_routed_right(
    call_center: CallCenter, daemons: Daemons
) -> None:
    daemons.start()
    cases = [  # (dialled, diversion, tenant, greeting)
        (center.GIFHORN_CENTRAL, None, "gifhorn", "gifhorn"),
        ("+495371820", None, "gifhorn", "gifhorn"),
        (center.GIFHORN_KFZ, None, "gifhorn", "gifhorn"),
        (center.MEINERSEN_CENTRAL, None, "meinersen", "meinersen"),
        (center.WOLFSBURG_CENTRAL, None, "wolfsburg", "wolfsburg"),
        (center.WOLFSBURG_CENTRAL, center.MEINERSEN_CENTRAL, "meinersen", "meinersen"),
        (center.UNKNOWN_NUMBER, None, "", center.CENTER_GREETING),
    ]
    planned = [
        (Call(dialled, diversion), tenant, greeting)
        for dialled, diversion, tenant, greeting in itertools.islice(itertools.cycle(cases), 50)
    ]
    calls = [call for call, _, _ in planned]
    # Callers hang up shortly after the greeting; agents answer some of them meanwhile.
    hold_ms = int((sounds.longest(call_center.sounds_dir) + 4.0) * 1000)
    traces = call_center.run_calls(calls, hold_ms=hold_ms, rate=50, timeout=90)
    wrong = [
        trace.describe()
        for trace, (_, tenant, greeting) in zip(traces, planned, strict=True)
        if trace.var("PBXB_TENANT") != tenant
        or trace.var("PBXB_DECIDED_BY") != "daemon"
        or trace.heard[:1] != [f"pbx-bridge/{greeting}"]
        or trace.queues_joined != [center.CENTER_QUEUE]
    ]
    assert not wrong, f"{len(wrong)} of 50 calls routed wrong:\n" + "\n".join(wrong)
