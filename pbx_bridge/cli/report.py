"""`pbx-bridge report`: the figures supervisors publish (definitions: docs/statistics.md)."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from typing import Any

from pbx_bridge.cli import report_send
from pbx_bridge.cli.arguments import label
from pbx_bridge.cli.common import EXIT_CONFIG, Subparsers, add_config_option
from pbx_bridge.cli.db import day_argument, with_call_log
from pbx_bridge.cli.tabular import Cell, add_format_option, print_csv, print_json, print_table
from pbx_bridge.config.loader import BridgeConfig
from pbx_bridge.core.periods import Period
from pbx_bridge.reporting.figures import ALL, as_json, long_rows
from pbx_bridge.storage import CallLog


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "report", help="calls, outcomes, service level and tickets for a period"
    )
    parser.add_argument("--tenant", default=ALL, help="tenant id, or 'all' (default)")
    parser.add_argument(
        "--from", dest="first", type=day_argument(), help="first day, YYYY-MM-DD (required)"
    )
    parser.add_argument(
        "--to",
        dest="last",
        type=day_argument(last=True),
        help="last day (inclusive), YYYY-MM-DD",
    )
    parser.add_argument(
        "--node",
        type=label,
        default=ALL,
        help="one Asterisk's calls and tickets (its ami.node), or 'all' (default)",
    )
    parser.add_argument(
        "--by",
        choices=[p.value for p in Period],
        help="add the series: one row per month, ISO week or day",
    )
    add_format_option(parser)
    add_config_option(parser)
    parser.set_defaults(handler=run)
    report_send.register(parser.add_subparsers(dest="report_action", metavar="ACTION"))


def run(args: argparse.Namespace) -> int:
    if args.first is None or args.last is None:
        print("report needs --from and --to (or the action: report send)", file=sys.stderr)
        return EXIT_CONFIG
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
    node = None if args.node == ALL else args.node
    report = log.report(
        tenant=tenant,
        first=args.first,
        last=args.last,
        now=datetime.now(UTC),
        by=by,
        node=node,
    )
    data = as_json(report)
    if args.format == "json":
        print_json(data)
    elif args.format == "csv":
        print_csv(("metric", "key", "value"), long_rows(data))
    else:
        _print_sections(data)
    for note in report.notes:
        print(f"note: {note}", file=sys.stderr)
    return 0


def _print_sections(data: dict[str, Any]) -> None:
    def pct(value: float | None) -> str:
        return "-" if value is None else f"{value:.1f} %"

    ab = data["abandon_rate"]
    node = "" if data["node"] == ALL else f", node {data['node']}"
    print(f"Report {data['tenant']}{node}, {data['from']} to {data['to']} ({data['timezone']})")
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
