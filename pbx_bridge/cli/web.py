"""`pbx-bridge web`: the supervisors' console, a process of its own beside the daemon."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

import uvicorn

from pbx_bridge.cli.common import Subparsers, add_config_option, with_config
from pbx_bridge.cli.db import EXIT_DATABASE
from pbx_bridge.config.loader import BridgeConfig
from pbx_bridge.logging_setup import configure as configure_logging
from pbx_bridge.storage import UNAVAILABLE_ERRORS, SchemaOutdatedError
from pbx_bridge.storage.opening import open_call_log
from pbx_bridge.web.app import build_app
from pbx_bridge.web.auth.store import AccountStore
from pbx_bridge.web.context import ConsoleContext
from pbx_bridge.web.settings import web_settings
from pbx_bridge.web.today.live import metrics_reader


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("web", help="the web console for supervisors and agents")
    add_config_option(parser)
    parser.set_defaults(handler=run)


def now_utc() -> datetime:
    return datetime.now(UTC)


@with_config
def run(args: argparse.Namespace, config: BridgeConfig) -> int:
    configure_logging()
    settings = web_settings(config)
    log = open_call_log(config)
    try:
        log.ensure_schema()
        log.check_counts_zone()
    except SchemaOutdatedError as error:
        print(error, file=sys.stderr)
        return EXIT_DATABASE
    except UNAVAILABLE_ERRORS as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        print(f"database unavailable: {reason}", file=sys.stderr)
        return EXIT_DATABASE
    context = ConsoleContext(
        config=config,
        call_log=log,
        accounts=AccountStore(log.engine),
        settings=settings,
        clock=now_utc,
        live=metrics_reader(settings.metrics_url),
    )
    print(f"pbx-bridge web: http://{settings.host}:{settings.port}/", file=sys.stderr)
    try:
        uvicorn.run(
            build_app(context),
            host=settings.host,
            port=settings.port,
            proxy_headers=True,
            forwarded_allow_ips="127.0.0.1,::1",
            server_header=False,
            log_level="warning",
        )
    finally:
        log.close()
    return 0
