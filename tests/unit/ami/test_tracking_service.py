"""What arrives from panoramisk reaches the tracker as plain strings, wrap-ups included."""

from __future__ import annotations

from datetime import UTC, datetime

from panoramisk.message import Message

from pbx_bridge.ami.tracking import TrackingService, flatten
from pbx_bridge.core.call_tracking import DECISION_EVENT, CallTracker
from pbx_bridge.core.calls import Outcome
from pbx_bridge.core.privacy import PrivacyPolicy
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
