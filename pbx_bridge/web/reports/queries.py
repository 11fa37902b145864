"""What the report pages chart beyond the shared report: service level per month and the
weekday x hour matrix, from one GROUP BY over the details plus the purged-month aggregates."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, and_, func, literal, select

from pbx_bridge.core.calls import Outcome
from pbx_bridge.core.kpis import CallCounts, month_fully_inside
from pbx_bridge.storage.local_time import local_time
from pbx_bridge.storage.models import NONE_KEY, calls, hourly_aggregates, monthly_aggregates
from pbx_bridge.storage.reports import ReportQuery, kpi_columns


@dataclass
class ReportSeries:
    months: dict[str, CallCounts] = field(default_factory=dict)
    weekday_hour: list[list[int]] = field(default_factory=lambda: [[0] * 24 for _ in range(7)])


def _group(outcome: str, row: object) -> CallCounts:
    return CallCounts.of_group(
        Outcome(outcome),
        calls=int(row.calls),  # type: ignore[attr-defined]
        answered=int(row.answered),  # type: ignore[attr-defined]
        answered_within=int(row.answered_within),  # type: ignore[attr-defined]
        short_abandons=int(row.short_abandons),  # type: ignore[attr-defined]
        wait_answered_s=float(row.wait_answered_s),  # type: ignore[attr-defined]
    )


def report_series(connection: Connection, query: ReportQuery, months: list[str]) -> ReportSeries:
    series = ReportSeries(months={m: CallCounts() for m in months})
    start, end = query.bounds()
    local = local_time(calls.c.started, query.zone, start, end, connection.dialect.name)
    slot = local.slot.label("slot")
    where = and_(calls.c.started >= start, calls.c.started < end)
    if query.tenant is not None:
        where = and_(where, calls.c.tenant == query.tenant)
    statement = (
        select(slot, calls.c.outcome, *kpi_columns(query.thresholds))
        .where(where)
        .group_by(slot, calls.c.outcome)
    )
    for row in connection.execute(statement):
        month, weekday, hour = local.parse_slot(row.slot)
        series.months[month] = series.months.get(month, CallCounts()) + _group(row.outcome, row)
        series.weekday_hour[weekday][hour] += int(row.calls)
    full = [m for m in months if month_fully_inside(m, query.first, query.last)]
    if full:
        _purged(connection, query, full, series)
    return series


def _purged(
    connection: Connection, query: ReportQuery, full: list[str], series: ReportSeries
) -> None:
    agg = monthly_aggregates.c
    tenant = NONE_KEY if query.tenant is None else query.tenant
    scope = literal(True) if query.tenant is None else agg.tenant == tenant
    sums = [
        func.sum(agg[name]).label(name)
        for name in ("calls", "answered", "answered_within", "short_abandons", "wait_answered_s")
    ]
    statement = (
        select(agg.month, agg.outcome, *sums)
        .where(agg.month.in_(full), scope)
        .group_by(agg.month, agg.outcome)
    )
    for row in connection.execute(statement):
        series.months[row.month] = series.months.get(row.month, CallCounts()) + _group(
            row.outcome, row
        )
    hourly = hourly_aggregates.c
    hourly_scope = literal(True) if query.tenant is None else hourly.tenant == tenant
    profile = (
        select(hourly.weekday, hourly.hour, func.sum(hourly.calls).label("calls"))
        .where(hourly.month.in_(full), hourly_scope)
        .group_by(hourly.weekday, hourly.hour)
    )
    for row in connection.execute(profile):
        series.weekday_hour[int(row.weekday)][int(row.hour)] += int(row.calls)
