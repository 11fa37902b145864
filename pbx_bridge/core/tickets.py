"""Callback tickets: the promise is a callback by the end of the tenant's next working day."""

from __future__ import annotations

from datetime import UTC, datetime

from pbx_bridge.core.calls import (
    CallbackTicket,
    CallRecord,
    Outcome,
    TicketSource,
    TicketStatus,
    Wrapup,
)
from pbx_bridge.core.schedule import Schedule


def ticket_due(schedule: Schedule | None, call_ended: datetime) -> datetime | None:
    """End of the next working day after the call (its hours, holidays, exceptions), in UTC.

    None when the tenant is unknown (no schedule) or has no working day within the horizon.
    """
    if schedule is None:
        return None
    due = schedule.end_of_next_working_day(call_ended)
    return None if due is None else due.astimezone(UTC)


def new_ticket(record: CallRecord, wrapup: Wrapup, schedule: Schedule | None) -> CallbackTicket:
    """The ticket a callback wrap-up writes for the (tracked) record of its call."""
    return CallbackTicket(
        call_id=record.call_id,
        node=record.node,
        tenant=record.tenant,
        department=wrapup.department or record.department,
        caller_full=wrapup.caller_full,
        note=wrapup.note,
        created=wrapup.at,
        due=ticket_due(schedule, record.ended),
    )


def caller_ticket(record: CallRecord, schedule: Schedule | None) -> CallbackTicket | None:
    """The ticket of a caller who chose a callback instead of waiting; None for other records."""
    if record.outcome is not Outcome.CALLBACK or not record.callback_to:
        return None
    return CallbackTicket(
        call_id=record.call_id,
        node=record.node,
        tenant=record.tenant,
        department=record.department,
        caller_full=record.callback_to,
        note=None,
        created=record.ended,
        due=ticket_due(schedule, record.ended),
        source=TicketSource.CALLER,
    )


def is_overdue(ticket: CallbackTicket, now: datetime) -> bool:
    return ticket.status is TicketStatus.OPEN and ticket.due is not None and ticket.due < now
