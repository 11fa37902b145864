"""Purge: call details past retention are folded into monthly aggregates, then deleted.

Folding and deleting happen in one transaction, so a purge that fails half-way changes
nothing and a repeated purge finds nothing left to fold: no month is ever counted twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Table, and_, case, delete, func, literal_column, select
from sqlalchemy.sql.elements import ColumnElement

from pbx_bridge.core.kpis import KpiThresholds
from pbx_bridge.storage.call_counts import drop_empty
from pbx_bridge.storage.local_time import LocalTime, local_time
from pbx_bridge.storage.models import (
    NONE_KEY,
    calls,
    hourly_aggregates,
    monthly_aggregates,
    monthly_service_levels,
    ticket_aggregates,
    tickets,
    wrapups,
)
from pbx_bridge.storage.reports import kpi_columns, within_label
from pbx_bridge.storage.upsert import UpdateFrom, upsert

# Inline, not a bound parameter: PostgreSQL must see GROUP BY and SELECT use the same expression.
_NONE: ColumnElement[str] = literal_column(f"'{NONE_KEY}'")
_SUMS = ("calls", "answered", "short_abandons", "wait_answered_s")


@dataclass(frozen=True)
class PurgeCounts:
    cutoff: datetime  # details that started before this instant were purged
    calls: int = 0
    tickets: int = 0  # done tickets (open ones are kept: someone still has to call back)
    wrapups: int = 0


def _add_up(table: Table, *names: str) -> UpdateFrom:
    """ON CONFLICT update that adds the new sums to those already folded."""

    def update(excluded: Any) -> dict[str, Any]:
        return {name: table.c[name] + excluded[name] for name in names}

    return update


def purge(
    connection: Connection, cutoff: datetime, zone: ZoneInfo, thresholds: KpiThresholds
) -> PurgeCounts:
    old = calls.c.started < cutoff
    first = connection.execute(select(func.min(calls.c.started)).where(old)).scalar()
    folded_calls = 0
    if first is not None:
        local = local_time(calls.c.started, zone, first, cutoff, connection.dialect.name)
        _fold_calls(connection, old, local.month, thresholds)
        _fold_profile(connection, old, local)
        # The triggers take the deleted calls out of the live counts; their days drop out.
        folded_calls = connection.execute(delete(calls).where(old)).rowcount
        drop_empty(connection)
    folded_tickets = _fold_tickets(connection, cutoff, zone)
    # Wrap-ups come at most 30 minutes after their call: those before the cutoff belong to
    # purged calls, or to calls that never got a record (pending for good).
    purged_wrapups = connection.execute(delete(wrapups).where(wrapups.c.at < cutoff)).rowcount
    return PurgeCounts(cutoff, folded_calls, folded_tickets, purged_wrapups)


def _fold_calls(connection: Connection, old: Any, month: Any, thresholds: KpiThresholds) -> None:
    """Monthly counts, with the answered-within count of every threshold configured now."""
    tenant = func.coalesce(calls.c.tenant, _NONE).label("tenant")
    department = func.coalesce(calls.c.department, _NONE).label("department")
    keys = (tenant, department, calls.c.outcome, month.label("month"))
    levels = thresholds.service_levels_s
    columns = kpi_columns(levels, thresholds.short_abandon_s)
    statement = select(*keys, *columns).where(old).group_by(*keys)
    groups = [dict(row._mapping) for row in connection.execute(statement)]
    if not groups:
        return
    key_names = ("tenant", "department", "outcome", "month")
    first = within_label(thresholds.service_level_s)
    rows = [
        {name: group[name] for name in (*key_names, *_SUMS)}
        | {
            "answered_within": group[first],
            "threshold_s": thresholds.service_level_s,
            "short_abandon_s": thresholds.short_abandon_s,
        }
        for group in groups
    ]
    aggregate_keys = (*key_names, "threshold_s", "short_abandon_s")
    sums = (*_SUMS, "answered_within")
    upsert(connection, monthly_aggregates, rows, aggregate_keys, _add_up(monthly_aggregates, *sums))
    level_rows = [
        {name: group[name] for name in key_names}
        | {
            "threshold_s": level,
            "calls": group["calls"],
            "answered_within": group[within_label(level)],
        }
        for group in groups
        for level in levels
    ]
    upsert(
        connection,
        monthly_service_levels,
        level_rows,
        (*key_names, "threshold_s"),
        _add_up(monthly_service_levels, "calls", "answered_within"),
    )


def _fold_profile(connection: Connection, old: Any, local: LocalTime) -> None:
    tenant = func.coalesce(calls.c.tenant, _NONE).label("tenant")
    keys = (tenant, local.slot.label("slot"))
    statement = select(*keys, func.count().label("calls")).where(old).group_by(*keys)
    rows = []
    for row in connection.execute(statement):
        month, weekday, hour = local.parse_slot(row.slot)
        rows.append(
            {
                "tenant": row.tenant,
                "month": month,
                "weekday": weekday,
                "hour": hour,
                "calls": int(row.calls),
            }
        )
    if rows:
        key_names = ("tenant", "month", "weekday", "hour")
        upsert(connection, hourly_aggregates, rows, key_names, _add_up(hourly_aggregates, "calls"))


def _fold_tickets(connection: Connection, cutoff: datetime, zone: ZoneInfo) -> int:
    t = tickets.c
    old = and_(t.status == "done", t.created < cutoff)
    first = connection.execute(select(func.min(t.created)).where(old)).scalar()
    if first is None:
        return 0
    month = local_time(t.created, zone, first, cutoff, connection.dialect.name).month
    on_time = t.due.is_(None) | (t.done_at <= t.due)
    keys = (func.coalesce(t.tenant, _NONE).label("tenant"), month.label("month"))
    statement = (
        select(
            *keys,
            func.sum(case((on_time, 1), else_=0)).label("on_time"),
            func.sum(case((on_time, 0), else_=1)).label("late"),
        )
        .where(old)
        .group_by(*keys)
    )
    rows = [dict(row._mapping) for row in connection.execute(statement)]
    upsert(
        connection,
        ticket_aggregates,
        rows,
        ("tenant", "month"),
        _add_up(ticket_aggregates, "on_time", "late"),
    )
    deleted: int = connection.execute(delete(tickets).where(old)).rowcount
    return deleted
