"""`pbx-bridge user add|list|remove|token` as an admin types them."""

from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import pytest

from pbx_bridge.cli import users
from pbx_bridge.config.loader import load_config
from pbx_bridge.storage.opening import open_call_log
from pbx_bridge.web.auth.store import AccountStore
from tests.unit.cli_reports.console import write_config
from tests.unit.storage.databases import sqlite_url


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return write_config(tmp_path / "center", sqlite_url(tmp_path, "center.sqlite3"))


def user(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    config: Path,
    *argv: str,
    stdin: str = "",
) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser(prog="pbx-bridge")
    users.register(parser.add_subparsers(dest="command", required=True))
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    capsys.readouterr()
    args = parser.parse_args(["user", *argv, "--config", str(config)])
    code: int = args.handler(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_accounts_are_added_listed_given_tokens_and_removed(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, config: Path
) -> None:
    def run(*argv: str, stdin: str = "") -> tuple[int, str, str]:
        return user(capsys, monkeypatch, config, *argv, stdin=stdin)

    code, out, _ = run(
        "add", "gif", "--role", "supervisor", "--tenant", "gifhorn", "--password-stdin",
        stdin="a long password\n",
    )  # fmt: skip
    assert (code, out.strip()) == (0, "user gif added: supervisor of gifhorn")
    code, out, _ = run("add", "lead", "--role", "center", "--password-stdin", stdin="x" * 12)
    assert code == 0
    code, out, _ = run("list", "--format", "json")
    listed = json.loads(out)
    assert [(u["name"], u["role"], u["tenants"]) for u in listed] == [
        ("gif", "supervisor", "gifhorn"),
        ("lead", "center", "all"),
    ]
    code, token, _ = run("token", "gif")
    assert code == 0
    log = open_call_log(load_config(config))
    store = AccountStore(log.engine)
    principal = store.principal_of_token(token.strip())
    assert principal is not None
    assert principal.tenants == ("gifhorn",)
    assert store.check_password("gif", "a long password") is not None
    stored = [
        row[0] for row in log.engine.connect().exec_driver_sql("SELECT token_hash FROM web_tokens")
    ]
    assert token.strip() not in stored  # only the hash is kept
    code, out, _ = run("remove", "gif")
    assert code == 0
    assert store.principal_of_token(token.strip()) is None
    log.close()


PW = "long enough pw"
BAD = [
    (("add", "x", "--role", "supervisor"), PW, "at least one --tenant"),
    (("add", "x", "--role", "center", "--tenant", "gifhorn"), PW, "leave out --tenant"),
    (("add", "x", "--role", "agent", "--tenant", "nowhere"), PW, "unknown tenant 'nowhere'"),
    (("add", "x", "--role", "agent", "--tenant", "gifhorn"), "short", "10 to 256 characters"),
    (("add", "bad name!", "--role", "center"), PW, "letters, digits"),
]


@pytest.mark.parametrize("case", BAD)
def test_bad_accounts_get_a_one_line_error_and_exit_2(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    config: Path,
    case: tuple[tuple[str, ...], str, str],
) -> None:
    argv, stdin, message = case
    code, _, err = user(capsys, monkeypatch, config, *argv, "--password-stdin", stdin=stdin)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_unknown_users_exit_1(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, config: Path
) -> None:
    assert user(capsys, monkeypatch, config, "remove", "ghost")[0] == 1
    assert user(capsys, monkeypatch, config, "token", "ghost")[0] == 1
