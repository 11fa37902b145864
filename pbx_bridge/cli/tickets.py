"""`pbx-bridge tickets list|done`: the callbacks agents still owe, and closing them."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from pbx_bridge.cli.arguments import MAX_ID, bounded_int
from pbx_bridge.cli.common import Subparsers, add_config_option
from pbx_bridge.cli.db import with_call_log
from pbx_bridge.cli.tabular import Cell, add_format_option, print_rows
from pbx_bridge.config.loader import BridgeConfig
from pbx_bridge.core.calls import CallbackTicket, TicketStatus
from pbx_bridge.core.tickets import is_overdue
from pbx_bridge.storage import CallLog

EXIT_NOT_FOUND = 1
HEADERS = (
    "id",
    "tenant",
    "department",
    "caller",
    "created",
    "due",
    "status",
    "overdue",
    "note",
    "call_id",
    "source",  # agent (wrap-up) | caller (chose a callback while waiting)
)


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("tickets", help="callback tickets")
    actions = parser.add_subparsers(dest="tickets_action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="open tickets, the oldest due first")
    listing.add_argument("--tenant", help="only this tenant's tickets")
    listing.add_argument("--overdue", action="store_true", help="only open tickets past due")
    listing.add_argument("--all", action="store_true", help="done tickets too")
    add_format_option(listing)
    add_config_option(listing)
    listing.set_defaults(handler=run)
    done = actions.add_parser("done", help="mark a ticket done (forgets the caller's number)")
    done.add_argument(
        "id", type=bounded_int(1, MAX_ID), metavar="ID", help="ticket id from `tickets list`"
    )
    add_config_option(done)
    done.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.tickets_action == "done":
        return with_call_log(args, lambda log, _config: _done(log, args.id))
    return with_call_log(args, lambda log, config: _list(log, config, args))


def _list(log: CallLog, config: BridgeConfig, args: argparse.Namespace) -> int:
    now = datetime.now(UTC)
    tickets = log.list_tickets(
        tenant=args.tenant,
        status=None if args.all or args.overdue else TicketStatus.OPEN,
        overdue_at=now if args.overdue else None,
    )
    zone = config.directory.center.timezone
    rows = [_row(t, zone, now, args.format) for t in tickets]
    print_rows(args.format, HEADERS, rows)
    return 0


def _time(value: datetime | None, zone: ZoneInfo, fmt: str) -> str | None:
    if value is None:
        return None
    local = value.astimezone(zone)
    return local.isoformat() if fmt == "json" else f"{local:%Y-%m-%d %H:%M}"


def _row(ticket: CallbackTicket, zone: ZoneInfo, now: datetime, fmt: str) -> list[Cell]:
    overdue: Cell = is_overdue(ticket, now)
    if fmt != "json":
        overdue = "yes" if overdue else ""
    return [
        ticket.id,
        ticket.tenant,
        ticket.department,
        ticket.caller_full,
        _time(ticket.created, zone, fmt),
        _time(ticket.due, zone, fmt),
        ticket.status.value,
        overdue,
        ticket.note,
        ticket.call_id,
        ticket.source.value,
    ]


def _done(log: CallLog, ticket_id: int) -> int:
    ticket = log.mark_done(ticket_id, datetime.now(UTC))
    if ticket is None:
        print(f"no ticket {ticket_id}", file=sys.stderr)
        return EXIT_NOT_FOUND
    assert ticket.done_at is not None
    print(f"ticket {ticket_id} done at {ticket.done_at:%Y-%m-%d %H:%M} UTC; caller number removed")
    return 0


def as_json(ticket: CallbackTicket, zone: ZoneInfo, now: datetime) -> dict[str, Cell]:
    """One ticket as `pbx-bridge tickets list --format json` prints it (shared with the API)."""
    return dict(zip(HEADERS, _row(ticket, zone, now, "json"), strict=True))
