"""How a call ends: its outcome from what happened to it, and an agent's wrap-up merged in.

`outcome_of` is the outcome of a call from plain facts about it (the routing decision, queued,
answered, transferred, abandoned, the queue giving up); ami/call_tracker.py gathers those
facts from Asterisk's events. A wrap-up (`*81`..`*83`, a CRM's UserEvent, `pbx-bridge wrapup`)
then may replace the outcome of an answered call.

The record as tracked (outcome, department) is kept apart from the wrap-up, so a wrap-up can
be re-applied whenever the tracker writes the record again, in any order: the effective record
is always `merge(tracked record, latest accepted wrap-up)` and a call is counted once.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from pbx_bridge.core.calls import WRAPUP_OUTCOMES, CallRecord, Outcome, Wrapup

# The detail of a call whose end was not seen (it ended while the AMI connection was down).
UNSEEN_END_DETAIL = "ended while the AMI connection was down"
# The detail of a caller who chose a callback instead of waiting.
CALLER_CALLBACK_DETAIL = "the caller chose a callback"


@dataclass(frozen=True)
class CallFacts:
    """What happened to one call, as far as anyone saw it."""

    action: str = ""  # the routing decision: queue | closed | unrouted; "" if none was seen
    reason: str | None = None  # of the decision: hours, holiday: <name>, no tenant, ...
    forwarded_to: str | None = None  # closed and forwarded: where to
    queued: bool = False
    answered: bool = False
    transferred_to: str | None = None  # the target, or how, when an agent transferred it
    abandoned: bool = False  # the caller left the queue unanswered
    queue_gave_up: str | None = None  # why the queue let the call go: timeout, full, ...
    overflow_forwarded_to: str | None = None  # the queue gave up and the caller was forwarded
    caller_chose_callback: bool = False  # pressed 1 and confirmed the number to call back
    end_seen: bool = True  # False: the call ended while nobody was watching


def outcome_of(facts: CallFacts) -> tuple[Outcome, str | None]:
    """The outcome of a call and its detail (transfer target, closed reason, failure)."""
    outcome, detail = _as_seen(facts)
    if not facts.end_seen and outcome in (Outcome.FAILED, Outcome.ABANDONED):
        # Its end was not seen: do not claim the caller gave up.
        return Outcome.FAILED, UNSEEN_END_DETAIL
    return outcome, detail


def _as_seen(facts: CallFacts) -> tuple[Outcome, str | None]:
    action, reason = facts.action, facts.reason
    if action == "closed":
        forward = facts.forwarded_to
        return Outcome.CLOSED, f"{reason}; forwarded to {forward}" if forward else reason
    if facts.caller_chose_callback:
        return Outcome.CALLBACK, CALLER_CALLBACK_DETAIL
    if facts.answered:
        if facts.transferred_to:
            return Outcome.TRANSFERRED, facts.transferred_to
        if action == "unrouted":
            return Outcome.UNROUTED, f"answered; {reason or ''}".rstrip("; ")
        return Outcome.RESOLVED, None
    if action == "unrouted":
        return Outcome.UNROUTED, reason
    if facts.queue_gave_up:
        target = facts.overflow_forwarded_to
        gave_up = facts.queue_gave_up
        return Outcome.OVERFLOW, f"{gave_up}; forwarded to {target}" if target else gave_up
    if facts.abandoned or facts.queued:
        return Outcome.ABANDONED, None
    if action == "queue":
        return Outcome.ABANDONED, "before the queue"
    return Outcome.FAILED, "no routing decision" if not action else f"ended in state {action}"


# --- wrap-ups --------------------------------------------------------------------------------

WRAPUP_WINDOW = timedelta(minutes=30)

# Outcomes that mean no agent ever talked to the caller, named in the refusal.
_NEVER_ANSWERED = {
    Outcome.CLOSED: "the call came in outside service hours",
    Outcome.UNROUTED: "no tenant claims the number of the call",
    Outcome.ABANDONED: "the caller hung up before an agent answered",
    Outcome.OVERFLOW: "the call timed out in the queue unanswered",
}


@dataclass(frozen=True)
class WrapupDecision:
    record: CallRecord  # the effective record: merged if accepted, else the tracked one
    refused: str | None = None  # why the wrap-up does not apply; None when accepted


def refusal_of_outcome(wrapup: Wrapup) -> str | None:
    """What can be refused before the record is known: an outcome agents may not set."""
    if wrapup.outcome not in WRAPUP_OUTCOMES:
        allowed = ", ".join(sorted(WRAPUP_OUTCOMES))
        return f"outcome {wrapup.outcome} cannot be set by wrap-up (only {allowed})"
    return None


def refusal(record: CallRecord, wrapup: Wrapup) -> str | None:
    """Why `wrapup` may not be applied to the tracked `record`, or None if it may."""
    if wrapup.call_id != record.call_id:
        return f"wrap-up is for call {wrapup.call_id}, not {record.call_id}"
    outcome_refused = refusal_of_outcome(wrapup)
    if outcome_refused is not None:
        return outcome_refused
    if record.outcome in _NEVER_ANSWERED:
        return f"not answered: {_NEVER_ANSWERED[record.outcome]}"
    if record.answered is None:
        return f"not answered: the call ended as {record.outcome} without an agent"
    if wrapup.at > record.ended + WRAPUP_WINDOW:
        late = wrapup.at - record.ended
        return (
            f"too late: {int(late.total_seconds() // 60)} minutes after the call ended "
            f"(at most {int(WRAPUP_WINDOW.total_seconds() // 60)})"
        )
    return None


def merge(record: CallRecord, wrapup: Wrapup) -> WrapupDecision:
    """The effective record after `wrapup`, which replaces any earlier wrap-up (last wins)."""
    reason = refusal(record, wrapup)
    if reason is not None:
        return WrapupDecision(record, reason)
    merged = replace(
        record,
        outcome=wrapup.outcome,
        department=wrapup.department or record.department,
        note=wrapup.note if wrapup.note is not None else record.note,
    )
    return WrapupDecision(merged)


def latest(current: Wrapup | None, incoming: Wrapup) -> Wrapup:
    """The wrap-up that counts: the later one; on a tie the one received last."""
    if current is None or incoming.at >= current.at:
        return incoming
    return current
