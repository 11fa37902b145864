"""The test oracle: the report's live part computed from the raw calls, by GROUP BY over them.

Product code reads the counts the triggers keep; this reads every call of the range (and
node), so the two agreeing on random call sets says the counts are exact. Purged months and
tickets are read by the product's own functions (they have no second source).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, and_, literal, select
from sqlalchemy.sql.elements import ColumnElement

from pbx_bridge.core.kpis import month_fully_inside, months_between
from pbx_bridge.core.periods import Period, period_of, periods_between
from pbx_bridge.storage import reports
from pbx_bridge.storage.local_time import local_time
from pbx_bridge.storage.models import calls
from pbx_bridge.storage.reports import (
    PeriodFigures,
    Report,
    ReportQuery,
    group_counts,
    kpi_columns,
)


def raw_report(connection: Connection, query: ReportQuery) -> Report:
    report = Report(query, months=dict.fromkeys(months_between(query.first, query.last), 0))
    if query.by is not None:
        periods = periods_between(query.first, query.last, query.by)
        report.series = {period: PeriodFigures() for period in periods}
        _series(connection, query, query.by, report)
    _counts(connection, query, report)
    _profile(connection, query, report)
    full_months = [m for m in report.months if month_fully_inside(m, query.first, query.last)]
    if not query.purged_included:
        reports._note_node_without_purged(connection, query, list(report.months), report)
        full_months = []
    if full_months:
        reports._add_purged(connection, query, full_months, report)
        reports._aggregate_profile(connection, query, full_months, report)
    report.tickets = reports._tickets(connection, query, full_months)
    partial = [m for m in report.months if m not in full_months]
    if query.purged_included:
        reports._note_partly_purged(connection, query, partial, report)
    return report


def _in_range(query: ReportQuery) -> ColumnElement[bool]:
    start, end = query.bounds()
    tenant = literal(True) if query.tenant is None else calls.c.tenant == query.tenant
    node = literal(True) if query.node is None else calls.c.node == query.node
    return and_(tenant, node, calls.c.started >= start, calls.c.started < end)


def _columns(query: ReportQuery) -> list[ColumnElement[object]]:
    return kpi_columns(query.thresholds.service_levels_s, query.thresholds.short_abandon_s)


def _counts(connection: Connection, query: ReportQuery, report: Report) -> None:
    keys = (calls.c.tenant, calls.c.department, calls.c.outcome)
    statement = select(*keys, *_columns(query)).where(_in_range(query)).group_by(*keys)
    for row in connection.execute(statement):
        outcome, counts = group_counts(row, query.thresholds)
        report.add_group(row.tenant, row.department, outcome, counts)


def _series(connection: Connection, query: ReportQuery, by: Period, report: Report) -> None:
    start, end = query.bounds()
    day = local_time(calls.c.started, query.zone, start, end, connection.dialect.name).day
    keys = (day.label("day"), calls.c.outcome)
    statement = select(*keys, *_columns(query)).where(_in_range(query)).group_by(*keys)
    for row in connection.execute(statement):
        outcome, counts = group_counts(row, query.thresholds)
        report.series[period_of(date.fromisoformat(row.day), by)].add(outcome, counts)


def _profile(connection: Connection, query: ReportQuery, report: Report) -> None:
    start, end = query.bounds()
    local = local_time(calls.c.started, query.zone, start, end, connection.dialect.name)
    slot = local.slot.label("slot")
    statement = select(slot, *_columns(query)[:1]).where(_in_range(query)).group_by(slot)
    for row in connection.execute(statement):
        reports._add_profile(report, *local.parse_slot(row.slot), int(row.calls))
