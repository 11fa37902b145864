"""Turn AMI events into one CallRecord per call: a state machine keyed by Linkedid.

Everything the record needs comes from Asterisk's own events: the routing
decision from the VarSet events of the PBXB_* variables, the queue from
QueueCallerJoin/AgentConnect/QueueCallerAbandon, transfers from BlindTransfer
and AttendedTransfer, the end from the Hangup of the call's last channel. The
outcome itself follows from those facts in core/outcomes.py.

One input is not Asterisk's: the daemon's own routing decision (DECISION_EVENT, from
the FastAGI side). AMI replays nothing, so a call that begins and ends while the AMI
connection is down (an Asterisk restart, a silent peer) leaves no event at all. The
decision of a call the tracker has not seen is kept aside, by Linkedid (the caller's
channel is the first of its call): the Newchannel of any of the call's channels takes it
back, the resync after the next login adopts it with its decision if the call is still
live, and records it, "ended while the AMI connection was down", if it is not.
Pure: time comes from the events (Timestamp header) or from the caller.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from pbx_bridge import channel_vars as cv
from pbx_bridge.ami import call_events as ev
from pbx_bridge.ami.call_events import (
    DECISION_EVENT,
    INBOUND_CONTEXT,
    QUEUE_STATUS,
    TRACKED_VARIABLES,
    WRAPUP_EVENT,
    Event,
    channel_interface,
    event_time,
    unescape_c,
)
from pbx_bridge.ami.call_in_progress import (
    CallInProgress,
    call_from_dict,
    call_to_dict,
    record_of,
)
from pbx_bridge.core.calls import CallRecord, Outcome, Wrapup
from pbx_bridge.core.privacy import PrivacyPolicy

# Decisions of calls not seen on AMI, kept until the next resync: 8 minutes of calls at
# 20 per second. A longer outage drops the oldest (they would have no record without this).
UNSEEN_LIMIT = 10_000
# Calls recorded lately: a decision that reaches the tracker after its call's Hangup (a
# stalled loop handles the two sockets in either order) must not be kept as unseen.
RECENTLY_ENDED = 4_096


@dataclass
class TrackerOutput:
    """What one input of the tracker brought about."""

    records: list[CallRecord] = field(default_factory=list)
    wrapups: list[Wrapup] = field(default_factory=list)
    unseen: int = 0  # of the records: calls known only by the daemon's decision


class CallTracker:
    """The calls in progress on one Asterisk (`node`), fed its AMI events in order."""

    def __init__(self, node: str, privacy: PrivacyPolicy, region: str = "DE") -> None:
        self.node = node
        self.privacy = privacy
        self.region = region
        self._calls: dict[str, CallInProgress] = {}
        self._channel_call: dict[str, str] = {}  # uniqueid -> linkedid
        # linkedid -> a call known only by the daemon's decision, oldest first
        self._unseen: dict[str, CallInProgress] = {}
        self._ended: dict[str, None] = {}  # linkedids recorded lately, oldest first
        self.unseen_dropped = 0

    @property
    def active_calls(self) -> int:
        return len(self._calls)

    @property
    def unseen_calls(self) -> int:
        return len(self._unseen)

    def active_by_tenant(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for call in self._calls.values():
            tenant = call.vars.get(cv.TENANT, "")
            counts[tenant] = counts.get(tenant, 0) + 1
        return counts

    def waiting_by_tenant(self, now: datetime) -> dict[str, tuple[int, float]]:
        """Callers in a queue and not yet answered: (how many, longest wait in s) per tenant."""
        waiting: dict[str, tuple[int, float]] = {}
        for call in self._calls.values():
            if call.queued is None or call.answered is not None or call.abandoned is not None:
                continue
            tenant = call.vars.get(cv.TENANT, "")
            count, longest = waiting.get(tenant, (0, 0.0))
            waited = max(0.0, (now - call.queued).total_seconds())
            waiting[tenant] = (count + 1, max(longest, waited))
        return waiting

    def feed(self, event: Event, now: datetime) -> TrackerOutput:
        """Consume one event; return the records of calls that ended and any wrap-ups."""
        out = TrackerOutput()
        name = event.get("Event", "")
        at = event_time(event, now)
        handler = _HANDLERS.get(name)
        if handler is not None:
            handler(self, event, at, out)
        return out

    def decided(self, event: Event, now: datetime) -> bool:
        """Take the daemon's routing decision for a call (a DECISION_EVENT).

        Kept only for a call the tracker has not seen: returns whether it was kept, which
        is also whether it changed anything (the caller journals only what did).
        """
        # The caller's channel is the first of its call: its Uniqueid is the call's Linkedid,
        # so a call known by any of its legs counts as seen.
        call_id = event.get("Uniqueid", "")
        if (
            not call_id
            or call_id in self._calls
            or call_id in self._ended
            or call_id in self._unseen
        ):
            return False
        call = CallInProgress(call_id, event_time(event, now), entered=True)
        call.dialled = event.get("Exten") or None
        call.caller = event.get("CallerIDNum") or None
        call.vars = {name: value for name, value in event.items() if name in TRACKED_VARIABLES}
        self._unseen[call_id] = call
        if len(self._unseen) > UNSEEN_LIMIT:
            del self._unseen[next(iter(self._unseen))]
            self.unseen_dropped += 1
        return True

    def resync(self, live_channels: Iterable[Event], now: datetime) -> TrackerOutput:
        """Reconcile with CoreShowChannel events after a (re)login.

        Calls we track whose channels are all gone ended while we were not
        listening: they are closed now, so none is lost. Channels we did not
        know are adopted, so their calls are recorded when they end; a caller's
        channel may carry its PBXB_* variables as extra keys (read by Status).
        """
        out = TrackerOutput()
        live: dict[str, Event] = {e.get("Uniqueid", ""): e for e in live_channels}
        for uniqueid, linkedid in list(self._channel_call.items()):
            if uniqueid not in live:
                self._drop_channel(uniqueid, linkedid, now, out, end_seen=False)
        for uniqueid, event in live.items():
            if not uniqueid:
                continue
            known = self._channel_call.get(uniqueid)
            if known is not None:
                # An agent's leg that rang before the gap and is up now answered in the gap.
                self._answered_unseen(self._calls.get(known), uniqueid, event, now)
                continue
            linkedid = event.get("Linkedid") or uniqueid
            call = self._calls.get(linkedid)
            if call is None:
                call = CallInProgress(linkedid, now)
                self._calls[linkedid] = call
            tenant = event.get("AccountCode", "")
            if tenant:
                call.vars.setdefault(cv.TENANT, tenant)
                call.entered = True
            if uniqueid == linkedid:
                call.dialled = call.dialled or event.get("Exten") or None
                call.caller = call.caller or event.get("CallerIDNum") or None
                # The routing variables, when the resync asked Asterisk for them (Status).
                for name in TRACKED_VARIABLES.intersection(event):
                    call.vars.setdefault(name, event[name])
                # Only calls whose caller is in our dialplan are ours (a live agent's own call
                # is not). Asterisk lists channels by name, so an answering agent's channel may
                # come first: the caller's channel decides, whichever is listed first.
                call.entered = call.entered or event.get("Context", "").startswith("pbx-bridge")
            else:
                self._answered_unseen(call, uniqueid, event, now)
            call.channels.add(uniqueid)
            self._channel_call[uniqueid] = linkedid
        self._settle_unseen(now, out)
        return out

    @staticmethod
    def _answered_unseen(
        call: CallInProgress | None, uniqueid: str, event: Event, now: datetime
    ) -> None:
        """Another leg of the call is up: someone (an agent) answered while we were not
        listening. Without this the call would count as abandoned."""
        if call is None or uniqueid == call.call_id or call.answered is not None:
            return
        if event.get("ChannelStateDesc") == "Up":
            call.answered = now
            call.agent = call.agent or channel_interface(event.get("Channel", "")) or None

    def _settle_unseen(self, now: datetime, out: TrackerOutput) -> None:
        """After a resync: a decided call still live was adopted and takes its decision; one
        that is not began and ended unseen, and is recorded now."""
        unseen, self._unseen = self._unseen, {}
        for call_id, decided in unseen.items():
            call = self._calls.get(call_id)
            if call is not None:
                call.take_decision(decided)
            elif call_id not in self._ended:
                self._remember_ended(call_id)
                out.records.append(self._record(decided, now, end_seen=False))
                out.unseen += 1

    # --- surviving a restart ---------------------------------------------

    def snapshot(self) -> dict[str, object]:
        """The calls in progress as plain data (JSON-ready), to survive a daemon restart."""
        return {
            "version": 1,
            "node": self.node,
            "calls": [call_to_dict(call) for call in self._calls.values()],
            "unseen": [call_to_dict(call) for call in self._unseen.values()],
        }

    def restore(self, data: Mapping[str, object]) -> int:
        """Take over calls from a snapshot; the resync after login closes the ones that ended."""
        if data.get("version") != 1 or data.get("node") != self.node:
            return 0
        calls = data.get("calls")
        if not isinstance(calls, list):
            return 0
        for raw in calls:
            call = call_from_dict(raw)
            if call is None or call.call_id in self._calls:
                continue
            self._calls[call.call_id] = call
            for uniqueid in call.channels:
                self._channel_call[uniqueid] = call.call_id
        unseen = data.get("unseen")
        for raw in unseen if isinstance(unseen, list) else []:
            call = call_from_dict(raw)
            if call is not None and call.call_id not in self._calls:
                self._unseen[call.call_id] = call
        return len(self._calls)

    # --- event handlers -------------------------------------------------

    def _newchannel(self, event: Event, at: datetime, _out: TrackerOutput) -> None:
        uniqueid = event.get("Uniqueid", "")
        linkedid = event.get("Linkedid") or uniqueid
        if not uniqueid:
            return
        call = self._calls.get(linkedid)
        if call is None:
            call = CallInProgress(linkedid, at)
            self._calls[linkedid] = call
        if uniqueid == linkedid:
            call.dialled = event.get("Exten") or None
            call.caller = event.get("CallerIDNum") or None
            # A trunk call starts right in the inbound context: it is the center's call even
            # if Asterisk dies before the first VarSet (its record then says so).
            call.entered = call.entered or event.get("Context") == INBOUND_CONTEXT
        decided = self._unseen.pop(linkedid, None)
        if decided is not None:  # its decision came first: the two sockets raced
            call.take_decision(decided)
        call.channels.add(uniqueid)
        self._channel_call[uniqueid] = linkedid

    def _decision(self, event: Event, at: datetime, _out: TrackerOutput) -> None:
        self.decided(event, at)

    def _call_of(self, event: Event) -> CallInProgress | None:
        linkedid = event.get("Linkedid") or self._channel_call.get(event.get("Uniqueid", ""))
        return self._calls.get(linkedid) if linkedid else None

    def _varset(self, event: Event, _at: datetime, _out: TrackerOutput) -> None:
        variable = event.get("Variable", "")
        if variable not in TRACKED_VARIABLES:
            return
        call = self._call_of(event)
        # Only the caller's channel carries the decision (agent legs inherit nothing we need).
        if call is None or event.get("Uniqueid") != call.call_id:
            return
        call.vars[variable] = unescape_c(event.get("Value", ""))
        if variable != QUEUE_STATUS:
            call.entered = True

    def _queue_join(self, event: Event, at: datetime, _out: TrackerOutput) -> None:
        call = self._call_of(event)
        if call is not None and call.queued is None:
            call.queued = at
            call.queue = event.get("Queue") or None

    def _agent_connect(self, event: Event, at: datetime, _out: TrackerOutput) -> None:
        call = self._call_of(event)
        if call is not None and call.answered is None:
            call.answered = at
            call.agent = event.get("MemberName") or event.get("Interface") or None

    def _agent_complete(self, event: Event, at: datetime, _out: TrackerOutput) -> None:
        call = self._call_of(event)
        if call is not None:
            call.agent_left = at
            if event.get("Reason") == "transfer" and call.transfer_target is None:
                call.transfer_target = "transfer"

    def _abandon(self, event: Event, at: datetime, _out: TrackerOutput) -> None:
        call = self._call_of(event)
        if call is not None and call.answered is None:
            call.abandoned = at

    def _transfer(self, event: Event, _at: datetime, _out: TrackerOutput) -> None:
        linkedid = (
            event.get("TransfereeLinkedid")
            or event.get("OrigTransfererLinkedid")
            or event.get("TransfererLinkedid")
        )
        call = self._calls.get(linkedid or "")
        if call is None or event.get("Result", "Success") != "Success":
            return
        if event.get("Event") == ev.BLIND_TRANSFER:
            call.transfer_target = event.get("Extension") or "blind transfer"
        else:
            target = event.get("SecondTransfererConnectedLineNum") or event.get(
                "TransferTargetConnectedLineNum"
            )
            call.transfer_target = target or "attended transfer"

    def _hangup(self, event: Event, at: datetime, out: TrackerOutput) -> None:
        uniqueid = event.get("Uniqueid", "")
        linkedid = self._channel_call.get(uniqueid)
        if linkedid is not None:
            call = self._calls.get(linkedid)
            if call is not None and call.answered and uniqueid != call.call_id:
                call.agent_left = call.agent_left or at
            self._drop_channel(uniqueid, linkedid, at, out, end_seen=True)

    def _user_event(self, event: Event, at: datetime, out: TrackerOutput) -> None:
        if event.get("UserEvent") != WRAPUP_EVENT:
            return
        call_id = event.get("Linkedid") or event.get("Uniqueid", "")
        if call_id in self._channel_call:  # a Uniqueid of one of the call's channels
            call_id = self._channel_call[call_id]
        try:
            outcome = Outcome(event.get("Outcome", "").strip().lower())
        except ValueError:
            return
        if not call_id:
            return
        out.wrapups.append(
            Wrapup(
                call_id=call_id,
                outcome=outcome,
                at=at,
                department=event.get("Department") or None,
                note=event.get("Note") or None,
                caller_full=event.get("Callback") or None,
            )
        )

    # --- ending a call ----------------------------------------------------

    def _drop_channel(
        self, uniqueid: str, linkedid: str, at: datetime, out: TrackerOutput, *, end_seen: bool
    ) -> None:
        self._channel_call.pop(uniqueid, None)
        call = self._calls.get(linkedid)
        if call is None:
            return
        call.channels.discard(uniqueid)
        if not call.channels:
            del self._calls[linkedid]
            self._remember_ended(linkedid)
            if call.entered:
                out.records.append(self._record(call, at, end_seen=end_seen))

    def _remember_ended(self, linkedid: str) -> None:
        self._ended[linkedid] = None
        if len(self._ended) > RECENTLY_ENDED:
            del self._ended[next(iter(self._ended))]

    def _record(self, call: CallInProgress, ended: datetime, *, end_seen: bool) -> CallRecord:
        return record_of(
            call, ended, end_seen=end_seen, node=self.node, privacy=self.privacy, region=self.region
        )


_Handler = Callable[["CallTracker", Event, datetime, TrackerOutput], None]
_HANDLERS: dict[str, _Handler] = {
    ev.NEWCHANNEL: CallTracker._newchannel,
    ev.VARSET: CallTracker._varset,
    ev.QUEUE_CALLER_JOIN: CallTracker._queue_join,
    ev.AGENT_CONNECT: CallTracker._agent_connect,
    ev.AGENT_COMPLETE: CallTracker._agent_complete,
    ev.QUEUE_CALLER_ABANDON: CallTracker._abandon,
    ev.BLIND_TRANSFER: CallTracker._transfer,
    ev.ATTENDED_TRANSFER: CallTracker._transfer,
    ev.HANGUP: CallTracker._hangup,
    ev.USER_EVENT: CallTracker._user_event,
    DECISION_EVENT: CallTracker._decision,
}
