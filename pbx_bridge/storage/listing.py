"""Call details for `pbx-bridge calls`: the effective records, oldest first."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection, select

from pbx_bridge.core.calls import CallRecord, Outcome
from pbx_bridge.storage.models import calls
from pbx_bridge.storage.rows import effective_record


def list_calls(
    connection: Connection,
    *,
    tenant: str | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    outcome: Outcome | None = None,
    limit: int | None = None,
) -> list[CallRecord]:
    query = select(calls)
    if tenant is not None:
        query = query.where(calls.c.tenant == tenant)
    if start is not None:
        query = query.where(calls.c.started >= start)
    if end is not None:
        query = query.where(calls.c.started < end)
    if outcome is not None:
        query = query.where(calls.c.outcome == outcome.value)
    query = query.order_by(calls.c.started, calls.c.id).limit(limit)
    return [effective_record(row) for row in connection.execute(query)]


def find_record(connection: Connection, node: str, call_id: str) -> CallRecord | None:
    query = select(calls).where(calls.c.node == node, calls.c.call_id == call_id)
    row = connection.execute(query).first()
    return None if row is None else effective_record(row)


def nodes_of(connection: Connection, call_id: str) -> list[str]:
    """The Asterisk nodes that recorded a call with this id (normally exactly one)."""
    query = select(calls.c.node).where(calls.c.call_id == call_id).order_by(calls.c.node)
    return list(connection.execute(query).scalars())
