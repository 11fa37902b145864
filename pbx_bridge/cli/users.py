"""`pbx-bridge user add|list|remove|token`: the web console's accounts."""

from __future__ import annotations

import argparse
import re
import sys
from datetime import UTC, datetime

from pbx_bridge.cli.common import EXIT_CONFIG, Subparsers, add_config_option
from pbx_bridge.cli.db import with_call_log
from pbx_bridge.cli.tabular import add_format_option, print_rows
from pbx_bridge.config.loader import BridgeConfig
from pbx_bridge.core.console_access import Role
from pbx_bridge.storage import CallLog
from pbx_bridge.web.auth.secrets import MIN_PASSWORD_LENGTH
from pbx_bridge.web.auth.store import AccountError, AccountStore

EXIT_NOT_FOUND = 1
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
MAX_PASSWORD = 256


def register(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("user", help="accounts of the web console")
    actions = parser.add_subparsers(dest="user_action", required=True, metavar="ACTION")
    add = actions.add_parser("add", help="create an account (password read from stdin)")
    add.add_argument("name", metavar="NAME")
    add.add_argument("--role", required=True, choices=[r.value for r in Role])
    add.add_argument(
        "--tenant",
        action="append",
        default=[],
        metavar="T",
        help="a tenant the account sees (repeat for several; not for center)",
    )
    add.add_argument(
        "--password-stdin", action="store_true", required=True, help="read the password from stdin"
    )
    listing = actions.add_parser("list", help="every account with its role and tenants")
    add_format_option(listing)
    remove = actions.add_parser("remove", help="delete an account, its tokens and sessions")
    remove.add_argument("name", metavar="NAME")
    token = actions.add_parser("token", help="print a new API token for the account")
    token.add_argument("name", metavar="NAME")
    for action in (add, listing, remove, token):
        add_config_option(action)
        action.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.user_action == "add":
        problem = _check_add(args)
        if problem:
            print(problem, file=sys.stderr)
            return EXIT_CONFIG
        password = sys.stdin.readline().rstrip("\r\n")
        if not MIN_PASSWORD_LENGTH <= len(password) <= MAX_PASSWORD:
            print(
                f"the password needs {MIN_PASSWORD_LENGTH} to {MAX_PASSWORD} characters",
                file=sys.stderr,
            )
            return EXIT_CONFIG
        return with_call_log(args, lambda log, config: _add(log, config, args, password))
    return with_call_log(args, lambda log, _config: _ACTIONS[args.user_action](log, args))


def _check_add(args: argparse.Namespace) -> str | None:
    if not NAME.match(args.name):
        return f"user name {args.name!r}: letters, digits and . _ @ - (up to 64)"
    role = Role(args.role)
    if role is Role.CENTER and args.tenant:
        return "a center account sees every tenant: leave out --tenant"
    if role is not Role.CENTER and not args.tenant:
        return f"a {role.value} account needs at least one --tenant"
    return None


def _add(log: CallLog, config: BridgeConfig, args: argparse.Namespace, password: str) -> int:
    unknown = [t for t in args.tenant if config.directory.tenant(t) is None]
    if unknown:
        print(f"unknown tenant {', '.join(map(repr, unknown))}", file=sys.stderr)
        return EXIT_CONFIG
    tenants = list(dict.fromkeys(args.tenant))
    try:
        AccountStore(log.engine).add_user(
            args.name, Role(args.role), tenants, password, datetime.now(UTC)
        )
    except AccountError as error:
        print(error, file=sys.stderr)
        return EXIT_CONFIG
    scope = "every tenant" if not tenants else ", ".join(tenants)
    print(f"user {args.name} added: {args.role} of {scope}")
    return 0


def _list(log: CallLog, args: argparse.Namespace) -> int:
    rows = [
        [a.name, a.role.value, " ".join(a.tenants) or "all", f"{a.created:%Y-%m-%d %H:%M}"]
        for a in AccountStore(log.engine).users()
    ]
    print_rows(args.format, ("name", "role", "tenants", "created"), rows)
    return 0


def _remove(log: CallLog, args: argparse.Namespace) -> int:
    if not AccountStore(log.engine).remove_user(args.name):
        print(f"no user {args.name!r}", file=sys.stderr)
        return EXIT_NOT_FOUND
    print(f"user {args.name} removed, with its API tokens and sessions")
    return 0


def _token(log: CallLog, args: argparse.Namespace) -> int:
    try:
        token = AccountStore(log.engine).new_api_token(args.name, datetime.now(UTC))
    except AccountError as error:
        print(error, file=sys.stderr)
        return EXIT_NOT_FOUND
    print(token)
    return 0


_ACTIONS = {"list": _list, "remove": _remove, "token": _token}
