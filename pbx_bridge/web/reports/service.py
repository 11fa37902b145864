"""A report for a period: the shared JSON of `pbx-bridge report` plus the chart series."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from pbx_bridge.core.console_access import Principal
from pbx_bridge.core.kpis import service_level_percent
from pbx_bridge.core.named_periods import Period, named_period
from pbx_bridge.core.schedule import WEEKDAY_NAMES
from pbx_bridge.reporting.figures import as_json
from pbx_bridge.storage import ReportQuery
from pbx_bridge.web.context import ConsoleContext
from pbx_bridge.web.reports.charts import BarChart, HeatMap, bar_chart, heat_map
from pbx_bridge.web.reports.queries import report_series


def report_json(
    context: ConsoleContext,
    principal: Principal,
    requested: str | None,
    period: Period,
    node: str | None = None,
) -> dict[str, Any]:
    """Exactly what `pbx-bridge report --tenant T --from .. --to .. [--node N] --format json`
    prints."""
    tenant = principal.single_tenant(requested)
    report = context.call_log.report(
        tenant=tenant, first=period.first, last=period.last, now=context.clock(), node=node
    )
    return as_json(report)


@dataclass(frozen=True)
class ReportCharts:
    calls_per_month: BarChart
    service_level_per_month: BarChart
    outcomes: BarChart
    weekday_hour: HeatMap


def _month_label(month: str) -> str:
    return month[5:] + "/" + month[2:4]


def report_charts(
    context: ConsoleContext, data: dict[str, Any], first: date, last: date
) -> ReportCharts:
    tenant = None if data["tenant"] == "all" else str(data["tenant"])
    log = context.call_log
    query = ReportQuery(tenant, first, last, log.zone, log.kpis.of(tenant), context.clock())
    months = list(data["months"])
    with log.engine.connect() as connection:
        series = report_series(connection, query, months)
    per_month: list[tuple[str, float | None]] = [
        (_month_label(m), n) for m, n in data["months"].items()
    ]
    levels = [(_month_label(m), service_level_percent(series.months[m])) for m in months]
    outcomes = [(name, share["percent"]) for name, share in data["outcomes"].items()]
    return ReportCharts(
        calls_per_month=bar_chart(per_month),
        service_level_per_month=bar_chart(levels, maximum=100.0, unit=" %"),
        outcomes=bar_chart(outcomes, maximum=100.0, unit=" %"),
        weekday_hour=heat_map(series.weekday_hour, WEEKDAY_NAMES),
    )


def full_report(context: ConsoleContext, tenant: str | None, period: Period) -> FullReport:
    """The report and its charts for a tenant the caller was already allowed to see."""
    report = context.call_log.report(
        tenant=tenant, first=period.first, last=period.last, now=context.clock()
    )
    data = as_json(report)
    return FullReport(data, report_charts(context, data, period.first, period.last))


@dataclass(frozen=True)
class FullReport:
    data: dict[str, Any]
    charts: ReportCharts


def warm_keys(context: ConsoleContext) -> list[tuple[str | None, Period]]:
    """The reports supervisors open most: each tenant's (and the center's) named periods."""
    today = context.today()
    tenants: list[str | None] = [None, *sorted(context.tenant_names())]
    return [(t, named_period(name, today)) for name in WARM_PERIODS for t in tenants]


WARM_PERIODS = ("this-month", "last-month", "this-quarter", "this-year")
