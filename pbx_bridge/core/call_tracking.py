"""Turn AMI events into one CallRecord per call: a state machine keyed by Linkedid.

Everything the record needs comes from Asterisk's own events: the routing
decision from the VarSet events of the PBXB_* variables, the queue from
QueueCallerJoin/AgentConnect/QueueCallerAbandon, transfers from BlindTransfer
and AttendedTransfer, the end from the Hangup of the call's last channel.

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

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pbx_bridge import channel_vars as cv
from pbx_bridge.core.calls import CallRecord, Outcome, Wrapup
from pbx_bridge.core.numbers import try_normalise
from pbx_bridge.core.privacy import PrivacyPolicy, stored_caller

Event = Mapping[str, str]

WRAPUP_EVENT = "PbxBridgeWrapup"
# Not an AMI event: the daemon's routing decision for a call (agi/decision_event.py builds it).
DECISION_EVENT = "PbxBridgeDecision"
GAP_DETAIL = "ended while the AMI connection was down"
# Decisions of calls not seen on AMI, kept until the next resync: 8 minutes of calls at
# 20 per second. A longer outage drops the oldest (they would have no record without this).
UNSEEN_LIMIT = 10_000
# Calls recorded lately: a decision that reaches the tracker after its call's Hangup (a
# stalled loop handles the two sockets in either order) must not be kept as unseen.
RECENTLY_ENDED = 4_096
INBOUND_CONTEXT = "pbx-bridge-inbound"  # dialplans/pbx-bridge.conf
# What the caller chose while waiting and where an overflow went (dialplans/pbx-bridge.conf).
CALLER_CHOICE_VARS = (cv.CALLBACK, cv.OVERFLOW_ACTION, cv.OVERFLOW_TO)
_OVERFLOW_STATUSES = frozenset({"TIMEOUT", "FULL", "JOINEMPTY", "LEAVEEMPTY", "JOINUNAVAIL"})
_TRACKED_VARS = frozenset(
    {
        cv.TENANT,
        cv.DEPARTMENT,
        cv.ACTION,
        cv.REASON,
        cv.QUEUE,
        cv.DECIDED_BY,
        cv.FORWARD_TO,
        cv.CLOSED_ACTION,
        cv.REDIRECTING,
        cv.WITHHELD,
        *CALLER_CHOICE_VARS,
        "QUEUESTATUS",
    }
)

# Asterisk's ast_escape_c (main/utils.c), applied to every VarSet Value on AMI
# (main/stasis_channels.c, varset_to_ami): each of these eleven characters is sent as a
# backslash and the letter or character mapped to it. A backslash is itself escaped, so any
# other backslash pair cannot come from Asterisk and is kept as it is.
_C_ESCAPES = {
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "?": "?",
}
_C_ESCAPED = re.compile(r"\\([abfnrtv\\'\"?])")


def unescape_c(value: str) -> str:
    """A VarSet value as the dialplan set it: undoes Asterisk's C escaping (`\\"` -> `"`)."""
    if "\\" not in value:
        return value
    return _C_ESCAPED.sub(lambda match: _C_ESCAPES[match.group(1)], value)


@dataclass
class _Call:
    call_id: str
    started: datetime
    channels: set[str] = field(default_factory=set)
    dialled: str | None = None
    caller: str | None = None
    vars: dict[str, str] = field(default_factory=dict)
    queue: str | None = None
    queued: datetime | None = None
    answered: datetime | None = None
    agent: str | None = None
    agent_left: datetime | None = None
    abandoned: datetime | None = None
    transfer_target: str | None = None
    last_seen: datetime | None = None
    # Entered pbx-bridge-inbound (its first step sets PBXB_REDIRECTING). Other calls,
    # such as an agent dialling a wrap-up code, are not the center's calls.
    entered: bool = False


@dataclass
class TrackerOutput:
    records: list[CallRecord] = field(default_factory=list)
    wrapups: list[Wrapup] = field(default_factory=list)
    unseen: int = 0  # of the records: calls known only by the daemon's decision


def event_time(event: Event, fallback: datetime) -> datetime:
    """Asterisk's Timestamp header (manager.conf timestampevents=yes) or the receipt time."""
    stamp = event.get("Timestamp")
    if stamp:
        try:
            return datetime.fromtimestamp(float(stamp), UTC)
        except ValueError:
            pass
    return fallback


