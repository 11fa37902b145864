"""`pbx-bridge route`: a dry run of the routing decision for a number at an instant."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from zoneinfo import ZoneInfo

from pbx_bridge.cli.arguments import FIRST_DAY, LAST_DAY, check_instant, shown
from pbx_bridge.cli.common import EXIT_CONFIG, Subparsers, add_config_option, with_config
from pbx_bridge.closures.store import ClosuresUnreadableError, read_closures
from pbx_bridge.config.loader import BridgeConfig
from pbx_bridge.core.closures import NO_CLOSURES
from pbx_bridge.core.numbers import display
from pbx_bridge.core.routing import Action, CallRequest, Decision, decide


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "route", help="show what happens to a call to NUMBER (dry run, nothing is dialled)"
    )
    parser.add_argument("--number", required=True, help="the dialled number, e.g. '05371 82-370'")
    parser.add_argument("--redirecting", help="number the call was forwarded from (Diversion)")
    parser.add_argument("--caller", help="the caller's number")
    parser.add_argument(
        "--at",
        help="instant, ISO-8601 (e.g. 2026-10-31T10:00); without offset it is the center's "
        "local time; default: now",
    )
    parser.add_argument("--json", action="store_true", help="print the decision as JSON")
    add_config_option(parser)
    parser.set_defaults(handler=run)


def parse_instant(text: str | None, zone: ZoneInfo) -> datetime:
    if text is None:
        return datetime.now(zone)
    value = datetime.fromisoformat(text)
    check_instant(value, text)
    return value.replace(tzinfo=zone) if value.tzinfo is None else value


@with_config
def run(args: argparse.Namespace, config: BridgeConfig) -> int:
    zone = config.directory.center.timezone
    try:
        at = parse_instant(args.at, zone)
    except ValueError:
        message = (
            f"--at {shown(args.at)} is not an ISO-8601 date and time (e.g. 2026-10-31T10:00) "
            f"between {FIRST_DAY} and {LAST_DAY}"
        )
        print(message, file=sys.stderr)
        return EXIT_CONFIG
    try:
        closures = read_closures(config.state_dir)
    except ClosuresUnreadableError as exc:
        print(f"warning: ad hoc closures ignored: {exc}", file=sys.stderr)
        closures = NO_CLOSURES
    call = CallRequest(dialled=args.number, redirecting=args.redirecting, caller=args.caller)
    decision = decide(config.directory, call, at, closures)
    if args.json:
        out = decision.to_dict()
        out["at"] = at.astimezone(zone).isoformat()
        out["config_generation"] = config.generation
        print(json.dumps(out, ensure_ascii=False, indent=2))
    else:
        print(_explain(decision, at.astimezone(zone), config.directory.center.country))
    return 0


def _explain(d: Decision, local: datetime, region: str) -> str:
    lines = [f"at        {local:%a %Y-%m-%d %H:%M %Z}"]
    if d.number is not None:
        lines.append(
            f"number    {display(d.number, region)} ({d.number}), matched by {d.matched_by} number"
        )
        lines.append(f"tenant    {d.tenant} ({d.tenant_name}), department {d.department}")
    else:
        lines.append(f"number    {d.dialled or '(unreadable)'}: no tenant claims it")
    if d.action is Action.CLOSED:
        lines.append(f"decision  closed ({d.reason})")
        then = f"forward to {d.forward_dial}" if d.forward_dial else "hang up"
        lines.append(f"caller    hears {d.closed_announcement}, then {then}")
        if d.next_opening:
            lines.append(f"opens     {d.next_opening}")
    else:
        why = f"open: {d.reason}" if d.action is Action.QUEUE else d.reason
        lines.append(f"decision  {d.action} ({why})")
        lines.append(f"caller    hears {d.greeting}, then queue {d.queue} (priority {d.priority})")
    return "\n".join(lines)
