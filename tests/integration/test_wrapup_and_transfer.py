"""What agents do after answering, as Asterisk reports it on AMI: a blind transfer by SIP REFER
from the agent's phone, and the wrap-up feature codes of dialplans/pbx-bridge.conf."""

from __future__ import annotations

import dataclasses

from tests.testbed import ami, center
from tests.testbed.callcenter import (
    CLERK,
    REFER_AGENT,
    TRANSFER_QUEUE,
    TRANSFER_TARGET,
    CallCenter,
    Daemons,
)
from tests.testbed.calls import CallTrace
from tests.testbed.sipp import Call

# Gifhorn's calls go to the queue whose only agent transfers every call to the clerk.
GIFHORN_TRANSFERRING = dataclasses.replace(center.GIFHORN, extra={"queue": TRANSFER_QUEUE})


def wrapup_events(call_center: CallCenter, trace: CallTrace) -> list[tuple[ami.Event, bytes]]:
    """PbxBridgeWrapup events sent by the call `trace`, parsed and as Asterisk sent them."""
    events = call_center.ami.snapshot()
    raw = call_center.ami.raw_snapshot()
    return [
        (e, raw[i])
        for i, e in enumerate(events)
        if e.get("Event") == "UserEvent"
        and e.get("UserEvent") == "PbxBridgeWrapup"
        and e.get("Channel") == trace.channel
    ]


def test_agent_blind_transfer_by_refer_reaches_the_clerk_and_asterisk_reports_it(
    call_center: CallCenter, daemons: Daemons
) -> None:
    daemons.start([GIFHORN_TRANSFERRING])
    [trace] = call_center.run_calls([Call(center.GIFHORN_CENTRAL)])
    assert trace.answered_by == f"PJSIP/{REFER_AGENT}", trace.describe()
    [transfer] = [
        e
        for e in call_center.ami.snapshot()
        if e.get("Event") == "BlindTransfer" and e.get("TransfereeLinkedid") == trace.linkedid
    ]
    assert transfer["Result"] == "Success", transfer
    assert transfer["Extension"] == TRANSFER_TARGET, transfer
    assert transfer["Context"] == "testbed-agents", transfer
    assert transfer["TransfererChannel"].startswith(f"PJSIP/{REFER_AGENT}-"), transfer
    assert transfer["TransfereeChannel"] == trace.channel, transfer
    # The queue closes the agent's part as a transfer; the caller then talks to the clerk.
    # (Asterisk 22 announces the caller's first step in the target extension with the stale
    # application "Queue", and the Dial there with no Newexten: DialEnd tells where it went.)
    reasons = [e.get("Reason") for e in trace.events if e.get("Event") == "AgentComplete"]
    assert reasons == ["transfer"], trace.describe()
    dials = [
        (e.get("DestChannel", "").rpartition("-")[0], e.get("DialStatus"))
        for e in trace.events
        if e.get("Event") == "DialEnd" and e.get("Channel") == trace.channel
    ]
    assert dials == [(f"PJSIP/{REFER_AGENT}", "ANSWER"), (f"PJSIP/{CLERK}", "ANSWER")], dials


def test_callback_feature_code_reports_the_agents_last_call_on_ami(
    call_center: CallCenter, daemons: Daemons
) -> None:
    daemons.start()
    [call] = call_center.run_calls([Call(center.GIFHORN_CENTRAL)])
    assert call.answered_by is not None, call.describe()
    agent = call.answered_by.removeprefix("PJSIP/")

    code = call_center.dial_feature_code(agent, "*81")

    [(wrapup, raw)] = wrapup_events(call_center, code)
    assert wrapup["Outcome"] == "callback", wrapup
    assert wrapup["Agent"] == agent, wrapup
    # Asterisk 22 sends the feature-code channel's headers before the UserEvent's body, so
    # Linkedid comes twice: that call's own first, then the queue call's (the one that counts).
    linkedids = [value for key, value in ami.header_pairs(raw) if key == "Linkedid"]
    assert linkedids == [code.linkedid, call.linkedid], raw
    assert wrapup["Linkedid"] == call.linkedid, wrapup
    assert code.heard == ["beep"], code.describe()


def test_a_phone_that_took_no_queue_call_hears_an_error_beep_and_sends_no_wrapup(
    call_center: CallCenter,
) -> None:
    code = call_center.dial_feature_code("switchboard", "*81")
    assert code.heard == ["beeperr"], code.describe()
    assert wrapup_events(call_center, code) == []
