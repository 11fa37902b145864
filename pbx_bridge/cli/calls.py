"""`pbx-bridge calls`: the call details, as counted (wrap-ups applied), oldest first."""

from __future__ import annotations

import argparse
import sys
from zoneinfo import ZoneInfo

from pbx_bridge.cli.arguments import MAX_LIMIT, bounded_int
from pbx_bridge.cli.common import EXIT_CONFIG, Subparsers, add_config_option
from pbx_bridge.cli.db import day_argument, with_call_log
from pbx_bridge.cli.tabular import Cell, add_format_option, print_rows
from pbx_bridge.config.loader import BridgeConfig
from pbx_bridge.core.calls import CallRecord, Outcome
from pbx_bridge.storage import CallLog

# No agent column: per-agent figures need the staff council's consent (domain.md), so the
# listing that anyone with database access can print does not show who took a call.
HEADERS = (
    "started",
    "tenant",
    "department",
    "outcome",
    "wait_s",
    "talk_s",
    "caller",
    "dialled",
    "detail",
    "node",
    "call_id",
)


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("calls", help="list recorded calls")
    parser.add_argument("--tenant", help="only this tenant's calls")
    parser.add_argument("--from", dest="first", type=day_argument(), help="first day, YYYY-MM-DD")
    parser.add_argument(
        "--to", dest="last", type=day_argument(last=True), help="last day (inclusive)"
    )
    parser.add_argument("--outcome", choices=[o.value for o in Outcome], help="only this outcome")
    parser.add_argument("--limit", type=bounded_int(1, MAX_LIMIT), help="at most this many calls")
    add_format_option(parser)
    add_config_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.first and args.last and args.last < args.first:
        print(f"--to {args.last} is before --from {args.first}", file=sys.stderr)
        return EXIT_CONFIG
    return with_call_log(args, lambda log, config: _list(log, config, args))


def _list(log: CallLog, config: BridgeConfig, args: argparse.Namespace) -> int:
    records = log.list_calls(
        tenant=args.tenant,
        first=args.first,
        last=args.last,
        outcome=Outcome(args.outcome) if args.outcome else None,
        limit=args.limit,
    )
    zone = config.directory.center.timezone
    print_rows(args.format, HEADERS, [_row(r, zone, args.format) for r in records])
    return 0


def _row(record: CallRecord, zone: ZoneInfo, fmt: str) -> list[Cell]:
    local = record.started.astimezone(zone)
    started = local.isoformat() if fmt == "json" else f"{local:%Y-%m-%d %H:%M:%S}"
    return [
        started,
        record.tenant,
        record.department,
        record.outcome.value,
        record.wait_s,
        record.talk_s,
        record.caller,
        record.dialled,
        record.detail,
        record.node,
        record.call_id,
    ]


def as_json(record: CallRecord, zone: ZoneInfo) -> dict[str, Cell]:
    """One call as `pbx-bridge calls --format json` prints it (the web API shares this)."""
    return dict(zip(HEADERS, _row(record, zone, "json"), strict=True))
