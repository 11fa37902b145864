"""`pbx-bridge report`: the figures supervisors publish (definitions: docs/statistics.md)."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import Any

from pbx_bridge.cli.common import EXIT_CONFIG, Subparsers, add_config_option
from pbx_bridge.cli.db import day_argument, with_call_log
from pbx_bridge.cli.tabular import Cell, add_format_option, print_csv, print_json, print_table
from pbx_bridge.config.loader import BridgeConfig
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
from pbx_bridge.core.periods import Period
from pbx_bridge.core.schedule import WEEKDAY_NAMES
from pbx_bridge.storage import CallLog, Report
from pbx_bridge.storage.reports import PeriodFigures

ALL = "all"
NO_TENANT = "(unrouted)"
NO_DEPARTMENT = "(none)"


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "report", help="calls, outcomes, service level and tickets for a period"
    )
    parser.add_argument("--tenant", default=ALL, help="tenant id, or 'all' (default)")
    parser.add_argument(
        "--from", dest="first", required=True, type=day_argument(), help="first day, YYYY-MM-DD"
    )
    parser.add_argument(
        "--to",
        dest="last",
        required=True,
        type=day_argument(last=True),
        help="last day (inclusive), YYYY-MM-DD",
    )
    parser.add_argument(
        "--by",
        choices=[p.value for p in Period],
        help="add the series: one row per month, ISO week or day",
    )
    add_format_option(parser)
    add_config_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.last < args.first:
        print(f"--to {args.last} is before --from {args.first}", file=sys.stderr)
        return EXIT_CONFIG
    return with_call_log(args, lambda log, config: _report(log, config, args))


def _report(log: CallLog, config: BridgeConfig, args: argparse.Namespace) -> int:
    tenant = None if args.tenant == ALL else args.tenant
    if tenant is not None and config.directory.tenant(tenant) is None:
        # Past tenants still need their figures (billing), so this only warns.
        print(f"note: tenant {tenant!r} is not in the configuration", file=sys.stderr)
    by = None if args.by is None else Period(args.by)
    report = log.report(
        tenant=tenant, first=args.first, last=args.last, now=datetime.now(UTC), by=by
    )
    data = as_json(report)
    if args.format == "json":
        print_json(data)
    elif args.format == "csv":
        print_csv(("metric", "key", "value"), _long_rows(data))
    else:
        _print_sections(data)
    for note in report.notes:
        print(f"note: {note}", file=sys.stderr)
    return 0


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
    if isinstance(value, list):
        return [[prefix, key, item] for item in value]
    return [[prefix, key, value]]


def _long_rows(data: dict[str, Any]) -> list[list[Cell]]:
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


def _print_sections(data: dict[str, Any]) -> None:
    def pct(value: float | None) -> str:
        return "-" if value is None else f"{value:.1f} %"

    ab = data["abandon_rate"]
    print(f"Report {data['tenant']}, {data['from']} to {data['to']} ({data['timezone']})")
    print(f"Calls: {data['total_calls']}, monthly average {data['monthly_average']}")
    for level in data["service_levels"]:
        within = "?" if level["answered_within"] is None else level["answered_within"]
        print(
            f"Service level ({level['threshold_s']} s): {pct(level['percent'])} "
            f"({within} of {level['offered']} offered)"
        )
    fcr = data["first_contact_resolution"]
    print(
        f"First-contact resolution: {pct(fcr['percent'])} "
        f"({fcr['resolved']} of {fcr['answered']} answered)"
    )
    asa = "-" if data["asa_s"] is None else f"{data['asa_s']:.1f} s"
    print(f"Average speed of answer: {asa}")
    print(
        f"Abandon rate: {pct(ab['percent'])} ({ab['abandoned']} abandoned, "
        f"{ab['short_abandons']} short abandons under {ab['short_abandon_s']} s not counted)"
    )
    t = data["tickets"]
    print(
        f"Callback tickets: {t['on_time']} on time, {t['late']} late, {t['open']} open "
        f"({t['open_overdue']} overdue)\n"
    )
    if "series" in data:
        _print_series(data)
    else:
        print_table(("month", "calls"), list(data["months"].items()))
    print()
    outcomes = [(k, v["calls"], v["percent"]) for k, v in data["outcomes"].items()]
    print_table(("outcome", "calls", "%"), outcomes)
    print()
    departments = [(k, v["calls"], v["percent"]) for k, v in data["departments"].items()]
    print_table(("department", "calls", "%"), departments)
    print()
    print_table(("weekday", "calls"), list(data["weekdays"].items()))
    print()
    print_table(("hour", "calls"), [(h, n) for h, n in data["hours"].items() if n])


def _print_series(data: dict[str, Any]) -> None:
    """One row per period: calls, offered, answered, each service level, ASA, abandon, FCR."""

    def number(value: float | None) -> Cell:
        return "-" if value is None else value

    levels = [f"SL {level['threshold_s']} s %" for level in data["service_levels"]]
    header = (data["by"], "calls", "offered", "answered", *levels, "ASA s", "abandon %", "FCR %")
    rows: list[list[Cell]] = [
        [
            row["period"],
            row["total_calls"],
            row["offered"],
            row["answered"],
            *(number(level["percent"]) for level in row["service_levels"]),
            number(row["asa_s"]),
            number(row["abandon_rate"]["percent"]),
            number(row["first_contact_resolution"]["percent"]),
        ]
        for row in data["series"]
    ]
    print_table(header, rows)
