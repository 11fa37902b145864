"""What every subcommand shares: the --config option and loading with readable errors."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeAlias

from pbx_bridge.config.errors import ConfigInvalidError
from pbx_bridge.config.loader import DEFAULT_CONFIG, BridgeConfig, load_config
from pbx_bridge.core.schedule import WEEKDAY_NAMES, TimeRange, format_ranges

EXIT_CONFIG = 2

Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
Handler: TypeAlias = Callable[[argparse.Namespace], int]
ConfiguredHandler: TypeAlias = Callable[[argparse.Namespace, BridgeConfig], int]


def add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        type=Path,
        default=DEFAULT_CONFIG,
        metavar="PATH",
        help=f"bridge.yaml of the service center (default: {DEFAULT_CONFIG})",
    )


def load_or_report(path: Path) -> BridgeConfig | None:
    """The configuration, or None after printing every error as FILE:LINE: message."""
    try:
        return load_config(path)
    except ConfigInvalidError as exc:
        for issue in exc.issues:
            print(issue, file=sys.stderr)
        count = len(exc.issues)
        print(f"{path}: {count} error{'s' if count != 1 else ''}, not loaded", file=sys.stderr)
        return None


def with_config(handler: ConfiguredHandler) -> Handler:
    """The command's handler: `handler` given the configuration --config names, or EXIT_CONFIG
    once load_or_report has printed why there is none."""

    def run(args: argparse.Namespace) -> int:
        config = load_or_report(args.config)
        if config is None:
            return EXIT_CONFIG
        return handler(args, config)

    return run


def weekly_summary(weekly: tuple[tuple[TimeRange, ...], ...]) -> str:
    """'mon-fri 07:00-18:00; sat 08:00-12:00' — consecutive days with equal hours grouped."""
    parts: list[str] = []
    day = 0
    while day < 7:
        end = day
        while end + 1 < 7 and weekly[end + 1] == weekly[day]:
            end += 1
        if weekly[day]:
            days = (
                WEEKDAY_NAMES[day] if end == day else f"{WEEKDAY_NAMES[day]}-{WEEKDAY_NAMES[end]}"
            )
            parts.append(f"{days} {format_ranges(weekly[day])}")
        day = end + 1
    return "; ".join(parts) if parts else "no regular hours"
