"""`pbx-bridge import calls|queue-log FILE`: the years before, from the old system's exports.

Every bad row is printed as `FILE:LINE: message` and nothing is written (exit 2); a good
file is written in one transaction, so an import is all or nothing, and repeating it
changes nothing (rows are keyed by call_id).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from pbx_bridge.cli.common import EXIT_CONFIG, Subparsers, add_config_option
from pbx_bridge.cli.db import with_call_log
from pbx_bridge.config.loader import BridgeConfig
from pbx_bridge.history.calls_csv import ImportSettings, RowError, read_calls
from pbx_bridge.history.queue_log import QueueLogCounts, parse_queue_map, read_queue_log
from pbx_bridge.storage import CallLog
from pbx_bridge.storage.history_import import ImportCounts


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("import", help="import call history from the old system")
    kinds = parser.add_subparsers(dest="import_kind", required=True, metavar="KIND")
    calls = kinds.add_parser("calls", help="a call-history CSV (docs/statistics.md: columns)")
    calls.add_argument("file", type=Path, metavar="FILE.csv")
    queue_log = kinds.add_parser("queue-log", help="Asterisk's queue_log")
    queue_log.add_argument("file", type=Path, metavar="FILE")
    queue_log.add_argument(
        "--queue-map",
        action="append",
        required=True,
        metavar="QUEUE=TENANT[:DEPARTMENT]",
        help="whose calls a queue took (repeat, or separate with commas; QUEUE= for unrouted)",
    )
    for kind in (calls, queue_log):
        kind.add_argument("--dry-run", action="store_true", help="check everything, write nothing")
        add_config_option(kind)
        kind.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        found = args.file.is_file()  # a regular file: no FIFO that would hang the import
    except OSError as error:  # e.g. a name too long for the file system
        found, reason = False, error.strerror or "unreadable"
    else:
        reason = "no such file"
    if not found:
        print(f"{str(args.file)[:200]}: {reason}", file=sys.stderr)
        return EXIT_CONFIG
    return with_call_log(args, lambda log, config: _import(log, config, args))


def _lines(path: Path) -> Iterator[str]:
    # newline="": the csv module sees quoted line breaks; utf-8-sig: Excel's BOM is no column.
    with path.open(encoding="utf-8-sig", newline="") as handle:
        yield from handle


def _import(log: CallLog, config: BridgeConfig, args: argparse.Namespace) -> int:
    tenants = [tenant.id for tenant in config.directory.tenants]
    queue_counts = QueueLogCounts()
    items: Iterable[dict[str, Any] | RowError]
    if args.import_kind == "calls":
        settings = ImportSettings(tenants, config.directory.center.country, config.privacy)
        items = read_calls(_lines(args.file), settings)
    else:
        try:
            queues = parse_queue_map(args.queue_map, tenants)
        except ValueError as error:
            print(error, file=sys.stderr)
            return EXIT_CONFIG
        items = read_queue_log(_lines(args.file), queues, config.privacy, queue_counts)

    def report_error(error: RowError) -> None:
        print(f"{args.file}:{error.line}: {error.message}", file=sys.stderr)

    try:
        counts = log.import_history(items, report_error, dry_run=args.dry_run)
    except UnicodeDecodeError as error:
        print(
            f"{args.file}: not UTF-8 text ({error.reason} at byte {error.start})", file=sys.stderr
        )
        return EXIT_CONFIG
    _summary(args, counts, queue_counts)
    return EXIT_CONFIG if counts.errors else 0


def _summary(args: argparse.Namespace, counts: ImportCounts, queue: QueueLogCounts) -> None:
    if counts.errors:
        print(
            f"{args.file}: {counts.errors} bad row{'s' if counts.errors != 1 else ''}, "
            "nothing imported",
            file=sys.stderr,
        )
        return
    verb = "would import" if args.dry_run else "imported"
    written = counts.rows - counts.recorded_by_daemon if args.dry_run else counts.written
    parts = [f"{args.file}: {verb} {written:,} calls"]
    if counts.recorded_by_daemon:
        parts.append(f"{counts.recorded_by_daemon:,} skipped (recorded by the daemon)")
    if queue.unfinished:
        parts.append(f"{queue.unfinished:,} calls without their end in the file left out")
    print(", ".join(parts))
