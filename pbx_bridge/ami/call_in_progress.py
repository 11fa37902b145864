"""One call as the tracker follows it, its snapshot form, and the record it ends as."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from pbx_bridge import channel_vars as cv
from pbx_bridge.ami.call_events import OVERFLOW_STATUSES, QUEUE_STATUS
from pbx_bridge.core.calls import CallRecord
from pbx_bridge.core.numbers import try_normalise
from pbx_bridge.core.outcomes import CallFacts, outcome_of
from pbx_bridge.core.privacy import PrivacyPolicy, stored_caller


@dataclass
class CallInProgress:
    call_id: str  # the Linkedid: the Uniqueid of the caller's channel, the first of the call
    started: datetime
    channels: set[str] = field(default_factory=set)  # Uniqueids of its live channels
    dialled: str | None = None
    caller: str | None = None
    vars: dict[str, str] = field(default_factory=dict)  # of the caller's channel, by name
    queue: str | None = None
    queued: datetime | None = None
    answered: datetime | None = None
    agent: str | None = None
    agent_left: datetime | None = None
    abandoned: datetime | None = None
    transfer_target: str | None = None
    # Entered pbx-bridge-inbound (its first step sets PBXB_REDIRECTING). Other calls,
    # such as an agent dialling a wrap-up code, are not the center's calls.
    entered: bool = False

    def take_decision(self, decided: CallInProgress) -> None:
        """What the daemon decided (of the caller's channel, so the call began then), for the
        same call known by events of which some were not seen."""
        for name, value in decided.vars.items():
            self.vars.setdefault(name, value)
        self.started = min(self.started, decided.started)
        self.dialled = self.dialled or decided.dialled
        self.caller = self.caller or decided.caller
        self.entered = True

    def facts(self, *, end_seen: bool) -> CallFacts:
        """What happened to the call, in the words of core/outcomes.py."""
        v = self.vars
        status = v.get(QUEUE_STATUS, "")
        forward = v.get(cv.FORWARD_TO) if v.get(cv.CLOSED_ACTION) == "forward" else None
        overflow_to = v.get(cv.OVERFLOW_TO) if v.get(cv.OVERFLOW_ACTION) == "forward" else None
        return CallFacts(
            action=v.get(cv.ACTION, ""),
            reason=v.get(cv.REASON) or None,
            forwarded_to=forward,
            queued=self.queued is not None,
            answered=self.answered is not None,
            transferred_to=self.transfer_target,
            abandoned=self.abandoned is not None,
            queue_gave_up=status.lower() if status in OVERFLOW_STATUSES else None,
            overflow_forwarded_to=overflow_to or None,
            caller_chose_callback=v.get(cv.CALLBACK, "").isdigit(),  # the number booked
            end_seen=end_seen,
        )


def record_of(
    call: CallInProgress,
    ended: datetime,
    *,
    end_seen: bool,
    node: str,
    privacy: PrivacyPolicy,
    region: str,
) -> CallRecord:
    """The record of an ended call; `end_seen` is False for a call that ended unwatched."""
    v = call.vars
    outcome, detail = outcome_of(call.facts(end_seen=end_seen))
    wait_end = call.answered or call.abandoned or (ended if call.queued else None)
    withheld = v.get(cv.WITHHELD) == "1"
    return CallRecord(
        call_id=call.call_id,
        node=node,
        started=call.started,
        ended=ended,
        outcome=outcome,
        tenant=v.get(cv.TENANT) or None,
        department=v.get(cv.DEPARTMENT) or None,
        dialled=try_normalise(call.dialled, region) or call.dialled,
        redirecting=try_normalise(v.get(cv.REDIRECTING), region) or v.get(cv.REDIRECTING) or None,
        caller=stored_caller(call.caller, withheld=withheld, policy=privacy),
        queue=call.queue or v.get(cv.QUEUE) or None,
        queued=call.queued,
        answered=call.answered,
        wait_s=_seconds(call.queued, wait_end),
        talk_s=_seconds(call.answered, call.agent_left or ended),
        agent=call.agent,
        detail=detail,
        decided_by=v.get(cv.DECIDED_BY) or None,
        callback_to=v.get(cv.CALLBACK) if v.get(cv.CALLBACK, "").isdigit() else None,
    )


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return round(max(0.0, (end - start).total_seconds()), 3)


_TIME_FIELDS = ("started", "queued", "answered", "agent_left", "abandoned")


def call_to_dict(call: CallInProgress) -> dict[str, object]:
    """The call as plain data (JSON-ready) for the tracker's snapshot."""
    data: dict[str, object] = dict(vars(call))
    data["channels"] = sorted(call.channels)
    data["vars"] = dict(call.vars)
    for name in _TIME_FIELDS:
        value = getattr(call, name)
        data[name] = value.isoformat() if value is not None else None
    return data


def call_from_dict(raw: object) -> CallInProgress | None:
    """A call from a snapshot, or None if the entry is not one."""
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
        return CallInProgress(
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
