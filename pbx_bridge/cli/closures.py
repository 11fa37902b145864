"""`pbx-bridge close`, `open` and `closures`: close a tenant or the whole center now, reopen it,
list what is closed. The closures live in state_dir (pbx_bridge/closures/store.py), so these
work whether or not the daemon runs; the daemon and the failsafe AGI follow within seconds.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import re
import sys
from collections.abc import Callable
from datetime import datetime

from pbx_bridge.cli.common import (
    EXIT_CONFIG,
    Handler,
    Subparsers,
    add_config_option,
    with_config,
)
from pbx_bridge.closures.pin import PinFormatError, hash_pin
from pbx_bridge.closures.store import (
    ClosuresUnreadableError,
    change_closures,
    close,
    read_closures,
    reopen,
)
from pbx_bridge.closures.until import closure_end
from pbx_bridge.config.loader import BridgeConfig
from pbx_bridge.core.closures import WHOLE_CENTER, Closure
from pbx_bridge.sounds.layout import prompt_path

_SOUND_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
MAX_REASON = 200
_MISSING_SOUND = "warning: {} is missing; callers hear the generic closed prompt instead"
_CENTER_STILL_CLOSED = (
    "note: the whole center is still closed ({}); `pbx-bridge open --all` opens it"
)

TimedHandler = Callable[[argparse.Namespace, BridgeConfig, datetime], int]


def register(subparsers: Subparsers) -> None:
    closer = subparsers.add_parser(
        "close", help="close tenants (or the whole center) now, with a reason"
    )
    _add_targets(closer)
    closer.add_argument("--reason", help='why, e.g. "Sturm" (required; in the call records)')
    ends = closer.add_mutually_exclusive_group()
    ends.add_argument("--until", help="14:00 (today) or 2026-12-03T14:00; default: until opened")
    ends.add_argument("--for", dest="length", metavar="DURATION", help="2h, 90m, 1d, 1h30m")
    closer.add_argument(
        "--announcement",
        metavar="SOUND",
        help="sound name callers hear (sounds/de/SOUND.wav); default: the tenant's closed prompt",
    )
    closer.add_argument(
        "--hash-pin",
        action="store_true",
        help="make the supervisor.pin_hash for bridge.yaml from a PIN read from the terminal "
        "(or one line of stdin); closes nothing",
    )
    add_config_option(closer)
    closer.set_defaults(handler=run_close)

    opener = subparsers.add_parser("open", help="end ad hoc closures now")
    _add_targets(opener)
    add_config_option(opener)
    opener.set_defaults(handler=run_open)

    lister = subparsers.add_parser("closures", help="list the ad hoc closures in force")
    lister.add_argument("--json", action="store_true", help="print them as JSON")
    add_config_option(lister)
    lister.set_defaults(handler=run_list)


def _add_targets(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("tenants", nargs="*", metavar="TENANT", help="tenant ids")
    parser.add_argument("--all", action="store_true", help="the whole service center")


def who() -> str:
    """The Unix user, and who ran sudo when it was sudo."""
    user = getpass.getuser()
    sudo = os.environ.get("SUDO_USER")
    return f"{user} (sudo by {sudo})" if sudo and sudo != user else user


def _fail(message: str) -> int:
    print(f"pbx-bridge: {message}", file=sys.stderr)
    return EXIT_CONFIG


def _configured(handler: TimedHandler) -> Handler:
    """with_config, and the handler is also given the time now in the center's zone."""

    def run(args: argparse.Namespace, config: BridgeConfig) -> int:
        return handler(args, config, datetime.now(config.directory.center.timezone))

    return with_config(run)


def _scopes(args: argparse.Namespace, config: BridgeConfig) -> list[str]:
    """The scopes named on the command line; ValueError with a sentence when they are wrong."""
    if args.all and args.tenants:
        raise ValueError("give tenants or --all, not both")
    if not args.all and not args.tenants:
        raise ValueError("name the tenants to act on, or --all for the whole center")
    if args.all:
        return [WHOLE_CENTER]
    known = [t.id for t in config.directory.tenants]
    unknown = [t for t in args.tenants if t not in known]
    if unknown:
        raise ValueError(f"unknown tenant {unknown[0]!r} (known: {', '.join(known)})")
    return list(dict.fromkeys(args.tenants))


