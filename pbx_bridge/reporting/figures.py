"""A report as the figures every output shows (definitions: docs/statistics.md).

`as_json` is the one shape: `pbx-bridge report --format json` prints it, the table and the
mailed HTML, PDF, CSV and XLSX are rendered from it, so they never disagree.
"""

from __future__ import annotations

from typing import Any

from pbx_bridge.core.calls import Outcome
from pbx_bridge.core.kpis import (
    CallCounts,
    KpiThresholds,
    abandon_rate_percent,
    asa_s,
    first_contact_resolution_percent,
    monthly_average,
    percent,
    service_level_percent,
)
from pbx_bridge.core.schedule import WEEKDAY_NAMES
from pbx_bridge.storage import Report
from pbx_bridge.storage.reports import PeriodFigures

Cell = str | int | float | None
ALL = "all"
NO_TENANT = "(unrouted)"
NO_DEPARTMENT = "(none)"


def _rounded(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def _share(count: int, total: int) -> dict[str, Any]:
    return {"calls": count, "percent": _rounded(percent(count, total))}


def _department_key(report: Report, tenant: str | None, department: str | None) -> str:
    name = department or NO_DEPARTMENT
    if report.query.tenant is not None:
        return name
    # Across tenants, "Zentrale" of one is not "Zentrale" of another.
    return f"{tenant or NO_TENANT} / {name}"


def service_levels(counts: CallCounts, thresholds: KpiThresholds) -> list[dict[str, Any]]:
    """One entry per threshold; percent and answered_within None where unknown."""
    return [
        {
            "threshold_s": threshold,
            "percent": _rounded(service_level_percent(counts, threshold)),
            "answered_within": counts.answered_within_s(threshold),
            "offered": counts.offered,
        }
        for threshold in thresholds.service_levels_s
    ]


def first_contact_resolution(counts: CallCounts) -> dict[str, Any]:
    return {
        "percent": _rounded(first_contact_resolution_percent(counts)),
        "resolved": counts.resolved,
        "answered": counts.answered,
    }


def abandon_rate(counts: CallCounts, thresholds: KpiThresholds) -> dict[str, Any]:
    return {
        "percent": _rounded(abandon_rate_percent(counts)),
        "abandoned": counts.abandoned - counts.short_abandons,
        "short_abandons": counts.short_abandons,
        "short_abandon_s": thresholds.short_abandon_s,
        "offered": counts.offered,
    }


def _period_json(period: str, figures: PeriodFigures, thresholds: KpiThresholds) -> dict[str, Any]:
    counts, total = figures.counts, figures.counts.calls
    return {
        "period": period,
        "total_calls": total,
        "offered": counts.offered,
        "answered": counts.answered,
        "service_levels": service_levels(counts, thresholds),
        "asa_s": _rounded(asa_s(counts)),
        "abandon_rate": abandon_rate(counts, thresholds),
        "first_contact_resolution": first_contact_resolution(counts),
        "outcomes": {o.value: _share(figures.outcomes[o], total) for o in Outcome},
    }


def as_json(report: Report) -> dict[str, Any]:
    query, counts, total = report.query, report.counts, report.total_calls
    departments = sorted(report.departments.items(), key=lambda item: (-item[1], str(item[0])))
    levels = service_levels(counts, query.thresholds)
    data: dict[str, Any] = {
        "tenant": query.tenant or ALL,
        "node": query.node or ALL,
        "from": query.first.isoformat(),
        "to": query.last.isoformat(),
        "timezone": query.zone.key,
        "total_calls": total,
        "months": report.months,
        "monthly_average": _rounded(monthly_average(total, len(report.months))),
        "tenants": {
            (tenant or NO_TENANT): count
            for tenant, count in sorted(
                report.tenants.items(), key=lambda item: (-item[1], str(item[0]))
            )
        },
        "departments": {
            _department_key(report, tenant, department): _share(count, total)
            for (tenant, department), count in departments
        },
        "outcomes": {o.value: _share(report.outcomes[o], total) for o in Outcome},
        "service_level": levels[0],
        "service_levels": levels,
        "asa_s": _rounded(asa_s(counts)),
        "answered": counts.answered,
        "abandon_rate": abandon_rate(counts, query.thresholds),
        "first_contact_resolution": first_contact_resolution(counts),
        "tickets": {
            "on_time": report.tickets.on_time,
            "late": report.tickets.late,
            "open": report.tickets.open,
            "open_overdue": report.tickets.open_overdue,
        },
        "weekdays": dict(zip(WEEKDAY_NAMES, report.weekdays, strict=True)),
        "hours": {f"{hour:02d}": count for hour, count in enumerate(report.hours)},
        "notes": report.notes,
    }
    if query.by is not None:
        data["by"] = query.by.value
        data["series"] = [
            _period_json(period, figures, query.thresholds)
            for period, figures in report.series.items()
        ]
    return data


def _flat(prefix: str, key: str, value: Any) -> list[list[Cell]]:
    if isinstance(value, dict):
        return [
            row for name, inner in value.items() for row in _flat(f"{prefix}.{name}", key, inner)
        ]
    if isinstance(value, list) and value and isinstance(value[0], dict):
        # Records inside a record (a period's service levels): named by their first field.
        rows: list[list[Cell]] = []
        for record in value:
            (_, first), *rest = record.items()
            for name, inner in rest:
                rows.extend(_flat(f"{prefix}.{first}.{name}", key, inner))
        return rows
    if isinstance(value, list):
        return [[prefix, key, item] for item in value]
    return [[prefix, key, value]]


def long_rows(data: dict[str, Any]) -> list[list[Cell]]:
    """One row per figure: metric, key, value (spreadsheets pivot this easily).

    Lists of records (service levels, the series) are keyed by their first field.
    """
    rows: list[list[Cell]] = []
    for metric, value in data.items():
        if isinstance(value, dict):
            for key, inner in value.items():
                if isinstance(inner, dict):
                    rows.extend([f"{metric}.{field}", key, v] for field, v in inner.items())
                else:
                    rows.append([metric, key, inner])
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            for record in value:
                first, *rest = record.items()
                for name, inner in rest:
                    rows.extend(_flat(f"{metric}.{name}", str(first[1]), inner))
        elif isinstance(value, list):
            rows.extend([metric, "", item] for item in value)
        else:
            rows.append([metric, "", value])
    return rows