class CallTracker:
    def __init__(self, node: str, privacy: PrivacyPolicy, region: str = "DE") -> None:
        self.node = node
        self.privacy = privacy
        self.region = region
        self._calls: dict[str, _Call] = {}
        self._channel_call: dict[str, str] = {}  # uniqueid -> linkedid
        self._unseen: dict[str, _Call] = {}  # linkedid -> the call as decided, oldest first
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

    def feed(self, event: Event, now: datetime) -> TrackerOutput:
        """Consume one event; return the records of calls that ended and any wrap-ups."""
        out = TrackerOutput()
        name = event.get("Event", "")
        at = event_time(event, now)
        handler = _HANDLERS.get(name)
        if handler is not None:
            handler(self, event, at, out)
        return out

    def feed_all(self, events: Iterable[Event], now: datetime) -> TrackerOutput:
        out = TrackerOutput()
        for event in events:
            one = self.feed(event, now)
            out.records.extend(one.records)
            out.wrapups.extend(one.wrapups)
            out.unseen += one.unseen
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
        call = _Call(call_id, event_time(event, now), entered=True)
        call.dialled = event.get("Exten") or None
        call.caller = event.get("CallerIDNum") or None
        call.vars = {name: value for name, value in event.items() if name in _TRACKED_VARS}
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
                self._drop_channel(uniqueid, linkedid, now, out, gap=True)
        for uniqueid, event in live.items():
            if not uniqueid or uniqueid in self._channel_call:
                continue
            linkedid = event.get("Linkedid") or uniqueid
            call = self._calls.get(linkedid)
            if call is None:
                call = _Call(linkedid, now)
                self._calls[linkedid] = call
            tenant = event.get("AccountCode", "")
            if tenant:
                call.vars.setdefault(cv.TENANT, tenant)
                call.entered = True
            if uniqueid == linkedid:
                call.dialled = call.dialled or event.get("Exten") or None
                call.caller = call.caller or event.get("CallerIDNum") or None
                # The routing variables, when the resync asked Asterisk for them (Status).
                for name in _TRACKED_VARS.intersection(event):
                    call.vars.setdefault(name, event[name])
                # Only calls whose caller is in our dialplan are ours (a live agent's own call
                # is not). Asterisk lists channels by name, so an answering agent's channel may
                # come first: the caller's channel decides, whichever is listed first.
                call.entered = call.entered or event.get("Context", "").startswith("pbx-bridge")
            elif event.get("ChannelStateDesc") == "Up" and call.answered is None:
                # Another leg of the call is up: someone (an agent) answered while we were
                # not listening. Without this the call would count as abandoned.
                call.answered = now
                call.agent = call.agent or _interface(event.get("Channel", "")) or None
            call.channels.add(uniqueid)
            self._channel_call[uniqueid] = linkedid
        self._settle_unseen(now, out)
        return out

    def _settle_unseen(self, now: datetime, out: TrackerOutput) -> None:
        """After a resync: a decided call still live was adopted and takes its decision; one
        that is not began and ended unseen, and is recorded now."""
        unseen, self._unseen = self._unseen, {}
        for call_id, decided in unseen.items():
            call = self._calls.get(call_id)
            if call is not None:
                _take_decision(call, decided)
            elif call_id not in self._ended:
                self._remember_ended(call_id)
                out.records.append(self._record(decided, now, gap=True))
                out.unseen += 1

    # --- surviving a restart ---------------------------------------------

    def snapshot(self) -> dict[str, object]:
        """The calls in progress as plain data (JSON-ready), to survive a daemon restart."""
        return {
            "version": 1,
            "node": self.node,
            "calls": [_call_to_dict(call) for call in self._calls.values()],
            "unseen": [_call_to_dict(call) for call in self._unseen.values()],
        }

    def restore(self, data: Mapping[str, object]) -> int:
        """Take over calls from a snapshot; the resync after login closes the ones that ended."""
        if data.get("version") != 1 or data.get("node") != self.node:
            return 0
        calls = data.get("calls")
        if not isinstance(calls, list):
            return 0
        for raw in calls:
            call = _call_from_dict(raw)
            if call is None or call.call_id in self._calls:
                continue
            self._calls[call.call_id] = call
            for uniqueid in call.channels:
                self._channel_call[uniqueid] = call.call_id
        unseen = data.get("unseen")
        for raw in unseen if isinstance(unseen, list) else []:
            call = _call_from_dict(raw)
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
            call = _Call(linkedid, at)
            self._calls[linkedid] = call
        if uniqueid == linkedid:
            call.dialled = event.get("Exten") or None
            call.caller = event.get("CallerIDNum") or None
            # A trunk call starts right in the inbound context: it is the center's call even
            # if Asterisk dies before the first VarSet (its record then says so).
            call.entered = call.entered or event.get("Context") == INBOUND_CONTEXT
        decided = self._unseen.pop(linkedid, None)
        if decided is not None:  # its decision came first: the two sockets raced
            _take_decision(call, decided)
        call.channels.add(uniqueid)
        self._channel_call[uniqueid] = linkedid

    def _decision(self, event: Event, at: datetime, _out: TrackerOutput) -> None:
        self.decided(event, at)

    def _call_of(self, event: Event) -> _Call | None:
        linkedid = event.get("Linkedid") or self._channel_call.get(event.get("Uniqueid", ""))
        return self._calls.get(linkedid) if linkedid else None

    def _varset(self, event: Event, _at: datetime, _out: TrackerOutput) -> None:
        variable = event.get("Variable", "")
        if variable not in _TRACKED_VARS:
            return
        call = self._call_of(event)
        # Only the caller's channel carries the decision (agent legs inherit nothing we need).
        if call is None or event.get("Uniqueid") != call.call_id:
            return
        call.vars[variable] = unescape_c(event.get("Value", ""))
        if variable != "QUEUESTATUS":
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
        if event.get("Event") == "BlindTransfer":
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
            self._drop_channel(uniqueid, linkedid, at, out, gap=False)

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
        self, uniqueid: str, linkedid: str, at: datetime, out: TrackerOutput, *, gap: bool
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
                out.records.append(self._record(call, at, gap=gap))

    def _remember_ended(self, linkedid: str) -> None:
        self._ended[linkedid] = None
        if len(self._ended) > RECENTLY_ENDED:
            del self._ended[next(iter(self._ended))]

    def _record(self, call: _Call, ended: datetime, *, gap: bool) -> CallRecord:
        v = call.vars
        outcome, detail = _outcome(call, ended)
        if gap and outcome in (Outcome.FAILED, Outcome.ABANDONED):
            # Its end was not seen: do not claim the caller gave up.
            outcome, detail = Outcome.FAILED, GAP_DETAIL
        wait_end = call.answered or call.abandoned or (ended if call.queued else None)
        withheld = v.get(cv.WITHHELD) == "1"
        return CallRecord(
            call_id=call.call_id,
            node=self.node,
            started=call.started,
            ended=ended,
            outcome=outcome,
            tenant=v.get(cv.TENANT) or None,
            department=v.get(cv.DEPARTMENT) or None,
            dialled=try_normalise(call.dialled, self.region) or call.dialled,
            redirecting=try_normalise(v.get(cv.REDIRECTING), self.region)
            or v.get(cv.REDIRECTING)
            or None,
            caller=stored_caller(call.caller, withheld=withheld, policy=self.privacy),
            queue=call.queue or v.get(cv.QUEUE) or None,
            queued=call.queued,
            answered=call.answered,
            wait_s=_seconds(call.queued, wait_end),
            talk_s=_seconds(call.answered, call.agent_left or ended),
            agent=call.agent,
            detail=detail,
            decided_by=v.get(cv.DECIDED_BY) or None,
            callback_to=v.get(cv.CALLBACK) or None,
        )


