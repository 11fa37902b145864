"""Today's figures per tenant in two grouped queries (calls by tenant and outcome; tickets)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Connection, and_, case, func, select

from pbx_bridge.core.calls import TicketStatus
from pbx_bridge.core.kpis import CallCounts, KpiThresholds
from pbx_bridge.storage.models import calls, tickets
from pbx_bridge.storage.reports import group_counts, kpi_columns


def counts_by_tenant(
    connection: Connection,
    tenants: Sequence[str] | None,
    start: datetime,
    end: datetime,
    thresholds: KpiThresholds,
) -> dict[str | None, CallCounts]:
    """CallCounts of the calls that started in [start, end), per tenant (None: unrouted)."""
    where = and_(calls.c.started >= start, calls.c.started < end)
    if tenants is not None:
        where = and_(where, calls.c.tenant.in_(tenants))
    keys = (calls.c.tenant, calls.c.outcome)
    columns = kpi_columns(thresholds.service_levels_s, thresholds.short_abandon_s)
    statement = select(*keys, *columns).where(where).group_by(*keys)
    found: dict[str | None, CallCounts] = {}
    for row in connection.execute(statement):
        _, counts = group_counts(row, thresholds)
        found[row.tenant] = found.get(row.tenant, CallCounts()) + counts
    return found


def open_tickets_by_tenant(
    connection: Connection, tenants: Sequence[str] | None, now: datetime
) -> dict[str | None, tuple[int, int]]:
    """(open, of them overdue) per tenant."""
    t = tickets.c
    where = t.status == TicketStatus.OPEN.value
    if tenants is not None:
        where = and_(where, t.tenant.in_(tenants))
    late = and_(t.due.is_not(None), t.due < now)
    overdue = func.coalesce(func.sum(case((late, 1), else_=0)), 0)
    statement = select(t.tenant, func.count(), overdue).where(where).group_by(t.tenant)
    return {
        tenant: (int(count), int(late or 0))
        for tenant, count, late in connection.execute(statement)
    }
