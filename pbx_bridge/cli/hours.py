"""`pbx-bridge hours TENANT --week 2026-W44`: the effective hours of each day of a week."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime, timedelta

from pbx_bridge.cli.arguments import FIRST_DAY, LAST_DAY, shown
from pbx_bridge.cli.common import EXIT_CONFIG, Subparsers, add_config_option, load_or_report
from pbx_bridge.core.schedule import DayPlan, format_ranges


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "hours", help="a tenant's effective hours for each day of a week, holidays named"
    )
    parser.add_argument("tenant", metavar="TENANT", help="tenant id, e.g. gifhorn")
    parser.add_argument("--week", help="ISO week, e.g. 2026-W44 (default: this week)")
    parser.add_argument("--json", action="store_true", help="print the week as JSON")
    add_config_option(parser)
    parser.set_defaults(handler=run)


def parse_week(text: str) -> date:
    """Monday of ISO week 'YYYY-Www'."""
    year_text, sep, week_text = text.upper().partition("-W")
    digits = (year_text + week_text).isascii() and year_text.isdigit() and week_text.isdigit()
    if not sep or not digits or not FIRST_DAY.year <= int(year_text) <= LAST_DAY.year:
        raise ValueError(
            f"{shown(text)} is not an ISO week like 2026-W44 "
            f"(years {FIRST_DAY.year} to {LAST_DAY.year})"
        )
    try:
        return date.fromisocalendar(int(year_text), int(week_text), 1)
    except ValueError:
        raise ValueError(f"{shown(text)} is not a week of {year_text}") from None


def run(args: argparse.Namespace) -> int:
    config = load_or_report(args.config)
    if config is None:
        return EXIT_CONFIG
    tenant = config.directory.tenant(args.tenant)
    if tenant is None:
        known = ", ".join(t.id for t in config.directory.tenants)
        print(f"unknown tenant {args.tenant!r} (known: {known})", file=sys.stderr)
        return EXIT_CONFIG
    zone = config.directory.center.timezone
    try:
        monday = parse_week(args.week) if args.week else _this_monday(datetime.now(zone).date())
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return EXIT_CONFIG
    plans = [tenant.schedule.plan_for(monday + timedelta(days=i)) for i in range(7)]
    year, week, _ = monday.isocalendar()
    if args.json:
        print(json.dumps(_as_json(tenant.id, f"{year}-W{week:02d}", plans), ensure_ascii=False))
        return 0
    print(f"{tenant.name} ({tenant.id}), week {year}-W{week:02d}, {zone.key}", end="")
    print(f", holidays {tenant.holidays}")
    for plan in plans:
        print(f"{plan.day:%a %Y-%m-%d}  {format_ranges(plan.ranges):<24} {_note(plan)}".rstrip())
    return 0


def _this_monday(today: date) -> date:
    return today - timedelta(days=today.weekday())


def _note(plan: DayPlan) -> str:
    note = "" if plan.reason == "hours" else plan.reason
    if plan.overridden_holiday:
        note += f" (instead of holiday {plan.overridden_holiday})"
    return note


def _as_json(tenant: str, week: str, plans: list[DayPlan]) -> dict[str, object]:
    return {
        "tenant": tenant,
        "week": week,
        "days": [
            {
                "date": p.day.isoformat(),
                "hours": [str(r) for r in p.ranges],
                "reason": p.reason,
                "overridden_holiday": p.overridden_holiday,
            }
            for p in plans
        ],
    }
