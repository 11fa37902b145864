"""`pbx-bridge queues`: the queues.conf lines the tenants' announcements and callbacks need."""

from __future__ import annotations

import argparse
import sys

from pbx_bridge.cli.common import EXIT_CONFIG, Subparsers, add_config_option, with_config
from pbx_bridge.config.loader import BridgeConfig
from pbx_bridge.core.queue_settings import queue_plan


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "queues",
        help="queues.conf settings per queue: position announcements, key 1 for a callback",
    )
    add_config_option(parser)
    parser.set_defaults(handler=run)


@with_config
def run(args: argparse.Namespace, config: BridgeConfig) -> int:
    plan = queue_plan(config.directory)
    for conflict in plan.conflicts:
        print(f"error: {conflict}", file=sys.stderr)
    if plan.conflicts:
        return EXIT_CONFIG
    print("; queues.conf: add these lines to each queue's section (pbx-bridge queues)")
    for queue, lines in plan.settings.items():
        print(f"[{queue}](+)")
        for line in lines:
            print(line)
        print()
    return 0
