"""Callback tickets in the database: create (once per call), list, mark done."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select, update

from pbx_bridge.core.calls import CallbackTicket, TicketStatus
from pbx_bridge.storage.models import tickets
from pbx_bridge.storage.rows import ticket_of, ticket_values
from pbx_bridge.storage.writes import insert_ticket


def create_ticket(connection: Connection, ticket: CallbackTicket) -> CallbackTicket:
    """The call's ticket: this one, or the one that already exists for the call."""
    ticket_id = insert_ticket(connection, ticket_values(ticket))
    found = get_ticket(connection, ticket_id)
    assert found is not None
    return found


def get_ticket(connection: Connection, ticket_id: int) -> CallbackTicket | None:
    row = connection.execute(select(tickets).where(tickets.c.id == ticket_id)).first()
    return None if row is None else ticket_of(row)


def list_tickets(
    connection: Connection,
    *,
    tenant: str | None = None,
    status: TicketStatus | None = None,
    overdue_at: datetime | None = None,
) -> list[CallbackTicket]:
    """Tickets oldest due first; `overdue_at`: only open tickets due before that instant."""
    query = select(tickets)
    if tenant is not None:
        query = query.where(tickets.c.tenant == tenant)
    if status is not None:
        query = query.where(tickets.c.status == status.value)
    if overdue_at is not None:
        query = query.where(
            tickets.c.status == TicketStatus.OPEN.value,
            tickets.c.due.is_not(None),
            tickets.c.due < overdue_at,
        )
    order = (tickets.c.due.is_(None), tickets.c.due, tickets.c.created, tickets.c.id)
    return [ticket_of(row) for row in connection.execute(query.order_by(*order))]


def mark_done(connection: Connection, ticket_id: int, now: datetime) -> CallbackTicket | None:
    """Done at `now`, and the caller's full number forgotten; done twice keeps the first time."""
    connection.execute(
        update(tickets)
        .where(tickets.c.id == ticket_id, tickets.c.status == TicketStatus.OPEN.value)
        .values(status=TicketStatus.DONE.value, done_at=now, caller_full=None)
    )
    return get_ticket(connection, ticket_id)
