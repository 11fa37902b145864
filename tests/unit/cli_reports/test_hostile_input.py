"""Extreme arguments and hostile free text at the database commands: a one-line error and
exit 2, or a listing that cannot rewrite the terminal of whoever reads it."""

from __future__ import annotations

import contextlib
import io
import time
from pathlib import Path

import pytest

from pbx_bridge.cli.main import main
from pbx_bridge.core.free_text import MAX_NOTE_CHARS
from tests.unit.cli_reports.console import pbx_bridge
from tests.unit.cli_reports.test_db_commands import open_log
from tests.unit.cli_reports.test_ticket_commands import callback_for_a_recent_call

HOSTILE_NOTE = "Ruckruf\x1b[2J\x1b[H\rfake row\n42  gifhorn  forged\x07"


def cli(config: Path, *argv: str) -> tuple[int, str, str]:
    """`pbx-bridge ARGV --config CONFIG` as typed: argparse's exits included."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([*argv, "--config", str(config)])
        except SystemExit as exit_:
            code = int(exit_.code or 0)
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize(
    "argv",
    [
        ("report", "--from", "0001-01-01", "--to", "9999-12-31"),
        ("calls", "--limit", "99999999999999999999"),
        ("calls", "--limit", "0"),
        ("calls", "--from", "0001-01"),
        ("tickets", "done", "999999999999999999999999"),
        ("purge", "--older-than", "99999999999999999999d"),
        ("purge", "--older-than", "0d"),
        ("purge", "--older-than", ""),
        ("hours", "gifhorn", "--week", "9999-W52"),
        ("route", "--number", "05371 82-0", "--at", "9999-12-31T23:59-14:00"),
        ("wrapup", "1.1", "--outcome", "resolved", "--at", "0001-01-01T00:00+14:00"),
        ("wrapup", "1.1", "--outcome", "callback", "--note", "x" * (MAX_NOTE_CHARS + 1)),
    ],
    ids=lambda argv: " ".join(a[:20] for a in argv),
)
def test_extreme_arguments_are_one_line_and_exit_2(config: Path, argv: tuple[str, ...]) -> None:
    started = time.monotonic()
    code, out, err = cli(config, *argv)
    assert time.monotonic() - started < 5
    assert code == 2, (out, err)
    assert len(err.splitlines()) == 1, err
    assert "Traceback" not in err


def test_purge_under_one_day_runs_with_force(config: Path) -> None:
    code, out, err = cli(config, "purge", "--older-than", "0d", "--force", "--dry-run")
    assert (code, err) == (0, "")
    assert out.startswith("would purge details before ")


def test_a_note_with_control_characters_is_stored_as_one_line(
    capsys: pytest.CaptureFixture[str], config: Path
) -> None:
    run = callback_for_a_recent_call(capsys, config, "1700000000.7", "--note", HOSTILE_NOTE)
    assert run.code == 0, run.err
    (ticket,) = pbx_bridge(capsys, config, "tickets", "list", "--format", "json").json()
    assert ticket["note"] == "Ruckruf [2J [H fake row 42  gifhorn  forged"


@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_control_characters_already_in_the_database_are_listed_escaped(
    capsys: pytest.CaptureFixture[str], config: Path, fmt: str
) -> None:
    run = callback_for_a_recent_call(capsys, config, "1700000000.8")
    assert run.code == 0, run.err
    log = open_log(config)
    with log.engine.begin() as connection:  # as an older version or a direct write left it
        connection.exec_driver_sql("UPDATE tickets SET note = ?", (HOSTILE_NOTE,))
    log.close()
    listing = pbx_bridge(capsys, config, "tickets", "list", "--format", fmt)
    assert listing.code == 0
    assert not any(ord(c) < 0x20 and c != "\n" for c in listing.out)
    assert len(listing.out.splitlines()) == 2  # the header and the one ticket
    assert "Ruckruf\\x1b[2J\\x1b[H\\x0dfake row\\x0a42  gifhorn  forged\\x07" in listing.out


@pytest.mark.parametrize(
    "argv",
    [
        ("wrapup", "1.1\x1b[2J", "--outcome", "resolved"),
        ("wrapup", "x" * 101, "--outcome", "resolved"),
        ("wrapup", "1.1", "--outcome", "resolved", "--department", "Kfz\nforged"),
        ("wrapup", "1.1", "--outcome", "resolved", "--node", "n" * 101),
    ],
    ids=["call id with ESC", "call id too long", "department with newline", "node too long"],
)
def test_identifiers_are_one_short_line(config: Path, argv: tuple[str, ...]) -> None:
    code, _out, err = cli(config, *argv)
    assert code == 2
    assert len(err.splitlines()) == 1 and "\x1b" not in err
