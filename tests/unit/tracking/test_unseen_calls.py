"""A call routed by the daemon but never seen on AMI is recorded from the daemon's decision.

AMI replays nothing: a call that begins and ends while the AMI connection is down (an Asterisk
restart, a silent peer) leaves no event. The daemon's FastAGI side still decided it; the
tracker keeps that decision until the resync after the next login, and records the call then
if it is gone. The streams are recorded AMI events of a real Asterisk 22.
"""

from __future__ import annotations

import pytest

from pbx_bridge import channel_vars as cv
from pbx_bridge.ami import call_tracker
from pbx_bridge.ami.call_events import DECISION_EVENT, TRACKED_EVENTS
from pbx_bridge.core.calls import CallRecord, Outcome
from pbx_bridge.core.outcomes import UNSEEN_END_DETAIL
from tests.unit.tracking.streams import NOW, decision_of, feed_all, replay, stream, tracker

Event = dict[str, str]


def live(uniqueid: str, context: str = "pbx-bridge-inbound") -> Event:
    return {"Event": "CoreShowChannel", "Uniqueid": uniqueid, "Linkedid": uniqueid,
            "ChannelStateDesc": "Up", "Context": context}  # fmt: skip


def test_a_closed_call_begun_and_ended_unseen_is_recorded_closed_at_the_resync() -> None:
    events = stream("closed_hangup")
    (whole,) = replay("closed_hangup").records
    t = tracker()
    assert t.decided(decision_of(events), NOW)
    out = t.resync([], NOW)
    (record,) = out.records
    assert out.unseen == 1
    assert (record.call_id, record.outcome, record.tenant, record.detail) == (
        whole.call_id,
        Outcome.CLOSED,
        "wardenburg",
        "hours",
    )
    assert (record.dialled, record.caller, record.decided_by) == (
        whole.dialled,
        whole.caller,
        "daemon",
    )
    assert t.unseen_calls == 0
    assert t.resync([], NOW).records == []  # recorded once


def test_a_queued_call_begun_and_ended_unseen_does_not_claim_the_caller_gave_up() -> None:
    (record,) = _unseen_then_resync("resolved")
    assert (record.outcome, record.detail) == (Outcome.FAILED, UNSEEN_END_DETAIL)
    assert (record.tenant, record.department, record.queue) == (
        "gifhorn",
        "Zentrale",
        "servicecenter",
    )


def test_an_unrouted_call_begun_and_ended_unseen_is_unrouted() -> None:
    (record,) = _unseen_then_resync("unrouted")
    assert (record.outcome, record.tenant) == (Outcome.UNROUTED, None)


def test_a_withheld_number_of_an_unseen_call_is_not_stored() -> None:
    (record,) = _unseen_then_resync("withheld")
    assert record.caller is None


def _unseen_then_resync(name: str) -> list[CallRecord]:
    t = tracker()
    assert t.decided(decision_of(stream(name)), NOW)
    return t.resync([], NOW).records


@pytest.mark.parametrize("name", ["resolved", "closed_hangup", "blind_transfer", "abandoned"])
def test_a_decision_that_overtakes_the_newchannel_changes_nothing(name: str) -> None:
    events = stream(name)
    (whole,) = replay(name).records
    t = tracker()
    assert t.decided(decision_of(events), NOW)  # the two sockets raced
    (record,) = feed_all(t, events, NOW).records
    assert record == whole
    assert (t.unseen_calls, t.resync([], NOW).records) == (0, [])


@pytest.mark.parametrize("cut", ["after_newchannel", "after_hangup"])
def test_a_decision_of_a_call_seen_on_ami_is_not_kept(cut: str) -> None:
    events = stream("closed_hangup")
    t = tracker()
    if cut == "after_newchannel":
        first = next(i for i, e in enumerate(events) if e.get("Event") == "Newchannel")
        feed_all(t, events[: first + 1], NOW)
        assert not t.decided(decision_of(events), NOW)
        feed_all(t, events[first + 1 :], NOW)
    else:  # a stalled loop handled the call's Hangup before its AGI session
        (_record,) = feed_all(t, events, NOW).records
        assert not t.decided(decision_of(events), NOW)
    assert (t.unseen_calls, t.resync([], NOW).records) == (0, [])


