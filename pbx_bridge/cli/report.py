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
    abandon_rate_percent,
    asa_s,
    monthly_average,
    percent,
    service_level_percent,
)
from pbx_bridge.core.schedule import WEEKDAY_NAMES
from pbx_bridge.storage import CallLog, Report

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
    report = log.report(tenant=tenant, first=args.first, last=args.last, now=datetime.now(UTC))
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


def as_json(report: Report) -> dict[str, Any]:
    query, counts, total = report.query, report.counts, report.total_calls
    departments = sorted(report.departments.items(), key=lambda item: (-item[1], str(item[0])))
    return {
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
        "service_level": {
            "threshold_s": query.thresholds.service_level_s,
            "percent": _rounded(service_level_percent(counts)),
            "answered_within": counts.answered_within,
            "offered": counts.offered,
        },
        "asa_s": _rounded(asa_s(counts)),
        "answered": counts.answered,
        "abandon_rate": {
            "percent": _rounded(abandon_rate_percent(counts)),
            "abandoned": counts.abandoned - counts.short_abandons,
            "short_abandons": counts.short_abandons,
            "short_abandon_s": query.thresholds.short_abandon_s,
            "offered": counts.offered,
        },
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


def _long_rows(data: dict[str, Any]) -> list[list[Cell]]:
    """One row per figure: metric, key, value (spreadsheets pivot this easily)."""
    rows: list[list[Cell]] = []
    for metric, value in data.items():
        if isinstance(value, dict):
            for key, inner in value.items():
                if isinstance(inner, dict):
                    rows.extend([f"{metric}.{field}", key, v] for field, v in inner.items())
                else:
                    rows.append([metric, key, inner])
        elif isinstance(value, list):
            rows.extend([metric, "", item] for item in value)
        else:
            rows.append([metric, "", value])
    return rows


def _print_sections(data: dict[str, Any]) -> None:
    def pct(value: float | None) -> str:
        return "-" if value is None else f"{value:.1f} %"

    sl, ab = data["service_level"], data["abandon_rate"]
    print(f"Report {data['tenant']}, {data['from']} to {data['to']} ({data['timezone']})")
    print(f"Calls: {data['total_calls']}, monthly average {data['monthly_average']}")
    print(
        f"Service level ({sl['threshold_s']} s): {pct(sl['percent'])} "
        f"({sl['answered_within']} of {sl['offered']} offered)"
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
