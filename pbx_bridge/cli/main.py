"""Entry point of the `pbx-bridge` command: builds the parser from the subcommand modules."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import NoReturn

from pbx_bridge import __version__
from pbx_bridge.cli import (
    audit,
    calls,
    closures,
    config_check,
    db,
    history_import,
    hours,
    purge,
    queues,
    report,
    route,
    run,
    sounds,
    tickets,
    users,
    web,
    wrapup,
)

SUBCOMMANDS: tuple[ModuleType, ...] = (
    *(config_check, route, hours, sounds, run, db, calls, report, tickets, wrapup, purge),
    history_import,
    closures,
    queues,
    users,
    web,
    audit,
)


class _OneLineErrors(argparse.ArgumentParser):
    """Bad arguments: one line naming the command and the problem, exit 2 (not the usage
    block, which can fill a screen for commands with many options)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _OneLineErrors(
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
    parser = build_parser()
    words = sys.argv[1:] if argv is None else list(argv)
    for word in words:
        # argparse drops a "--" given as an option's value and hands the command an empty list.
        if word.startswith("-") and word.endswith("=--"):
            parser.error(f"{word.partition('=')[0]}: '--' is not a value")
    args = parser.parse_args(words)
    code: int = args.handler(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