def _take_decision(call: _Call, decided: _Call) -> None:
    """What the daemon decided (of the caller's channel, so the call began then), for the
    same call known by events of which some were not seen."""
    for name, value in decided.vars.items():
        call.vars.setdefault(name, value)
    call.started = min(call.started, decided.started)
    call.dialled = call.dialled or decided.dialled
    call.caller = call.caller or decided.caller
    call.entered = True


def _interface(channel: str) -> str:
    """The endpoint of a channel name: PJSIP/agent8-00000028 -> PJSIP/agent8."""
    return channel.rpartition("-")[0] if "-" in channel else channel


def _outcome(call: _Call, ended: datetime) -> tuple[Outcome, str | None]:
    v = call.vars
    action = v.get(cv.ACTION, "")
    if action == "closed":
        forward = v.get(cv.FORWARD_TO) if v.get(cv.CLOSED_ACTION) == "forward" else None
        reason = v.get(cv.REASON) or None
        return Outcome.CLOSED, f"{reason}; forwarded to {forward}" if forward else reason
    if v.get(cv.CALLBACK):
        return Outcome.CALLBACK, CALLER_CALLBACK_DETAIL
    if call.answered is not None:
        if call.transfer_target:
            return Outcome.TRANSFERRED, call.transfer_target
        if action == "unrouted":
            return Outcome.UNROUTED, f"answered; {v.get(cv.REASON, '')}".rstrip("; ")
        return Outcome.RESOLVED, None
    if action == "unrouted":
        return Outcome.UNROUTED, v.get(cv.REASON) or None
    status = v.get("QUEUESTATUS", "")
    if status in _OVERFLOW_STATUSES:
        return Outcome.OVERFLOW, overflow_detail(v, status)
    if call.abandoned is not None or call.queued is not None:
        return Outcome.ABANDONED, None
    if action == "queue":
        return Outcome.ABANDONED, "before the queue"
    del ended
    return Outcome.FAILED, "no routing decision" if not action else f"ended in state {action}"


