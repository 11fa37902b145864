"""`pbx-bridge report send [--month YYYY-MM]`: mail each configured delivery its month.

Without --month: last month (the center's calendar), plus every month whose delivery failed
before. Exit 0 when everything due was sent, 4 when an address failed (recorded, retried by
the next run), 2 for a configuration without deliveries or SMTP.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

import structlog

from pbx_bridge import logging_setup
from pbx_bridge.cli.common import EXIT_CONFIG, Subparsers, add_config_option
from pbx_bridge.cli.db import with_call_log
from pbx_bridge.config.loader import BridgeConfig
from pbx_bridge.reporting.sending import months_to_send, send_reports
from pbx_bridge.reporting.smtp_sender import SmtpSender
from pbx_bridge.storage import CallLog

EXIT_DELIVERY = 4


def _month(text: str) -> str:
    parts = text.strip().split("-")
    if len(parts) != 2 or not all(p.isdigit() for p in parts) or not 1 <= int(parts[1]) <= 12:
        raise argparse.ArgumentTypeError(f"{text!r} is not a month like 2026-11")
    return f"{int(parts[0]):04d}-{int(parts[1]):02d}"


def register(actions: Subparsers) -> None:
    parser = actions.add_parser("send", help="mail last month's reports as bridge.yaml says")
    parser.add_argument("--month", type=_month, help="YYYY-MM (default: last month)")
    parser.add_argument("--again", action="store_true", help="also to addresses already sent")
    parser.add_argument("--dry-run", action="store_true", help="list what would be sent")
    add_config_option(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    return with_call_log(args, lambda log, config: _send(log, config, args))


def _send(log: CallLog, config: BridgeConfig, args: argparse.Namespace) -> int:
    settings = config.reports
    if not settings.deliveries or settings.smtp is None:
        print(f"{config.path}: no reports.deliveries (or no smtp:) to send", file=sys.stderr)
        return EXIT_CONFIG
    now = datetime.now(UTC)
    today = now.astimezone(config.directory.center.timezone).date()
    if args.month is not None and args.month >= f"{today.year:04d}-{today.month:02d}":
        print(f"--month {args.month} is not over yet: its report would be partial", file=sys.stderr)
        return EXIT_CONFIG
    months = months_to_send(log, args.month, today)
    summary = send_reports(
        log,
        config,
        months,
        now=now,
        send=SmtpSender(settings.smtp).send,
        again=args.again,
        dry_run=args.dry_run,
    )
    logging_setup.configure()  # JSON lines for journald under the timer
    logger = structlog.get_logger("pbx_bridge.reports")
    for attempt in summary.attempts:
        who = attempt.tenant or "all"
        if attempt.error is None:
            verb = "would send" if args.dry_run else "sent"
            print(f"{verb} {who} {attempt.month} to {attempt.address}")
        else:
            print(
                f"failed {who} {attempt.month} to {attempt.address}: {attempt.error} "
                "(retried by the next run)",
                file=sys.stderr,
            )
            logger.error(
                "report_delivery_failed",
                tenant=who,
                month=attempt.month,
                address=attempt.address,
                error=attempt.error,
            )
    if summary.already_sent:
        print(f"{summary.already_sent} already sent (use --again to send them once more)")
    return EXIT_DELIVERY if summary.failed else 0
