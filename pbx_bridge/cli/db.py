"""`pbx-bridge db upgrade|rebuild-counts`, and how every database command opens the call log."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import date

from pbx_bridge.cli.arguments import FIRST_DAY, LAST_DAY, check_day, shown
from pbx_bridge.cli.common import EXIT_CONFIG, Subparsers, add_config_option, load_or_report
from pbx_bridge.config.loader import BridgeConfig
from pbx_bridge.storage import UNAVAILABLE_ERRORS, CallLog, SchemaOutdatedError
from pbx_bridge.storage.opening import open_call_log

EXIT_DATABASE = 3


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("db", help="the call-log database")
    actions = parser.add_subparsers(dest="db_action", required=True, metavar="ACTION")
    upgrade = actions.add_parser("upgrade", help="create or migrate the schema to this version")
    add_config_option(upgrade)
    upgrade.set_defaults(handler=run)
    rebuild = actions.add_parser(
        "rebuild-counts",
        help="recount the stored calls per local day in the configured zone (idempotent)",
    )
    add_config_option(rebuild)
    rebuild.set_defaults(handler=run_rebuild)


def run(args: argparse.Namespace) -> int:
    return with_call_log(args, _upgrade, ensure_schema=False)


def run_rebuild(args: argparse.Namespace) -> int:
    return with_call_log(args, _rebuild, ensure_schema=False)


def _rebuild(log: CallLog, _config: BridgeConfig) -> int:
    counted = log.rebuild_counts()
    where = log.engine.url.render_as_string(hide_password=True)
    print(f"{where}: counted {counted:,} calls per local day in {log.zone.key}")
    return 0


def _upgrade(log: CallLog, _config: BridgeConfig) -> int:
    revision = log.upgrade()
    print(f"{log.engine.url.render_as_string()}: schema at revision {revision}")
    return 0


def with_call_log(
    args: argparse.Namespace,
    action: Callable[[CallLog, BridgeConfig], int],
    *,
    ensure_schema: bool = True,
) -> int:
    """Load the configuration, open the call log, run `action`, report database trouble."""
    config = load_or_report(args.config)
    if config is None:
        return EXIT_CONFIG
    log = open_call_log(config)
    try:
        if ensure_schema:
            log.ensure_schema()
        return action(log, config)
    except SchemaOutdatedError as error:
        print(error, file=sys.stderr)
        return EXIT_DATABASE
    except UNAVAILABLE_ERRORS as error:
        where = log.engine.url.render_as_string(hide_password=True)
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        print(f"database {where} unavailable: {reason}", file=sys.stderr)
        return EXIT_DATABASE
    finally:
        log.close()


def parse_day(text: str, *, last: bool = False) -> date:
    """YYYY-MM-DD, or YYYY-MM meaning the month's first day (its last day if `last`)."""
    parts = text.strip().split("-")
    if len(parts) == 2 and all(p.isascii() and p.isdigit() for p in parts):
        year, month = int(parts[0]), int(parts[1])
        if not 1 <= month <= 12 or not FIRST_DAY.year <= year <= LAST_DAY.year:
            raise ValueError(
                f"{shown(text)} is not a month like 2019-04 between {FIRST_DAY} and {LAST_DAY}"
            )
        if not last:
            return date(year, month, 1)
        following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
        return date.fromordinal(following.toordinal() - 1)
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"{shown(text)} is not a date like 2019-04-01 (or a month like 2019-04)"
        ) from None
    return check_day(day, text)


def day_argument(*, last: bool = False) -> Callable[[str], date]:
    """An argparse `type=` reading dates and months (errors become argparse's usage errors)."""

    def parse(text: str) -> date:
        try:
            return parse_day(text, last=last)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    return parse