CALLER_CALLBACK_DETAIL = "the caller chose a callback"


def overflow_detail(v: Mapping[str, str], status: str) -> str:
    """The queue's status, and the forward target when the overflow forwarded the caller."""
    target = v.get(cv.OVERFLOW_TO) if v.get(cv.OVERFLOW_ACTION) == "forward" else None
    return f"{status.lower()}; forwarded to {target}" if target else status.lower()


_TIME_FIELDS = ("started", "queued", "answered", "agent_left", "abandoned", "last_seen")


def _call_to_dict(call: _Call) -> dict[str, object]:
    data: dict[str, object] = dict(vars(call))
    data["channels"] = sorted(call.channels)
    data["vars"] = dict(call.vars)
    for name in _TIME_FIELDS:
        value = getattr(call, name)
        data[name] = value.isoformat() if value is not None else None
    return data


def _call_from_dict(raw: object) -> _Call | None:
    if not isinstance(raw, dict):
        return None
    try:
        times = {
            name: datetime.fromisoformat(raw[name]) if raw.get(name) else None
            for name in _TIME_FIELDS
        }
        started = times.pop("started")
        if started is None:
            return None
        return _Call(
            call_id=str(raw["call_id"]),
            channels={str(c) for c in raw.get("channels", [])},
            dialled=raw.get("dialled"),
            caller=raw.get("caller"),
            vars={str(k): str(v) for k, v in dict(raw.get("vars", {})).items()},
            queue=raw.get("queue"),
            agent=raw.get("agent"),
            transfer_target=raw.get("transfer_target"),
            entered=bool(raw.get("entered")),
            started=started,
            **times,
        )
    except (KeyError, TypeError, ValueError):
        return None


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return round(max(0.0, (end - start).total_seconds()), 3)


_HANDLERS = {
    "Newchannel": CallTracker._newchannel,
    "VarSet": CallTracker._varset,
    "QueueCallerJoin": CallTracker._queue_join,
    "AgentConnect": CallTracker._agent_connect,
    "AgentComplete": CallTracker._agent_complete,
    "QueueCallerAbandon": CallTracker._abandon,
    "BlindTransfer": CallTracker._transfer,
    "AttendedTransfer": CallTracker._transfer,
    "Hangup": CallTracker._hangup,
    "UserEvent": CallTracker._user_event,
}

# Everything the tracker reads of AMI; any other event can be dropped unparsed (ami/tracking.py).
TRACKED_EVENTS = frozenset(_HANDLERS)
# Journalled with the AMI events, so a restarted daemon replays it in its place.
_HANDLERS[DECISION_EVENT] = CallTracker._decision
TRACKED_VARIABLES = _TRACKED_VARS
