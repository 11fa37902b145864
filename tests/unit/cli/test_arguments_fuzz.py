"""Every command with arguments an attacker or a tired admin would type: a result or a clear
error (exit 2 for bad arguments), never a traceback, within a time bound.

The commands and their options are read from the parser itself, so a command added later is
fuzzed too; only those that start a service or render audio are left out.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pbx_bridge.cli.main import build_parser, main
from pbx_bridge.storage import CallLog
from tests.unit.cli_reports.console import TENANTS, write_config

# Start a server or run for long: not arguments' business.
_LEFT_OUT = {("run",), ("sounds", "build"), ("web",)}

HOSTILE_VALUES = [
    "",
    " ",
    "0",
    "-1",
    "1",
    "99999999999999999999",
    "999999999999999999999999",
    "1e309",
    "nan",
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "2026-13",
    "0000-00",
    "2026-W53",
    "2026-W99",
    "0000-W01",
    "9999-W52",
    "0d",
    "0y",
    "99999999999999999999d",
    "9999999y",
    "0001-01-01T00:00+14:00",
    "9999-12-31T23:59-14:00",
    "2026-10-31T10:00",
    "\x00",
    "\x1b[2J",
    "a\nb",
    "--",
    "+49 5371 82-0",
    "05371 82-370",
    "gifhorn",
    "all",
    "callback",
    "\u0663",
    "../../etc/passwd",
    "%s%n",
    "x" * 5000,
]
_VALUE = st.one_of(
    st.sampled_from(HOSTILE_VALUES),
    st.text(max_size=12),
    st.integers().map(str),
)


@dataclass(frozen=True)
class Command:
    path: tuple[str, ...]
    parser: argparse.ArgumentParser


def _commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> list[Command]:
    found: list[Command] = []
    runs_alone = True  # without a sub-command, as `report` does (`report send` is one)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            runs_alone = not action.required
            for name, sub in action.choices.items():
                found.extend(_commands(sub, (*path, name)))
    if (runs_alone or not found) and path and path not in _LEFT_OUT and path[:1] not in _LEFT_OUT:
        found.append(Command(path, parser))
    return found


COMMANDS = _commands(build_parser())


@st.composite
def _argv(draw: st.DrawFn, config: Path) -> list[str]:
    command = draw(st.sampled_from(COMMANDS))
    argv = list(command.path)
    for action in command.parser._actions:
        if isinstance(action, argparse._HelpAction | argparse._SubParsersAction):
            continue
        if action.dest == "config":
            continue
        if action.option_strings:
            if not (action.required or draw(st.booleans())):
                continue
            argv.append(action.option_strings[-1])
            if action.nargs == 0:
                continue
        elif not draw(st.booleans()) and action.nargs in ("?", "*"):
            continue
        values = list(action.choices) if action.choices else []
        pick_choice = bool(values) and draw(st.booleans())
        value = draw(st.sampled_from(values)) if pick_choice else draw(_VALUE)
        if value.startswith("-") and action.option_strings:
            argv[-1] = f"{argv[-1]}={value}"  # how an option takes a value that looks like one
        else:
            argv.append(value)
    if any(a.dest == "config" for a in command.parser._actions):
        argv += ["--config", str(config)]
    return argv


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fuzz")
    url = f"sqlite:///{root / 'calls.sqlite3'}"
    log = CallLog(url)
    log.upgrade()
    log.close()
    # A copy of the tenants: a command that writes to the configuration writes to the copy.
    tenants = root / "tenants"
    shutil.copytree(TENANTS, tenants)
    bridge = write_config(root / "center", url)
    text = bridge.read_text().replace(f"tenants_dir: {TENANTS}", f"tenants_dir: {tenants}")
    bridge.write_text(text)
    return bridge


def run_cli(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    stdin = sys.stdin
    sys.stdin = io.StringIO("")  # a command that reads a secret from stdin gets none
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(argv)
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 2
    finally:
        sys.stdin = stdin
    return code, out.getvalue(), err.getvalue()


def test_every_command_is_fuzzed() -> None:
    names = {c.path for c in COMMANDS}
    assert {("calls",), ("purge",), ("tickets", "done"), ("report",), ("route",)} <= names


@settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_arguments_give_a_result_or_a_clear_error_never_a_traceback(
    config: Path, data: st.DataObject
) -> None:
    argv = data.draw(_argv(config))
    started = time.monotonic()
    code, _out, err = run_cli(argv)
    assert time.monotonic() - started < 5.0, argv
    assert code in (0, 1, 2, 3), (argv, code, err)
    assert "Traceback" not in err, (argv, err)
    if code == 2:
        assert err.strip(), argv


def test_a_double_dash_as_an_option_value_is_refused(config: Path) -> None:
    code, _out, err = run_cli(["tickets", "list", "--tenant=--", "--config", str(config)])
    assert code == 2
    assert "'--' is not a value" in err
