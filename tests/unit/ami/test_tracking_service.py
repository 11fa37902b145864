"""What arrives from panoramisk reaches the tracker as plain strings, wrap-ups included."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from panoramisk.message import Message

from pbx_bridge.ami.call_events import DECISION_EVENT, flatten, status_variables
from pbx_bridge.ami.call_tracker import CallTracker
from pbx_bridge.ami.link import AmiLink
from pbx_bridge.ami.tracking_service import TrackingService
from pbx_bridge.core.calls import Outcome
from pbx_bridge.core.privacy import PrivacyPolicy
from tests.unit.ami.fake_ami import FAST, FakeAmi, settings
from tests.unit.ami.recording_sink import Sink

NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def parsed(*lines: str) -> Message:
    message = Message.from_line("\r\n".join(lines))
    assert message is not None
    return message


def test_repeated_linkedid_of_a_dialplan_userevent_names_the_wrapped_up_call() -> None:
    # As Asterisk 22 sends UserEvent(PbxBridgeWrapup,Linkedid: …) from the *81 channel.
    message = parsed(
        "Event: UserEvent",
        "Uniqueid: 1795256340.12",
        "Linkedid: 1795256340.12",
        "UserEvent: PbxBridgeWrapup",
        "Linkedid: 1795256327.7",
        "Outcome: callback",
        "Agent: agent3",
    )
    sink = Sink()
    TrackingService(CallTracker("n", PrivacyPolicy()), sink, lambda: NOW).on_event(message)
    (wrapup,) = sink.wrapups
    assert (wrapup.call_id, wrapup.outcome) == ("1795256327.7", Outcome.CALLBACK)


def test_flatten_keeps_plain_values() -> None:
    assert flatten({"Event": "Hangup", "Cause": "16", "Empty": []}) == {
        "Event": "Hangup",
        "Cause": "16",
        "Empty": "",
    }


def test_the_ami_peer_cannot_pose_as_the_daemons_own_decision() -> None:
    tracker = CallTracker("n", PrivacyPolicy())
    service = TrackingService(tracker, Sink(), lambda: NOW)
    service.on_event({"Event": DECISION_EVENT, "Uniqueid": "1795000000.1", "PBXB_ACTION": "closed"})
    assert tracker.unseen_calls == 0
    service.on_decision({"Event": DECISION_EVENT, "Uniqueid": "1795000000.1"})
    assert tracker.unseen_calls == 1


def test_status_variables_reads_repeated_variable_headers() -> None:
    replies: list[dict[str, object]] = [
        {"Response": "Success", "EventList": "start"},
        {"Event": "Status", "Uniqueid": "1795000000.1",
         "Variable": ["PBXB_TENANT=gifhorn", "PBXB_ACTION=closed", "PBXB_FORWARD_TO=", "X=1"]},
        {"Event": "Status", "Uniqueid": "1795000000.2", "Variable": "PBXB_ACTION=queue"},
        {"Event": "Status", "Uniqueid": "1795000000.3", "Variable": "PBXB_ACTION="},
        {"Event": "StatusComplete", "EventList": "Complete"},
    ]  # fmt: skip
    assert status_variables(replies) == {
        "1795000000.1": {"PBXB_TENANT": "gifhorn", "PBXB_ACTION": "closed"},
        "1795000000.2": {"PBXB_ACTION": "queue"},
    }


async def test_a_call_decided_while_the_daemon_was_down_is_adopted_with_its_decision(
    ami: FakeAmi, secret_file: Path
) -> None:
    """The failsafe routed it during a daemon outage: no VarSet reached the daemon. The resync
    asks Asterisk for the routing variables of the channels it adopts."""
    caller = "1795000000.1"
    ami.live_channels = [{"Channel": "PJSIP/trunk-00000001", "Uniqueid": caller,
                          "Linkedid": caller, "Context": "pbx-bridge-inbound",
                          "Exten": "0537182370", "CallerIDNum": "0999123456"}]  # fmt: skip
    ami.channel_variables = {
        caller: {"PBXB_TENANT": "wardenburg", "PBXB_ACTION": "closed", "PBXB_REASON": "hours",
                 "PBXB_DECIDED_BY": "fallback"}
    }  # fmt: skip
    tracker, sink = CallTracker("n", PrivacyPolicy()), Sink()
    service = TrackingService(tracker, sink, lambda: NOW)
    stop = asyncio.Event()
    link = AmiLink(settings(ami.port, secret_file), service.on_event, service.on_login, FAST)
    task = asyncio.create_task(link.run(stop))
    try:
        for _ in range(200):
            if tracker.active_calls:
                break
            await asyncio.sleep(0.01)
    finally:
        stop.set()
        await asyncio.wait_for(task, 5)
    service.on_event({"Event": "Hangup", "Uniqueid": caller, "Linkedid": caller})
    (record,) = sink.records
    assert (record.outcome, record.tenant, record.detail, record.decided_by) == (
        Outcome.CLOSED,
        "wardenburg",
        "hours",
        "fallback",
    )
    # Status before the channel list: a Hangup handled between the list and the resync would
    # be of a channel not yet adopted, which would then never end.
    asked = [a["Action"] for a in ami.actions if a.get("Action") in ("Status", "CoreShowChannels")]
    assert asked[:2] == ["Status", "CoreShowChannels"]


def test_a_variable_the_channel_does_not_have_is_unset_not_the_text_null() -> None:
    """manager.c prints a listed variable the channel lacks as "(null)"; a caller who never
    booked a callback must not be adopted as one who did."""
    replies: list[dict[str, object]] = [
        {"Event": "Status", "Uniqueid": "1795000000.1",
         "Variable": ["PBXB_ACTION=queue", "PBXB_CALLBACK=(null)"]},
    ]  # fmt: skip
    assert status_variables(replies) == {"1795000000.1": {"PBXB_ACTION": "queue"}}