def test_a_call_still_live_at_the_resync_is_adopted_with_its_decision() -> None:
    events = stream("closed_hangup")
    uniqueid = decision_of(events)["Uniqueid"]
    hangup = {"Event": "Hangup", "Uniqueid": uniqueid, "Linkedid": uniqueid}

    without = tracker()
    without.resync([live(uniqueid)], NOW)
    (blind,) = without.feed(hangup, NOW).records
    assert (blind.outcome, blind.detail) == (Outcome.FAILED, "no routing decision")

    t = tracker()
    t.decided(decision_of(events), NOW)
    assert t.resync([live(uniqueid)], NOW).records == []
    (record,) = t.feed(hangup, NOW).records
    assert (record.outcome, record.tenant, record.detail) == (Outcome.CLOSED, "wardenburg", "hours")


def test_unseen_decisions_survive_a_snapshot() -> None:
    first = tracker()
    first.decided(decision_of(stream("closed_hangup")), NOW)
    second = tracker()
    second.restore(first.snapshot())
    assert second.unseen_calls == 1
    (record,) = second.resync([], NOW).records
    assert record.outcome is Outcome.CLOSED


def test_a_long_outage_keeps_the_newest_decisions_and_counts_the_dropped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(call_tracker, "UNSEEN_LIMIT", 3)
    decided = decision_of(stream("closed_hangup"))
    t = tracker()
    for n in range(5):
        assert t.decided({**decided, "Uniqueid": f"1795000000.{n}"}, NOW)
    assert (t.unseen_calls, t.unseen_dropped) == (3, 2)
    ids = sorted(r.call_id for r in t.resync([], NOW).records)
    assert ids == ["1795000000.2", "1795000000.3", "1795000000.4"]


def test_a_decision_without_a_uniqueid_is_ignored() -> None:
    t = tracker()
    assert not t.decided({"Event": DECISION_EVENT, cv.ACTION: "closed"}, NOW)
    assert t.unseen_calls == 0


def test_the_decision_is_not_asked_of_asterisk() -> None:
    # The AMI filter and the manager.conf eventfilters list TRACKED_EVENTS: the daemon's
    # own input must never be accepted from the AMI peer.
    assert DECISION_EVENT not in TRACKED_EVENTS


def test_a_call_known_only_by_another_leg_takes_the_decision_and_is_recorded_once() -> None:
    # The caller's channel began unseen; the resync lists only the agent's leg of the call.
    decided = decision_of(stream("resolved"))
    call_id = decided["Uniqueid"]
    agent_leg = {"Event": "CoreShowChannel", "Uniqueid": "1795000000.99", "Linkedid": call_id,
                 "Channel": "PJSIP/agent8-00000028", "ChannelStateDesc": "Up"}  # fmt: skip
    t = tracker()
    assert t.decided(decided, NOW)
    assert t.resync([agent_leg], NOW).records == []
    hangup = {"Event": "Hangup", "Uniqueid": "1795000000.99", "Linkedid": call_id}
    (record,) = t.feed(hangup, NOW).records
    assert (record.call_id, record.tenant, record.outcome) == (call_id, "gifhorn", Outcome.RESOLVED)
    assert t.resync([], NOW).records == []


def test_a_decision_of_a_call_seen_by_another_leg_is_not_kept() -> None:
    decided = decision_of(stream("resolved"))
    leg = {"Event": "Newchannel", "Uniqueid": "1795000000.99", "Linkedid": decided["Uniqueid"]}
    t = tracker()
    t.feed(leg, NOW)
    assert not t.decided(decided, NOW)
