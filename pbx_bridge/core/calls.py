"""What one call left behind: its outcome and the record supervisors count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pbx_bridge.core.free_text import clean_label, clean_note


class Outcome(StrEnum):
    RESOLVED = "resolved"  # answered, ended without transfer or ticket
    TRANSFERRED = "transferred"  # an agent passed it to a clerk
    CALLBACK = "callback"  # an agent wrote a callback ticket
    ABANDONED = "abandoned"  # the caller hung up while waiting
    OVERFLOW = "overflow"  # the queue timed out
    CLOSED = "closed"  # outside service hours, holiday or exception
    UNROUTED = "unrouted"  # no tenant claims the number
    FAILED = "failed"  # anything else, with a reason


# Outcomes an agent may set by wrap-up (the others follow from what Asterisk saw).
WRAPUP_OUTCOMES = frozenset({Outcome.RESOLVED, Outcome.TRANSFERRED, Outcome.CALLBACK})


@dataclass(frozen=True)
class CallRecord:
    """One record per call, keyed by (node, call_id); writing it twice yields one record."""

    call_id: str  # Asterisk Linkedid: shared by every channel of the call
    node: str  # which Asterisk (SystemName or EntityID)
    started: datetime  # timezone-aware, UTC
    ended: datetime
    outcome: Outcome
    tenant: str | None = None
    department: str | None = None
    dialled: str | None = None  # E.164
    redirecting: str | None = None
    caller: str | None = None  # as the privacy policy allows it to be stored
    queue: str | None = None
    queued: datetime | None = None
    answered: datetime | None = None
    wait_s: float | None = None  # queue entry to answer or to leaving the queue
    talk_s: float | None = None
    agent: str | None = None
    detail: str | None = None  # transfer target, closed reason or failure reason
    decided_by: str | None = None  # daemon | fallback | generic
    note: str | None = None  # from the wrap-up
    # The full number a caller confirmed for a callback (outcome CALLBACK without an agent):
    # it goes into the callback ticket only, never into the calls table.
    callback_to: str | None = None
    source: str | None = None  # None: followed on AMI; "cdr": made from Asterisk's CDR


@dataclass(frozen=True)
class Wrapup:
    """An agent's (or CRM's) verdict on a call, during or up to 30 minutes after it."""

    call_id: str
    outcome: Outcome
    at: datetime
    department: str | None = None
    note: str | None = None
    caller_full: str | None = None  # for a callback ticket: the number to call back

    def __post_init__(self) -> None:
        # Free text from agents and CRMs: one line, bounded, wherever the wrap-up came from.
        object.__setattr__(self, "note", clean_note(self.note))
        object.__setattr__(self, "department", clean_label(self.department))


class TicketSource(StrEnum):
    AGENT = "agent"  # an agent's (or CRM's) callback wrap-up
    CALLER = "caller"  # the caller chose a callback instead of waiting


class TicketStatus(StrEnum):
    OPEN = "open"
    DONE = "done"


@dataclass(frozen=True)
class CallbackTicket:
    call_id: str
    node: str
    tenant: str | None
    department: str | None
    caller_full: str | None  # kept only until the ticket is done
    note: str | None
    created: datetime
    due: datetime | None  # end of the tenant's next working day
    status: TicketStatus = TicketStatus.OPEN
    done_at: datetime | None = None
    id: int | None = None
    source: TicketSource = TicketSource.AGENT
