"""`pbx-bridge purge --older-than 180d`: delete call details past retention, keep aggregates."""

from __future__ import annotations

import argparse
import re
from datetime import UTC, date, datetime, timedelta

from pbx_bridge.cli.common import Subparsers, add_config_option
from pbx_bridge.cli.db import with_call_log
from pbx_bridge.cli.tabular import add_format_option, print_json, print_rows
from pbx_bridge.config.loader import BridgeConfig
from pbx_bridge.storage import CallLog

_AGE = re.compile(r"^\s*(\d+)\s*([dwmy])\s*$")


def parse_age(text: str, now: datetime) -> timedelta:
    """'180d', '26w', '6m' (calendar months), '1y' (calendar years) before `now`."""
    match = _AGE.match(text.lower())
    if not match:
        raise ValueError(f"{text!r} is not an age like 180d, 26w, 6m or 1y")
    count, unit = int(match.group(1)), match.group(2)
    if unit == "d":
        return timedelta(days=count)
    if unit == "w":
        return timedelta(weeks=count)
    months = count if unit == "m" else 12 * count
    return now - _months_before(now, months)


def _months_before(now: datetime, months: int) -> datetime:
    index = now.year * 12 + now.month - 1 - months
    year, month = divmod(index, 12)
    # 31 August minus six months is the last day of February, not an invalid date.
    following = date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    day = min(now.day, (following - timedelta(days=1)).day)
    return now.replace(year=year, month=month + 1, day=day)


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "purge", help="delete call details past retention; monthly figures are kept"
    )
    parser.add_argument(
        "--older-than",
        metavar="AGE",
        help="e.g. 180d, 26w, 6m, 1y (default: privacy.retention_days of bridge.yaml)",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="count what would be purged, change nothing"
    )
    add_format_option(parser)
    add_config_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    return with_call_log(args, lambda log, config: _purge(log, config, args))


def _purge(log: CallLog, config: BridgeConfig, args: argparse.Namespace) -> int:
    now = datetime.now(UTC)
    if args.older_than:
        try:
            age = parse_age(args.older_than, now)
        except ValueError as error:
            raise SystemExit(f"pbx-bridge purge: {error}") from None
    else:
        age = timedelta(days=config.privacy.retention_days)
    counts = log.purge(age, now, dry_run=args.dry_run)
    cutoff = counts.cutoff.astimezone(config.directory.center.timezone)
    data = {
        "dry_run": args.dry_run,
        "cutoff": cutoff.isoformat(),
        "calls": counts.calls,
        "tickets": counts.tickets,
        "wrapups": counts.wrapups,
    }
    if args.format == "json":
        print_json(data)
        return 0
    if args.format == "csv":
        print_rows("csv", list(data), [list(data.values())])
        return 0
    verb = "would purge" if args.dry_run else "purged"
    print(
        f"{verb} details before {cutoff:%Y-%m-%d %H:%M}: {counts.calls} calls, "
        f"{counts.tickets} done tickets, {counts.wrapups} wrap-ups "
        "(monthly figures kept for the reports)"
    )
    return 0
