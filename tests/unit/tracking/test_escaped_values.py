"""AMI sends VarSet values C-escaped (Asterisk's ast_escape_c); the call log stores them as
the dialplan set them."""

from __future__ import annotations

import pytest

from pbx_bridge import channel_vars as cv
from pbx_bridge.ami.call_events import unescape_c
from tests.unit.tracking.streams import NOW, feed_all, stream, tracker

# main/utils.c: escape_sequences and escape_sequences_map, in the same order.
_ASTERISK_ESCAPES = dict(zip("\a\b\f\n\r\t\v\\'\"?", "abfnrtv\\'\"?", strict=True))


def ast_escape_c(value: str) -> str:
    """What Asterisk 22 puts into `Value:` of a VarSet event (main/stasis_channels.c)."""
    return "".join(f"\\{_ASTERISK_ESCAPES[c]}" if c in _ASTERISK_ESCAPES else c for c in value)


@pytest.mark.parametrize(
    "value",
    [
        "Bürgerbüro",
        'Bürgerbüro "Am Markt"',
        "Standesamt O'Neill-Straße",
        "C:\\Pfad\\n nicht neu",
        "Frage? Ja!",
        "Zeile 1\nZeile 2\r\tEnde\a\b\f\v",
        "\\\\'\\\"",
        "",
    ],
)
def test_unescaping_undoes_asterisks_escaping(value: str) -> None:
    assert unescape_c(ast_escape_c(value)) == value


def test_a_backslash_pair_asterisk_never_sends_is_kept() -> None:
    assert unescape_c("a\\zb\\") == "a\\zb\\"


def _with_values(name: str, values: dict[str, str]) -> list[dict[str, str]]:
    events = stream(name)
    for event in events:
        variable = event.get("Variable")
        if event.get("Event") == "VarSet" and variable in values and event.get("Value"):
            event["Value"] = ast_escape_c(values[variable])
    return events


def test_department_with_quotes_and_apostrophe_is_stored_as_set() -> None:
    department = 'Bürgerbüro "Am Markt" (O\'Neill-Straße)'
    events = _with_values("resolved", {cv.DEPARTMENT: department})
    assert any(e.get("Value") == ast_escape_c(department) for e in events)  # really escaped
    (record,) = feed_all(tracker(), events, NOW).records
    assert record.department == department


def test_closed_reason_with_quotes_and_backslash_is_stored_as_set() -> None:
    reason = 'Feiertag "Tag der Einheit" \\ Rathaus\'s Regel?'
    events = _with_values("closed_hangup", {cv.REASON: reason})
    (record,) = feed_all(tracker(), events, NOW).records
    assert record.detail == reason
