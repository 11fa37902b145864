"""Translation between database rows and the core's frozen dataclasses."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row

from pbx_bridge.core.calls import (
    CallbackTicket,
    CallRecord,
    Outcome,
    TicketSource,
    TicketStatus,
    Wrapup,
)

# CallRecord fields stored in a column of the same name.
RECORD_COLUMNS = (
    "call_id",
    "node",
    "started",
    "ended",
    "tenant",
    "dialled",
    "redirecting",
    "caller",
    "queue",
    "queued",
    "answered",
    "wait_s",
    "talk_s",
    "agent",
    "detail",
    "decided_by",
    "source",
)


def record_values(record: CallRecord) -> dict[str, Any]:
    """Column values of a record as the tracker wrote it (no wrap-up applied)."""
    values: dict[str, Any] = {name: getattr(record, name) for name in RECORD_COLUMNS}
    values.update(
        outcome=record.outcome.value,
        department=record.department,
        note=record.note,
        tracked_outcome=record.outcome.value,
        tracked_department=record.department,
        tracked_note=record.note,
    )
    return values


def tracked_record(row: Row[Any]) -> CallRecord:
    """The record as the tracker saw it: the base a wrap-up is (re-)applied to."""
    return CallRecord(
        **{name: getattr(row, name) for name in RECORD_COLUMNS},
        outcome=Outcome(row.tracked_outcome),
        department=row.tracked_department,
        note=row.tracked_note,
    )


def effective_record(row: Row[Any]) -> CallRecord:
    """The record as reports count it: wrap-up applied."""
    return CallRecord(
        **{name: getattr(row, name) for name in RECORD_COLUMNS},
        outcome=Outcome(row.outcome),
        department=row.department,
        note=row.note,
    )


def wrapup_values(wrapup: Wrapup, node: str) -> dict[str, Any]:
    return {
        "node": node,
        "call_id": wrapup.call_id,
        "outcome": wrapup.outcome.value,
        "at": wrapup.at,
        "department": wrapup.department,
        "note": wrapup.note,
        "caller_full": wrapup.caller_full,
    }


def wrapup_of(row: Row[Any]) -> Wrapup:
    return Wrapup(
        call_id=row.call_id,
        outcome=Outcome(row.outcome),
        at=row.at,
        department=row.department,
        note=row.note,
        caller_full=row.caller_full,
    )


def ticket_values(ticket: CallbackTicket) -> dict[str, Any]:
    return {
        "node": ticket.node,
        "call_id": ticket.call_id,
        "tenant": ticket.tenant,
        "department": ticket.department,
        "caller_full": ticket.caller_full,
        "note": ticket.note,
        "created": ticket.created,
        "due": ticket.due,
        "status": ticket.status.value,
        "done_at": ticket.done_at,
        "source": ticket.source.value,
    }


def ticket_of(row: Row[Any]) -> CallbackTicket:
    return CallbackTicket(
        id=row.id,
        call_id=row.call_id,
        node=row.node,
        tenant=row.tenant,
        department=row.department,
        caller_full=row.caller_full,
        note=row.note,
        created=row.created,
        due=row.due,
        status=TicketStatus(row.status),
        done_at=row.done_at,
        source=TicketSource(row.source),
    )
