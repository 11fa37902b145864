"""A report for a period: the shared JSON of `pbx-bridge report` plus the chart series."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from pbx_bridge.core.console_access import Principal
from pbx_bridge.core.kpis import service_level_percent
from pbx_bridge.core.named_periods import Period
from pbx_bridge.core.periods import Period as ByPeriod
from pbx_bridge.core.schedule import WEEKDAY_NAMES
from pbx_bridge.reporting.figures import as_json
from pbx_bridge.storage import Report
from pbx_bridge.web.context import ConsoleContext
from pbx_bridge.web.reports.charts import BarChart, HeatMap, bar_chart, heat_map


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


def report_charts(report: Report, data: dict[str, Any]) -> ReportCharts:
    """The charts of a report computed with the series by month."""
    months = list(data["months"])
    per_month: list[tuple[str, float | None]] = [
        (_month_label(m), n) for m, n in data["months"].items()
    ]
    levels = [(_month_label(m), service_level_percent(report.series[m].counts)) for m in months]
    outcomes = [(name, share["percent"]) for name, share in data["outcomes"].items()]
    return ReportCharts(
        calls_per_month=bar_chart(per_month),
        service_level_per_month=bar_chart(levels, maximum=100.0, unit=" %"),
        outcomes=bar_chart(outcomes, maximum=100.0, unit=" %"),
        weekday_hour=heat_map(report.weekday_hours, WEEKDAY_NAMES),
    )


def full_report(context: ConsoleContext, tenant: str | None, period: Period) -> FullReport:
    """The report and its charts for a tenant the caller was already allowed to see.

    `data` is what `pbx-bridge report` prints (no series); the series by month feeds the
    service level per month of the charts.
    """
    report = context.call_log.report(
        tenant=tenant, first=period.first, last=period.last, now=context.clock(), by=ByPeriod.MONTH
    )
    data = as_json(replace(report, query=replace(report.query, by=None)))
    return FullReport(data, report_charts(report, data))


@dataclass(frozen=True)
class FullReport:
    data: dict[str, Any]
    charts: ReportCharts
