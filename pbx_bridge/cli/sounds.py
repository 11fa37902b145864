"""`pbx-bridge sounds build`: render the greetings and announcements the dialplan plays."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Collection
from pathlib import Path
from typing import TextIO

from pbx_bridge.cli.common import EXIT_CONFIG, Subparsers, add_config_option, with_config
from pbx_bridge.config.loader import BridgeConfig
from pbx_bridge.core.tenants import TenantDirectory
from pbx_bridge.sounds import (
    BuildResult,
    Outcome,
    ToolMissingError,
    build_sounds,
    plan_prompts,
)

EXIT_OK = 0
EXIT_FAILED = 1


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("sounds", help="greetings and announcements (sounds/de/*.wav)")
    actions = parser.add_subparsers(dest="sounds_command", required=True, metavar="COMMAND")
    build = actions.add_parser(
        "build",
        help="render every prompt with espeak-ng and sox; never replaces an admin's recording",
    )
    add_config_option(build)
    build.add_argument(
        "--force",
        metavar="NAME",
        nargs="+",
        action="extend",
        default=[],
        help="re-render these prompts even over an admin's recording",
    )
    build.add_argument(
        "--dry-run", action="store_true", help="say what would change, write nothing"
    )
    build.set_defaults(handler=run)


@with_config
def run(args: argparse.Namespace, config: BridgeConfig) -> int:
    return build_and_report(config.directory, config.sounds_dir, args.force, args.dry_run)


def build_and_report(
    directory: TenantDirectory,
    sounds_dir: Path,
    force: Collection[str] = (),
    dry_run: bool = False,
    *,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    out = out if out is not None else sys.stdout
    err = err if err is not None else sys.stderr
    plan = plan_prompts(directory)
    if plan.errors:
        for error in plan.errors:
            print(f"error: {error}", file=err)
        return EXIT_CONFIG
    try:
        result = build_sounds(plan.prompts, sounds_dir, force=force, dry_run=dry_run)
    except (ValueError, ToolMissingError) as exc:
        print(f"error: {exc}", file=err)
        return EXIT_FAILED
    _report(result, out)
    return EXIT_OK if result.ok else EXIT_FAILED


def _report(result: BuildResult, out: TextIO) -> None:
    labels = {
        Outcome.RENDERED: "would render" if result.dry_run else "rendered",
        Outcome.UNCHANGED: "unchanged",
        Outcome.KEPT_ADMIN: "kept",
        Outcome.FAILED: "FAILED",
    }
    width = max((len(r.name) for r in result.results), default=0)
    for r in result.results:
        detail = f"  ({r.detail})" if r.detail else ""
        print(f"{labels[r.outcome]:<12} {r.name:<{width}}{detail}".rstrip(), file=out)
    print(
        f"{result.count(Outcome.RENDERED)} {labels[Outcome.RENDERED]}, "
        f"{result.count(Outcome.UNCHANGED)} unchanged, "
        f"{result.count(Outcome.KEPT_ADMIN)} admin recording(s) kept, "
        f"{result.count(Outcome.FAILED)} failed in {result.folder}",
        file=out,
    )
