"""Free text from agents and CRMs (wrap-up notes, departments): one line, bounded length.

A note is shown in `tickets list`, CSV exports and reports; control characters in it could
rewrite the terminal of whoever lists the tickets (ESC sequences, CR) or forge rows
(newlines), and an unbounded note makes every listing unreadable. So every control
character becomes a space and a note keeps at most MAX_NOTE_CHARS characters.
"""

from __future__ import annotations

import re

MAX_NOTE_CHARS = 1000  # a callback note is a sentence or two
MAX_LABEL_CHARS = 100  # a department name
CUT_MARK = "…"

# C0 and C1 controls, DEL, and the Unicode line and paragraph separators.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(text: str, limit: int) -> str:
    """`text` with every control character replaced by a space, cut to `limit` characters."""
    flat = _CONTROL.sub(" ", text).strip()
    if len(flat) <= limit:
        return flat
    return flat[: limit - len(CUT_MARK)] + CUT_MARK


def clean_note(text: str | None) -> str | None:
    return None if text is None else one_line(text, MAX_NOTE_CHARS)


def clean_label(text: str | None) -> str | None:
    return None if text is None else one_line(text, MAX_LABEL_CHARS)
