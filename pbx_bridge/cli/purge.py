"""`pbx-bridge purge --older-than 180d`: delete call details past retention, keep aggregates."""

from __future__ import annotations

import argparse
import re
import sys
from datetime import UTC, date, datetime, timedelta

from pbx_bridge.cli.arguments import shown
from pbx_bridge.cli.common import EXIT_CONFIG, Subparsers, add_config_option
from pbx_bridge.cli.db import with_call_log
from pbx_bridge.cli.tabular import add_format_option, print_json, print_rows
from pbx_bridge.config.loader import BridgeConfig
from pbx_bridge.storage import CallLog

_AGE = re.compile(r"^\s*([0-9]{1,6})\s*([dwmy])\s*$")
MAX_AGE = timedelta(days=100 * 366)  # older than any call log: a typing error


def parse_age(text: str, now: datetime) -> timedelta:
    """'180d', '26w', '6m' (calendar months), '1y' (calendar years) before `now`, at most
    a hundred years."""
    match = _AGE.match(text.lower())
    if not match:
        raise ValueError(f"{shown(text)} is not an age like 180d, 26w, 6m or 1y")
    count, unit = int(match.group(1)), match.group(2)
    if count * {"d": 1, "w": 7, "m": 31, "y": 366}[unit] > MAX_AGE.days:
        raise ValueError(f"{shown(text)} is more than a hundred years")
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
    parser.add_argument(
        "--force",
        action="store_true",
        help="allow an age under one day (deletes the details of today's calls)",
    )
    add_format_option(parser)
    add_config_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    age: timedelta | None = None
    if args.older_than is not None:  # given empty: an error, not the default
        try:
            age = parse_age(args.older_than, datetime.now(UTC))
        except ValueError as error:
            print(f"pbx-bridge purge: --older-than: {error}", file=sys.stderr)
            return EXIT_CONFIG
        if age < timedelta(days=1) and not args.force:
            print(
                f"pbx-bridge purge: --older-than {args.older_than} would delete today's calls; "
                "give --force if that is meant",
                file=sys.stderr,
            )
            return EXIT_CONFIG
    return with_call_log(args, lambda log, config: _purge(log, config, args, age))


def _purge(
    log: CallLog, config: BridgeConfig, args: argparse.Namespace, given: timedelta | None
) -> int:
    now = datetime.now(UTC)
    age = given if given is not None else timedelta(days=config.privacy.retention_days)
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
