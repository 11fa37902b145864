"""Wrap-up notes and departments from agents and CRMs: one line, bounded, from any source."""

from __future__ import annotations

from datetime import UTC, datetime

from pbx_bridge.core.calls import Outcome, Wrapup
from pbx_bridge.core.free_text import CUT_MARK, MAX_LABEL_CHARS, MAX_NOTE_CHARS, one_line


def test_control_characters_become_spaces() -> None:
    assert one_line("a\x1b[2J\rb\nc\u2028d\x9be\x00", 100) == "a [2J b c d e"


def test_a_megabyte_note_from_a_crm_keeps_its_first_thousand_characters_marked_as_cut() -> None:
    wrapup = Wrapup("1.1", Outcome.CALLBACK, datetime(2026, 11, 23, tzinfo=UTC), note="x" * 2**20)
    assert wrapup.note is not None
    assert len(wrapup.note) == MAX_NOTE_CHARS
    assert wrapup.note.endswith(CUT_MARK)


def test_a_department_is_one_short_line() -> None:
    wrapup = Wrapup(
        "1.1", Outcome.RESOLVED, datetime(2026, 11, 23, tzinfo=UTC), department="K\nfz" * 100
    )
    assert wrapup.department is not None
    assert len(wrapup.department) == MAX_LABEL_CHARS
    assert "\n" not in wrapup.department


def test_ordinary_text_is_kept_as_it_is() -> None:
    wrapup = Wrapup(
        "1.1",
        Outcome.CALLBACK,
        datetime(2026, 11, 23, tzinfo=UTC),
        department="Kfz-Zulassung",
        note="Halterauskunft, Rückruf bis 16 Uhr",
    )
    assert (wrapup.department, wrapup.note) == (
        "Kfz-Zulassung",
        "Halterauskunft, Rückruf bis 16 Uhr",
    )
    assert Wrapup("1.1", Outcome.RESOLVED, datetime(2026, 11, 23, tzinfo=UTC)).note is None
