"""Each recorded call yields exactly one record with the outcome Asterisk's events show."""

from __future__ import annotations

import pytest

from pbx_bridge.core.calls import Outcome
from tests.unit.tracking.streams import NOW, feed_all, replay, stream, tracker


def test_answered_and_caller_hangs_up_is_resolved() -> None:
    (record,) = replay("resolved").records
    assert record.outcome is Outcome.RESOLVED
    assert (record.tenant, record.department) == ("gifhorn", "Zentrale")
    assert record.dialled == "+495371820"
    assert record.agent is not None and record.agent.startswith("PJSIP/agent")
    assert record.queue == "servicecenter"
    assert record.wait_s is not None and 0 <= record.wait_s < 2
    assert record.talk_s is not None and record.talk_s > 1
    assert record.decided_by == "daemon"
    assert record.node == "asterisk-1"
    assert record.started <= record.queued <= record.answered <= record.ended  # type: ignore[operator]


def test_agent_ending_the_call_is_resolved_too() -> None:
    (record,) = replay("agent_hangs_up").records
    assert (record.outcome, record.department) == (Outcome.RESOLVED, "Kfz-Zulassung")


def test_blind_transfer_by_refer_is_transferred_with_its_target() -> None:
    (record,) = replay("blind_transfer").records
    assert record.outcome is Outcome.TRANSFERRED
    assert record.detail == "clerk-1"
    assert record.answered is not None


def test_caller_hanging_up_in_the_queue_is_abandoned_with_wait() -> None:
    (record,) = replay("abandoned").records
    assert record.outcome is Outcome.ABANDONED
    assert record.answered is None and record.agent is None
    assert record.wait_s is not None and record.wait_s > 1


def test_queue_timeout_is_overflow() -> None:
    (record,) = replay("overflow").records
    assert (record.outcome, record.detail) == (Outcome.OVERFLOW, "timeout")
    assert record.wait_s is not None and record.wait_s >= 7.5


def test_closed_with_hangup_keeps_the_reason() -> None:
    (record,) = replay("closed_hangup").records
    assert (record.outcome, record.tenant, record.detail) == (Outcome.CLOSED, "wardenburg", "hours")
    assert record.queued is None


def test_closed_with_forward_names_the_target() -> None:
    (record,) = replay("closed_forward").records
    assert record.outcome is Outcome.CLOSED
    assert record.tenant == "geseke"
    assert record.detail is not None and "forwarded to" in record.detail


def test_unknown_number_answered_is_unrouted() -> None:
    (record,) = replay("unrouted").records
    assert (record.outcome, record.tenant) == (Outcome.UNROUTED, None)
    assert record.agent is not None


def test_forwarded_call_keeps_the_redirecting_number() -> None:
    (record,) = replay("forwarded_diversion").records
    assert (record.tenant, record.redirecting) == ("meinersen", "+495372890")


def test_callback_wrapup_by_feature_code_names_the_call() -> None:
    out = replay("callback_wrapup")
    (record,) = out.records  # the agent's *81 call is not a call of the center
    (wrapup,) = out.wrapups
    assert wrapup.call_id == record.call_id
    assert wrapup.outcome is Outcome.CALLBACK
    assert record.outcome is Outcome.RESOLVED  # what Asterisk saw; storage applies the wrap-up


@pytest.mark.parametrize(
    "name",
    ["resolved", "abandoned", "overflow", "closed_hangup", "blind_transfer", "unrouted"],
)
def test_caller_numbers_are_stored_shortened(name: str) -> None:
    (record,) = replay(name).records
    assert record.caller is not None and record.caller.endswith("xxx")


