"""`pbx-bridge config check`: validate everything, print a line per tenant or every error."""

from __future__ import annotations

import argparse
import contextlib
import sqlite3
import sys
from pathlib import Path

from sqlalchemy.engine import make_url

from pbx_bridge.ami.link import AmiSecretError, read_secret
from pbx_bridge.cli.common import (
    EXIT_CONFIG,
    Subparsers,
    add_config_option,
    weekly_summary,
    with_config,
)
from pbx_bridge.config.loader import BridgeConfig
from pbx_bridge.core.tenants import ClosedAction, Tenant
from pbx_bridge.sounds import missing_prompts, plan_prompts
from pbx_bridge.storage import UNAVAILABLE_ERRORS
from pbx_bridge.storage.opening import open_call_log


def register(subparsers: Subparsers) -> None:
    config = subparsers.add_parser("config", help="work with the configuration")
    actions = config.add_subparsers(dest="config_command", required=True, metavar="COMMAND")
    check = actions.add_parser(
        "check", help="validate bridge.yaml and every tenant file; exit 2 on any error"
    )
    check.add_argument(
        "--connect", action="store_true", help="also connect to the database (database.url)"
    )
    add_config_option(check)
    check.set_defaults(handler=run)


@with_config
def run(args: argparse.Namespace, config: BridgeConfig) -> int:
    missing = [*_missing_sounds(config), *_secret_problems(config)]
    if args.connect:
        missing.extend(_database_problems(config))
    for problem in missing:
        print(problem, file=sys.stderr)
    for warning in config.warnings:
        print(warning, file=sys.stderr)
    width = max((len(t.id) for t in config.directory.tenants), default=0)
    for tenant in config.directory.tenants:
        print(f"ok  {tenant.id:<{width}}  {_summary(tenant)}")
    numbers = sum(len(t.numbers) for t in config.directory.tenants)
    center = config.directory.center
    verdict = "OK" if not missing else f"{len(missing)} problem(s)"
    print(
        f"{config.path}: {center.name}, {len(config.directory.tenants)} tenants, "
        f"{numbers} numbers, configuration {config.generation}: {verdict}"
    )
    return EXIT_CONFIG if missing else 0


def _summary(tenant: Tenant) -> str:
    closed = tenant.closed.action.value
    if tenant.closed.action is ClosedAction.FORWARD:
        closed += f" to {tenant.closed.forward_to}"
    exceptions = len(tenant.schedule.exceptions)
    return (
        f"{tenant.name}: {len(tenant.numbers)} number{'s' if len(tenant.numbers) != 1 else ''}, "
        f"holidays {tenant.holidays}, {weekly_summary(tenant.schedule.weekly)}, "
        f"{exceptions} exception{'s' if exceptions != 1 else ''}, queue {tenant.queue}, "
        f"closed: {closed}"
    )


def _missing_sounds(config: BridgeConfig) -> list[str]:
    """Prompts a call would play whose file is absent, and prompt-name conflicts."""
    plan = plan_prompts(config.directory)
    return [*plan.errors, *missing_prompts(config.directory, config.sounds_dir)]


def _database_problems(config: BridgeConfig) -> list[str]:
    """The database must answer a query. SQLite is opened read-only, so a check run as root
    creates no file the service user could not write; a missing file is created at start."""
    url = make_url(config.database_url)
    if url.get_backend_name() == "sqlite":
        return _sqlite_problems(config, url.database)
    log = open_call_log(config)
    where = log.engine.url.render_as_string(hide_password=True)
    try:
        with log.engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except UNAVAILABLE_ERRORS as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        return [f"{config.path}: database {where} unavailable: {reason}"]
    finally:
        log.close()
    return []


def _sqlite_problems(config: BridgeConfig, database: str | None) -> list[str]:
    if not database or database == ":memory:" or not Path(database).exists():
        return []
    try:
        with contextlib.closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.Error as error:
        return [f"{config.path}: database {database} unreadable: {error}"]
    return []


def _secret_problems(config: BridgeConfig) -> list[str]:
    """The AMI secret must be readable, and readable by nobody else (it is a password)."""
    if config.ami is None:
        return []
    try:
        read_secret(config.ami)
    except AmiSecretError as exc:
        return [f"{config.path}: ami: {exc}"]
    return []
