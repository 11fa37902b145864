"""What the report pages chart beyond the shared report: service level per month and the
weekday x hour matrix, from one GROUP BY over the details plus the purged-month aggregates."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, and_, func, literal, select

from pbx_bridge.core.kpis import CallCounts, month_fully_inside
from pbx_bridge.storage.local_time import local_time
from pbx_bridge.storage.models import NONE_KEY, calls, hourly_aggregates
from pbx_bridge.storage.purged_months import purged_counts
from pbx_bridge.storage.reports import ReportQuery, group_counts, kpi_columns


@dataclass
class ReportSeries:
    months: dict[str, CallCounts] = field(default_factory=dict)
    weekday_hour: list[list[int]] = field(default_factory=lambda: [[0] * 24 for _ in range(7)])


def report_series(connection: Connection, query: ReportQuery, months: list[str]) -> ReportSeries:
    series = ReportSeries(months={m: CallCounts() for m in months})
    levels = query.thresholds.service_levels_s
    start, end = query.bounds()
    local = local_time(calls.c.started, query.zone, start, end, connection.dialect.name)
    slot = local.slot.label("slot")
    where = and_(calls.c.started >= start, calls.c.started < end)
    if query.tenant is not None:
        where = and_(where, calls.c.tenant == query.tenant)
    statement = (
        select(slot, calls.c.outcome, *kpi_columns(levels, query.thresholds.short_abandon_s))
        .where(where)
        .group_by(slot, calls.c.outcome)
    )
    for row in connection.execute(statement):
        month, weekday, hour = local.parse_slot(row.slot)
        _, counts = group_counts(row, query.thresholds)
        series.months[month] = series.months.get(month, CallCounts()) + counts
        series.weekday_hour[weekday][hour] += int(row.calls)
    full = [m for m in months if month_fully_inside(m, query.first, query.last)]
    if full:
        _purged(connection, query, full, series)
    return series


def _purged(
    connection: Connection, query: ReportQuery, full: list[str], series: ReportSeries
) -> None:
    tenant = NONE_KEY if query.tenant is None else query.tenant
    for group in purged_counts(connection, query.tenant, full, query.thresholds).groups:
        series.months[group.month] = series.months.get(group.month, CallCounts()) + group.counts
    hourly = hourly_aggregates.c
    hourly_scope = literal(True) if query.tenant is None else hourly.tenant == tenant
    profile = (
        select(hourly.weekday, hourly.hour, func.sum(hourly.calls).label("calls"))
        .where(hourly.month.in_(full), hourly_scope)
        .group_by(hourly.weekday, hourly.hour)
    )
    for row in connection.execute(profile):
        series.weekday_hour[int(row.weekday)][int(row.hour)] += int(row.calls)
