"""`pbx-bridge run`: the daemon in the foreground (systemd runs it this way)."""

from __future__ import annotations

import argparse
import asyncio
import sys

from pbx_bridge.cli.common import EXIT_CONFIG, Subparsers, add_config_option, with_config
from pbx_bridge.config.loader import BridgeConfig
from pbx_bridge.daemon import Daemon
from pbx_bridge.logging_setup import configure
from pbx_bridge.storage import SchemaOutdatedError


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "run", help="run the daemon (FastAGI listener) in the foreground"
    )
    add_config_option(parser)
    parser.set_defaults(handler=run)


@with_config
def run(args: argparse.Namespace, config: BridgeConfig) -> int:
    configure()

    async def main() -> int:
        # Objects that touch the loop are made inside it (panoramisk needs this on 3.12+).
        return await Daemon(config).run()

    try:
        return asyncio.run(main())
    except SchemaOutdatedError as exc:
        print(exc, file=sys.stderr)
        return EXIT_CONFIG
