"""Callback tickets scoped to tenants; done with a note in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, literal, select, update

from pbx_bridge.core.calls import CallbackTicket, TicketStatus
from pbx_bridge.storage.models import tickets
from pbx_bridge.storage.rows import ticket_of

VIEWS = ("open", "overdue", "done")
MAX_LISTED = 2000


def list_tickets(
    connection: Connection, tenants: Sequence[str] | None, view: str, now: datetime
) -> list[CallbackTicket]:
    t = tickets.c
    where: ColumnElement[bool] = literal(True)
    if tenants is not None:
        where = and_(where, t.tenant.in_(list(tenants)))
    order: tuple[ColumnElement[Any], ...]
    if view == "done":
        where = and_(where, t.status == TicketStatus.DONE.value)
        order = (t.done_at.desc(), t.id.desc())
    else:
        where = and_(where, t.status == TicketStatus.OPEN.value)
        if view == "overdue":
            where = and_(where, t.due.is_not(None), t.due < now)
        order = (t.due.is_(None), t.due, t.created, t.id)
    statement = select(tickets).where(where).order_by(*order).limit(MAX_LISTED)
    return [ticket_of(row) for row in connection.execute(statement)]


def find_ticket(connection: Connection, ticket_id: int) -> CallbackTicket | None:
    row = connection.execute(select(tickets).where(tickets.c.id == ticket_id)).first()
    return None if row is None else ticket_of(row)


def mark_done(
    connection: Connection, ticket: CallbackTicket, note: str | None, now: datetime
) -> None:
    """Done at `now`, the caller's number forgotten, the agent's note added to the ticket's."""
    values: dict[str, object] = {
        "status": TicketStatus.DONE.value,
        "done_at": now,
        "caller_full": None,
    }
    if note:
        values["note"] = f"{ticket.note}\n{note}" if ticket.note else note
    connection.execute(
        update(tickets)
        .where(tickets.c.id == ticket.id, tickets.c.status == TicketStatus.OPEN.value)
        .values(**values)
    )