def run_hash_pin() -> int:
    """Print the bridge.yaml line for a PIN; the PIN is never echoed, stored or logged."""
    if sys.stdin.isatty():
        pin = getpass.getpass("supervisor PIN (4-12 digits): ")
        if getpass.getpass("again: ") != pin:
            return _fail("the two PINs differ; nothing made")
    else:
        pin = sys.stdin.readline().strip()
    try:
        hashed = hash_pin(pin)
    except PinFormatError as exc:
        return _fail(str(exc))
    print(f'supervisor: {{pin_hash: "{hashed}"}}')
    return 0


def run_close(args: argparse.Namespace) -> int:
    if args.hash_pin:
        return run_hash_pin()
    if args.reason is None:
        return _fail("close needs --reason (callers' records name it)")
    return _close(args)


@_configured
def _close(args: argparse.Namespace, config: BridgeConfig, now: datetime) -> int:
    zone = config.directory.center.timezone
    reason = " ".join(str(args.reason).split())
    try:
        scopes = _scopes(args, config)
        until = closure_end(now, args.until, args.length)
        if not reason or len(reason) > MAX_REASON:
            raise ValueError(f"--reason needs 1 to {MAX_REASON} characters")
        if args.announcement is not None and not _SOUND_NAME.match(args.announcement):
            raise ValueError(
                f"--announcement {args.announcement!r} is not a sound name (letters, digits, "
                "'-', '_', '.')"
            )
    except ValueError as exc:
        return _fail(str(exc))
    template = Closure(WHOLE_CENTER, reason, now, until, args.announcement, who())
    try:
        changes = change_closures(config.state_dir, now, lambda c: close(c, scopes, template))
    except (ClosuresUnreadableError, OSError) as exc:
        return _fail(f"nothing changed: {exc}")
    for change in changes:
        ends = f" until {change.until.astimezone(zone):%Y-%m-%d %H:%M}" if change.until else ""
        print(f"closed {_scope_name(change.scope)}: {reason}{ends}")
    sound = prompt_path(config.sounds_dir, args.announcement) if args.announcement else None
    if sound is not None and not sound.exists():
        print(_MISSING_SOUND.format(sound), file=sys.stderr)
    return 0


@_configured
def run_open(args: argparse.Namespace, config: BridgeConfig, now: datetime) -> int:
    try:
        scopes = None if args.all else _scopes(args, config)
    except ValueError as exc:
        return _fail(str(exc))
    try:
        changes = change_closures(config.state_dir, now, lambda c: reopen(c, scopes, who(), now))
        still = read_closures(config.state_dir).for_tenant(None, now)
    except (ClosuresUnreadableError, OSError) as exc:
        return _fail(f"nothing changed: {exc}")
    for change in changes:
        print(f"opened {_scope_name(change.scope)} (was closed: {change.reason})")
    if not changes:
        print("nothing to open: " + ("no closures" if scopes is None else "not closed ad hoc"))
    if still is not None and scopes is not None:
        print(_CENTER_STILL_CLOSED.format(still.reason), file=sys.stderr)
    return 0


@_configured
def run_list(args: argparse.Namespace, config: BridgeConfig, now: datetime) -> int:
    zone = config.directory.center.timezone
    try:
        in_force = read_closures(config.state_dir).in_force(now)
    except (ClosuresUnreadableError, OSError) as exc:
        return _fail(str(exc))
    if args.json:
        print(json.dumps([_as_json(c, now) for c in in_force], ensure_ascii=False, indent=2))
        return 0
    if not in_force:
        print("no ad hoc closures: every tenant follows its hours")
        return 0
    for c in in_force:
        ends = f"until {c.until.astimezone(zone):%Y-%m-%d %H:%M}" if c.until else "until opened"
        heard = c.announcement or "the tenant's closed prompt"
        print(
            f"{_scope_name(c.scope)}: {c.reason}, since {c.since.astimezone(zone):%Y-%m-%d %H:%M} "
            f"by {c.by or '?'}, {ends}, callers hear {heard}"
        )
    return 0


def _scope_name(scope: str) -> str:
    return "the whole center" if scope == WHOLE_CENTER else scope


def _as_json(closure: Closure, now: datetime) -> dict[str, object]:
    zone = now.tzinfo
    return {
        "tenant": None if closure.whole_center else closure.scope,
        "whole_center": closure.whole_center,
        "reason": closure.reason,
        "since": closure.since.astimezone(zone).isoformat(),
        "until": closure.until.astimezone(zone).isoformat() if closure.until else None,
        "announcement": closure.announcement,
        "by": closure.by,
    }
