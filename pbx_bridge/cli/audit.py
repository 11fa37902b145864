"""`pbx-bridge audit`: Asterisk's own call records (CDR, with CEL where configured) against the
call log, per day and tenant, every difference listed. Exit 0: equal; 1: they differ (a
monitoring check); 2: the configuration or the CDR or CEL source is missing, unreadable or
malformed."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, time, timedelta
from typing import Any

from pbx_bridge.cdr.cel_sources import CelSourceError
from pbx_bridge.cdr.logged import logged_calls
from pbx_bridge.cdr.opening import open_cel, open_source
from pbx_bridge.cdr.reconcile import asterisk_records
from pbx_bridge.cdr.sources import CdrSourceError
from pbx_bridge.cli.common import EXIT_CONFIG, Subparsers, add_config_option
from pbx_bridge.cli.db import day_argument, with_call_log
from pbx_bridge.cli.tabular import print_json
from pbx_bridge.config.loader import BridgeConfig
from pbx_bridge.core.cdr_audit import DayTenant, compare
from pbx_bridge.storage import CallLog

EXIT_DIFFERENT = 1
ALL = "all"
NO_TENANT = "(unrouted)"


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "audit", help="compare Asterisk's CDR with the call log (exit 1 when they differ)"
    )
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
    parser.add_argument("--tenant", default=ALL, help="tenant id, or 'all' (default)")
    parser.add_argument(
        "--node",
        help="the Asterisk whose records to compare (default: ami.node, else ami.host)",
    )
    parser.add_argument("--format", choices=("table", "json"), default="table")
    add_config_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.last < args.first:
        print(f"--to {args.last} is before --from {args.first}", file=sys.stderr)
        return EXIT_CONFIG
    return with_call_log(args, lambda log, config: _audit(log, config, args))


def _audit(call_log: CallLog, config: BridgeConfig, args: argparse.Namespace) -> int:
    if config.cdr is None:
        print(f"{config.path}: no `cdr:` section: where is Asterisk's CDR?", file=sys.stderr)
        return EXIT_CONFIG
    zone = config.directory.center.timezone
    node = args.node or (config.ami.node or config.ami.host if config.ami else None)
    since = datetime.combine(args.first, time(0), zone)
    until = datetime.combine(args.last + timedelta(1), time(0), zone)
    country = config.directory.center.country
    try:
        source, cel = open_source(config.cdr), open_cel(config.cdr)
        cdr_calls = asterisk_records(
            source, cel, node or "", privacy=config.privacy, region=country, since=since,
            until=until,
        )  # fmt: skip
    except CelSourceError as exc:
        assert config.cdr.cel is not None  # a CEL error needs a CEL source
        print(f"{config.cdr.cel.describe()}: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except CdrSourceError as exc:
        print(f"CDR source {config.cdr.describe()}: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    logged = logged_calls(call_log.engine, node, since, until, margin=False)
    # Matched by call id, so a record started a moment off the period's bound still matches.
    wider = logged_calls(call_log.engine, node, since, until)
    cdr_ids = {call.call_id for call in cdr_calls}
    logged.update({key: value for key, value in wider.items() if key in cdr_ids})
    groups = compare(cdr_calls, logged, zone)
    tenant = None if args.tenant == ALL else args.tenant
    if tenant is not None:
        groups = [group for group in groups if group.tenant == tenant]
    different = any(group.differences for group in groups)
    if args.format == "json":
        print_json({"node": node, "equal": not different, "days": [_json(g) for g in groups]})
    else:
        _print(groups, zone_name=str(zone), node=node, config=config)
    return EXIT_DIFFERENT if different else 0


def _json(group: DayTenant) -> dict[str, Any]:
    return {
        "day": group.day.isoformat(),
        "tenant": group.tenant,
        "asterisk": group.asterisk,
        "log": group.log,
        "differences": [
            {
                "kind": d.kind.value,
                "call_id": d.call_id,
                "started": d.started.isoformat(),
                "asterisk": d.asterisk,
                "log": d.log,
            }
            for d in group.differences
        ],
    }


def _print(
    groups: list[DayTenant], *, zone_name: str, node: str | None, config: BridgeConfig
) -> None:
    zone = config.directory.center.timezone
    print(f"node {node or '(all)'}, times in {zone_name}")
    if not groups:
        print("no calls on either side")
    for group in groups:
        verdict = "equal" if not group.differences else f"{len(group.differences)} differ"
        print(
            f"{group.day}  {group.tenant or NO_TENANT:20}  asterisk {group.asterisk:6}  "
            f"log {group.log:6}  {verdict}"
        )
        for difference in group.differences:
            print(f"    {difference.describe(zone)}")
