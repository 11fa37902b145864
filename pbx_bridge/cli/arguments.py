"""Argument types with bounds: a value outside them is argparse's one-line error (exit 2),
never a traceback from deep inside a date calculation or a database driver."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from datetime import date, datetime

from pbx_bridge.core.free_text import MAX_LABEL_CHARS, MAX_NOTE_CHARS, one_line

# Days a call log can hold: calls before 2000 or after 2099 are typing errors, and years
# near 1 or 9999 overflow as soon as a time zone or a following day is applied.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)
MAX_ID = 2**63 - 1  # the database's BIGINT; ids beyond cannot exist
MAX_LIMIT = 1_000_000


def bounded_int(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text.strip())
        except ValueError:
            raise argparse.ArgumentTypeError(f"{shown(text)} is not a whole number") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{shown(text)} is not between {low} and {high}")
        return value

    return parse


def check_day(day: date, text: str) -> date:
    """`day`, or ValueError naming the span of days the commands accept."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f"{shown(text)} is not between {FIRST_DAY} and {LAST_DAY}")
    return day


def check_instant(value: datetime, text: str) -> datetime:
    check_day(value.date(), text)
    return value


def note_text(text: str) -> str:
    """A note as given, or ArgumentTypeError when it is longer than MAX_NOTE_CHARS."""
    if len(text) > MAX_NOTE_CHARS:
        raise argparse.ArgumentTypeError(
            f"a note has at most {MAX_NOTE_CHARS} characters ({len(text)} given)"
        )
    return text


def label(text: str) -> str:
    """An identifier (a call id, a node, a department): one line, at most MAX_LABEL_CHARS."""
    if len(text) > MAX_LABEL_CHARS or text != one_line(text, MAX_LABEL_CHARS):
        raise argparse.ArgumentTypeError(
            f"{shown(text)} is not one line of at most {MAX_LABEL_CHARS} characters"
        )
    return text


def shown(text: str, limit: int = 40) -> str:
    """`text` quoted for an error line: control characters escaped, cut at `limit`."""
    cut = text if len(text) <= limit else text[:limit] + "…"
    return repr(cut)
