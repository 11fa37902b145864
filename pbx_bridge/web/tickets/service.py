"""Tickets a caller may see and close; another tenant's ticket is 'not found' (no leak)."""

from __future__ import annotations

import unicodedata
from typing import Any

from starlette.exceptions import HTTPException

from pbx_bridge.cli.tickets import as_json
from pbx_bridge.core.calls import TicketStatus
from pbx_bridge.core.console_access import Principal
from pbx_bridge.web.context import ConsoleContext
from pbx_bridge.web.tickets.queries import VIEWS, find_ticket, list_tickets, mark_done

MAX_NOTE = 500


def clean_note(text: str) -> str:
    """One paragraph of printable text: control characters become spaces, bounded length."""
    kept = "".join(" " if unicodedata.category(ch).startswith("C") else ch for ch in text)
    return " ".join(kept.split())[:MAX_NOTE]


def tickets_for(
    context: ConsoleContext, principal: Principal, requested: str | None, view: str
) -> list[dict[str, Any]]:
    if view not in VIEWS:
        raise HTTPException(400, f"status must be one of {', '.join(VIEWS)}")
    scope = principal.scope(requested)
    now = context.clock()
    with context.call_log.engine.connect() as connection:
        found = list_tickets(connection, scope, view, now)
    return [as_json(t, context.call_log.zone, now) for t in found]


def close_ticket(
    context: ConsoleContext, principal: Principal, ticket_id: int, note: str
) -> dict[str, Any]:
    now = context.clock()
    with context.call_log.engine.begin() as connection:
        ticket = find_ticket(connection, ticket_id)
        if ticket is None or not principal.sees(ticket.tenant):
            raise HTTPException(404, "no such ticket")
        if ticket.status is TicketStatus.OPEN:
            mark_done(connection, ticket, clean_note(note) or None, now)
        closed = find_ticket(connection, ticket_id)
    assert closed is not None
    return as_json(closed, context.call_log.zone, now)