@pytest.mark.parametrize(
    "name",
    [
        "resolved",
        "agent_hangs_up",
        "blind_transfer",
        "abandoned",
        "overflow",
        "closed_hangup",
        "closed_forward",
        "unrouted",
        "forwarded_diversion",
    ],
)
def test_restart_at_any_point_yields_the_same_record(name: str) -> None:
    """kill -9 and restart: the snapshot taken at event k plus the rest equals the whole."""
    events = stream(name)
    (whole,) = replay(name).records
    for cut in range(0, len(events), max(1, len(events) // 25)):
        first = tracker()
        early = feed_all(first, events[:cut], whole.ended).records
        second = tracker()
        second.restore(first.snapshot())
        late = feed_all(second, events[cut:], whole.ended).records
        assert [*early, *late] == [whole], f"cut at event {cut}"


def test_calls_that_ended_during_an_ami_gap_are_closed_at_resync() -> None:
    events = stream("resolved")
    answered = next(i for i, e in enumerate(events) if e.get("Event") == "AgentConnect")
    t = tracker()
    feed_all(t, events[: answered + 1], NOW)
    out = t.resync([], NOW)  # the AMI link was down; now nothing is live any more
    (record,) = out.records
    assert record.outcome is Outcome.RESOLVED
    assert record.agent is not None
    assert t.active_calls == 0


def test_live_channels_unknown_to_the_tracker_are_adopted_at_resync() -> None:
    t = tracker()
    live = {
        "Event": "CoreShowChannel",
        "Uniqueid": "1795000000.5",
        "Linkedid": "1795000000.5",
        "Context": "pbx-bridge-inbound",
        "Exten": "05371820",
        "CallerIDNum": "0999123456",
        "AccountCode": "gifhorn",
    }
    t.resync([live], NOW)
    assert t.active_by_tenant() == {"gifhorn": 1}
    hangup = {"Event": "Hangup", "Uniqueid": "1795000000.5", "Linkedid": "1795000000.5"}
    (record,) = t.feed(hangup, NOW).records
    assert (record.tenant, record.dialled) == ("gifhorn", "+495371820")


def test_an_answered_call_adopted_at_resync_is_recorded_whatever_channel_is_listed_first() -> None:
    # Asterisk lists channels by name: PJSIP/agent8-... before PJSIP/trunk-...; the agent's
    # leg (not in our dialplan) must not make the caller's call "not ours".
    caller = {
        "Event": "CoreShowChannel",
        "Uniqueid": "1795000000.14",
        "Linkedid": "1795000000.14",
        "Channel": "PJSIP/trunk-0000000e",
        "Context": "pbx-bridge-inbound",
        "Exten": "05371820",
        "CallerIDNum": "0999123456",
    }
    agent = {
        "Event": "CoreShowChannel",
        "Uniqueid": "1795000000.40",
        "Linkedid": "1795000000.14",
        "Channel": "PJSIP/agent8-00000028",
        "Context": "testbed-agents",
        "Exten": "s",
        "CallerIDNum": "0999123456",
    }
    for listed in ([agent, caller], [caller, agent]):
        t = tracker()
        t.resync(listed, NOW)
        records = []
        for uniqueid in ("1795000000.40", "1795000000.14"):
            hangup = {"Event": "Hangup", "Uniqueid": uniqueid, "Linkedid": "1795000000.14"}
            records += t.feed(hangup, NOW).records
        assert [r.dialled for r in records] == ["+495371820"], [c["Channel"] for c in listed]


def test_a_queued_call_answered_while_the_daemon_was_away_is_resolved_not_abandoned() -> None:
    # Saved state: the caller waits in the queue. Meanwhile (daemon restarting) agent8
    # answered; the resync lists the agent's leg as Up.
    events = stream("resolved")
    joined = next(i for i, e in enumerate(events) if e.get("Event") == "QueueCallerJoin")
    first = tracker()
    feed_all(first, events[: joined + 1], NOW)
    t = tracker()
    t.restore(first.snapshot())
    linkedid = next(e["Linkedid"] for e in events if e.get("Event") == "Newchannel")
    agent_leg = {
        "Event": "CoreShowChannel",
        "Uniqueid": "1795000000.99",
        "Linkedid": linkedid,
        "Channel": "PJSIP/agent8-00000028",
        "ChannelStateDesc": "Up",
        "Context": "testbed-agents",
    }
    caller_leg = {"Event": "CoreShowChannel", "Uniqueid": linkedid, "Linkedid": linkedid,
                  "ChannelStateDesc": "Up", "Context": "pbx-bridge-inbound"}  # fmt: skip
    t.resync([agent_leg, caller_leg], NOW)
    records = []
    for uniqueid in ("1795000000.99", linkedid):
        records += t.feed(
            {"Event": "Hangup", "Uniqueid": uniqueid, "Linkedid": linkedid}, NOW
        ).records
    (record,) = records
    assert (record.outcome, record.agent) == (Outcome.RESOLVED, "PJSIP/agent8")


def test_a_call_whose_ringing_agent_answered_while_the_daemon_was_away_is_resolved() -> None:
    # Saved state: agent's phone rings (its leg is known). Meanwhile it answered; the resync
    # lists that same leg as Up.
    events = stream("resolved")
    connect = next(i for i, e in enumerate(events) if e.get("Event") == "AgentConnect")
    ringing = max(
        i
        for i, e in enumerate(events[:connect])
        if e.get("Event") == "Newchannel" and e["Uniqueid"] != e["Linkedid"]
    )
    first = tracker()
    feed_all(first, events[: ringing + 1], NOW)
    t = tracker()
    t.restore(first.snapshot())
    agent = events[ringing]
    linkedid = agent["Linkedid"]
    legs = [
        {**agent, "Event": "CoreShowChannel", "ChannelStateDesc": "Up"},
        {"Event": "CoreShowChannel", "Uniqueid": linkedid, "Linkedid": linkedid,
         "ChannelStateDesc": "Up", "Context": "pbx-bridge-inbound"},
    ]  # fmt: skip
    t.resync(legs, NOW)
    records = []
    for uniqueid in (agent["Uniqueid"], linkedid):
        records += t.feed(
            {"Event": "Hangup", "Uniqueid": uniqueid, "Linkedid": linkedid}, NOW
        ).records
    (record,) = records
    assert record.outcome is Outcome.RESOLVED
    assert record.agent is not None and record.agent.startswith("PJSIP/agent")


def test_a_call_cut_by_an_asterisk_crash_before_its_first_step_is_still_recorded() -> None:
    # Asterisk killed right after the Newchannel: no VarSet came, the resync finds nothing.
    events = stream("resolved")
    newchannel = next(e for e in events if e.get("Event") == "Newchannel")
    t = tracker()
    t.feed(newchannel, NOW)
    (record,) = t.resync([], NOW).records
    assert (record.outcome, record.detail) == (
        Outcome.FAILED,
        "ended while the AMI connection was down",
    )


def test_a_live_agent_call_of_its_own_is_not_adopted_as_a_center_call() -> None:
    own = {
        "Event": "CoreShowChannel",
        "Uniqueid": "1795000000.7",
        "Linkedid": "1795000000.7",
        "Context": "testbed-agents",
        "Exten": "*81",
    }
    t = tracker()
    t.resync([own], NOW)
    hangup = {"Event": "Hangup", "Uniqueid": "1795000000.7", "Linkedid": "1795000000.7"}
    assert t.feed(hangup, NOW).records == []


def test_a_stream_fed_twice_is_recorded_twice_with_the_same_key() -> None:
    # The storage upserts by (node, call_id): the same key is what makes that one row.
    (first,) = replay("resolved").records
    (second,) = replay("resolved").records
    assert (first.node, first.call_id) == (second.node, second.call_id)


def test_withheld_number_is_not_stored() -> None:
    (record,) = replay("withheld").records
    assert record.outcome is Outcome.RESOLVED
    assert record.caller is None


def test_call_decided_by_the_failsafe_is_tracked_as_such() -> None:
    (record,) = replay("fallback").records
    assert (record.outcome, record.tenant, record.decided_by) == (
        Outcome.RESOLVED,
        "gifhorn",
        "fallback",
    )


def test_interleaved_calls_each_get_their_own_record() -> None:
    records = replay("concurrent").records
    assert len(records) == 5
    assert len({r.call_id for r in records}) == 5
    outcomes = sorted(r.outcome.value for r in records)
    assert outcomes == ["abandoned", "closed", "resolved", "resolved", "transferred"]
    early = next(r for r in records if r.tenant == "meinersen")
    assert (early.outcome, early.detail, early.queued) == (
        Outcome.ABANDONED,
        "before the queue",
        None,
    )


def test_a_queued_call_cut_during_an_ami_gap_is_failed_not_abandoned() -> None:
    events = stream("abandoned")
    joined = next(i for i, e in enumerate(events) if e.get("Event") == "QueueCallerJoin")
    t = tracker()
    feed_all(t, events[: joined + 1], NOW)
    (record,) = t.resync([], NOW).records
    assert (record.outcome, record.detail) == (
        Outcome.FAILED,
        "ended while the AMI connection was down",
    )
