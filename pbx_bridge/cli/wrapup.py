"""`pbx-bridge wrapup CALL_ID --outcome callback`: an agent's wrap-up, straight to the database.

The daemon receives the same wrap-ups over AMI; both end in `CallLog.apply_wrapup`, so the
rules (answered calls only, 30 minutes, last one wins) are the same either way.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from pbx_bridge.cli.arguments import check_instant, label, note_text
from pbx_bridge.cli.common import EXIT_CONFIG, Subparsers, add_config_option
from pbx_bridge.cli.db import with_call_log
from pbx_bridge.config.loader import BridgeConfig
from pbx_bridge.core.calls import WRAPUP_OUTCOMES, Outcome, Wrapup
from pbx_bridge.core.free_text import MAX_NOTE_CHARS
from pbx_bridge.core.numbers import InvalidNumberError, normalise
from pbx_bridge.storage import CallLog, WrapupStatus

EXIT_REFUSED = 1


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("wrapup", help="set a call's outcome (resolved, ...)")
    parser.add_argument("call_id", type=label, metavar="CALL_ID", help="the call's Linkedid")
    parser.add_argument(
        "--outcome", required=True, choices=sorted(o.value for o in WRAPUP_OUTCOMES)
    )
    parser.add_argument("--department", type=label, help="the department the call was about")
    parser.add_argument(
        "--note",
        type=note_text,
        help=f"what the caller needs (shown on a callback ticket; at most {MAX_NOTE_CHARS} "
        "characters)",
    )
    parser.add_argument("--caller", metavar="NUMBER", help="number to call back (kept until done)")
    parser.add_argument(
        "--node", type=label, help="Asterisk node of the call (needed before its record)"
    )
    parser.add_argument("--at", help="ISO-8601 time of the wrap-up (default: now)")
    add_config_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    return with_call_log(args, lambda log, config: _wrapup(log, config, args))


def _wrapup(log: CallLog, config: BridgeConfig, args: argparse.Namespace) -> int:
    center = config.directory.center
    try:
        at = check_instant(datetime.fromisoformat(args.at), args.at) if args.at else None
        at = at or datetime.now(UTC)
        caller = normalise(args.caller, center.country) if args.caller else None
    except (ValueError, InvalidNumberError) as error:
        print(error, file=sys.stderr)
        return EXIT_CONFIG
    if at.tzinfo is None:
        at = at.replace(tzinfo=center.timezone)
    node = args.node or _only_node(log, args.call_id)
    if node is None:
        return EXIT_REFUSED
    wrapup = Wrapup(
        call_id=args.call_id,
        outcome=Outcome(args.outcome),
        at=at,
        department=args.department,
        note=args.note,
        caller_full=caller,
    )
    result = log.apply_wrapup(wrapup, node)
    if result.status is WrapupStatus.REFUSED:
        print(f"wrap-up refused: {result.reason}", file=sys.stderr)
        return EXIT_REFUSED
    message = f"call {args.call_id}: {args.outcome} {result.status.value}"
    if result.status is WrapupStatus.PENDING:
        message += " (applied when the call's record arrives)"
    if result.ticket_id is not None:
        message += f", callback ticket {result.ticket_id}"
    print(message)
    return 0


def _only_node(log: CallLog, call_id: str) -> str | None:
    nodes = log.nodes_of(call_id)
    if len(nodes) == 1:
        return nodes[0]
    if not nodes:
        print(
            f"no record of call {call_id} (yet): give --node to keep the wrap-up until it arrives",
            file=sys.stderr,
        )
    else:
        print(f"call {call_id} exists on nodes {', '.join(nodes)}: give --node", file=sys.stderr)
    return None
