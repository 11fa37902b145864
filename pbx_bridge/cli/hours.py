"""`pbx-bridge hours TENANT --week 2026-W44`: the effective hours of each day of a week and the
rule that decided them (ad hoc closure > tenant exception > center exception > public
holiday > weekly hours)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from pbx_bridge.cli.arguments import FIRST_DAY, LAST_DAY, shown
from pbx_bridge.cli.common import EXIT_CONFIG, Subparsers, add_config_option, with_config
from pbx_bridge.closures.store import ClosuresUnreadableError, read_closures
from pbx_bridge.config.loader import BridgeConfig
from pbx_bridge.core.closures import NO_CLOSURES, Closure, Closures
from pbx_bridge.core.schedule import DayPlan, DaySource, format_ranges


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


@with_config
def run(args: argparse.Namespace, config: BridgeConfig) -> int:
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
    try:
        closures = read_closures(config.state_dir)
    except ClosuresUnreadableError as exc:
        print(f"warning: ad hoc closures ignored: {exc}", file=sys.stderr)
        closures = NO_CLOSURES
    plans = [tenant.schedule.plan_for(monday + timedelta(days=i)) for i in range(7)]
    closed = [_closures_on(closures, tenant.id, p.day, zone) for p in plans]
    year, week, _ = monday.isocalendar()
    if args.json:
        days = _as_json(tenant.id, f"{year}-W{week:02d}", plans, closed, zone)
        print(json.dumps(days, ensure_ascii=False))
        return 0
    print(f"{tenant.name} ({tenant.id}), week {year}-W{week:02d}, {zone.key}", end="")
    print(f", holidays {tenant.holidays}")
    for plan, on_day in zip(plans, closed, strict=True):
        note = _note(plan) + "".join(_closure_note(c, plan.day, zone) for c in on_day)
        print(f"{plan.day:%a %Y-%m-%d}  {format_ranges(plan.ranges):<24} {note}".rstrip())
    return 0


def _closures_on(closures: Closures, tenant: str, day: date, zone: ZoneInfo) -> list[Closure]:
    """The closures for `tenant` (its own or the center's) in force during part of `day`."""
    start = datetime.combine(day, time(0), zone)
    end = datetime.combine(day + timedelta(days=1), time(0), zone)
    return [
        c
        for c in closures.items
        if c.scope in (tenant, "*") and c.since < end and (c.until is None or c.until > start)
    ]


def _closure_note(closure: Closure, day: date, zone: ZoneInfo) -> str:
    since = closure.since.astimezone(zone)
    until = closure.until.astimezone(zone) if closure.until else None
    begins = f"{since:%H:%M}" if since.date() == day else "00:00"
    ends = f"{until:%H:%M}" if until and until.date() == day else "24:00"
    scope = "center" if closure.whole_center else "tenant"
    return f"; closed ad hoc {begins}-{ends} ({scope}): {closure.reason}"


def _this_monday(today: date) -> date:
    return today - timedelta(days=today.weekday())


_RULE_NAMES = {
    DaySource.HOURS: "weekly hours",
    DaySource.HOLIDAY: "holiday",
    DaySource.EXCEPTION: "exception",
    DaySource.CENTER_EXCEPTION: "center exception",
}


def _rule(plan: DayPlan) -> str:
    name = _RULE_NAMES[plan.source]
    return name if plan.label is None else f"{name}: {plan.label}"


def _note(plan: DayPlan) -> str:
    note = _rule(plan)
    if plan.overridden_holiday:
        note += f" (instead of holiday {plan.overridden_holiday})"
    return note


def _as_json(
    tenant: str,
    week: str,
    plans: list[DayPlan],
    closed: list[list[Closure]],
    zone: ZoneInfo,
) -> dict[str, object]:
    return {
        "tenant": tenant,
        "week": week,
        "days": [
            {
                "date": p.day.isoformat(),
                "hours": [str(r) for r in p.ranges],
                "reason": p.reason,
                "rule": p.source.value,
                "overridden_holiday": p.overridden_holiday,
                "closures": [
                    {
                        "reason": c.reason,
                        "whole_center": c.whole_center,
                        "since": c.since.astimezone(zone).isoformat(),
                        "until": c.until.astimezone(zone).isoformat() if c.until else None,
                    }
                    for c in on_day
                ],
            }
            for p, on_day in zip(plans, closed, strict=True)
        ],
    }
