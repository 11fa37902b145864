"""Entry point of the `pbx-bridge` command: builds the parser from the subcommand modules."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from pbx_bridge import __version__
from pbx_bridge.cli import (
    audit,
    calls,
    config_check,
    db,
    hours,
    purge,
    report,
    route,
    run,
    sounds,
    tickets,
    wrapup,
)

SUBCOMMANDS = (
    config_check,
    route,
    hours,
    sounds,
    run,
    db,
    calls,
    report,
    tickets,
    wrapup,
    purge,
    audit,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pbx-bridge",
        description="Routing, service hours and call outcomes for a shared municipal "
        "telephone service center on Asterisk.",
    )
    parser.add_argument("--version", action="version", version=f"pbx-bridge {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in SUBCOMMANDS:
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    code: int = args.handler(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
