"""Plain YAML scalars keep the text the admin wrote: no YAML 1.1 booleans, octals or base 60."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from pbx_bridge.config.errors import ConfigInvalidError
from pbx_bridge.core.schedule import TimeRange
from tests.unit.config.tree import load_tree, single_finding


def test_words_yaml_reads_as_booleans_stay_words(tmp_path: Path) -> None:
    tenant = """\
        id: "no"
        name: NO
        greeting: yes
        greeting_text: On
        holidays: NI
        numbers:
          - {number: "05371 82-0", department: off}
    """
    [t] = load_tree(tmp_path, {"no": tenant}).directory.tenants
    assert (t.id, t.name, t.greeting, t.greeting_text) == ("no", "NO", "yes", "On")
    assert t.numbers[0].department == "off"


def test_holidays_no_is_an_unknown_state_not_false(tmp_path: Path) -> None:
    tenant = """\
        id: gifhorn
        name: Landkreis Gifhorn
        greeting: gifhorn
        greeting_text: "Guten Tag."
        holidays: NO
        numbers:
          - {number: "05371 82-0"}
    """
    file, line, message = single_finding(tmp_path, {"gifhorn": tenant})
    assert (file, line) == ("tenants/gifhorn.yaml", 5)
    assert message.startswith("unknown state code 'NO' for holidays")


@pytest.mark.parametrize("word", ["none", "None", "NONE"])
def test_holidays_none_means_no_holidays(tmp_path: Path, word: str) -> None:
    tenant = f"""\
        id: gifhorn
        name: Landkreis Gifhorn
        greeting: gifhorn
        greeting_text: "Guten Tag."
        holidays: {word}
        numbers:
          - {{number: "05371 82-0"}}
        hours:
          sat: "08:00-12:00"
    """
    [t] = load_tree(tmp_path, {"gifhorn": tenant}).directory.tenants
    assert t.holidays == "none"
    assert t.schedule.plan_for(date(2026, 10, 31)).reason == "hours"  # Reformationstag in NI


def test_holidays_null_is_reported_as_not_text(tmp_path: Path) -> None:
    tenant = """\
        id: gifhorn
        name: Landkreis Gifhorn
        greeting: gifhorn
        greeting_text: "Guten Tag."
        holidays:
        numbers:
          - {number: "05371 82-0"}
    """
    finding = single_finding(tmp_path, {"gifhorn": tenant})
    assert finding == ("tenants/gifhorn.yaml", 5, "holidays: Input should be a valid string")


def test_numbers_with_leading_zero_keep_it_quoted_or_not(tmp_path: Path) -> None:
    tenant = """\
        id: braunschweig
        name: Stadt Braunschweig
        greeting: braunschweig
        greeting_text: "Guten Tag."
        holidays: NI
        numbers:
          - {number: 0531470, department: Zentrale}
          - {number: "0531471", department: Bürgeramt}
          - {number: 115, department: Behördennummer}
    """
    [t] = load_tree(tmp_path, {"braunschweig": tenant}).directory.tenants
    assert [n.e164 for n in t.numbers] == ["+49531470", "+49531471", "+49115"]
    assert [n.written for n in t.numbers] == ["0531470", "0531471", "115"]


def test_unquoted_times_and_dates_are_read_as_written(tmp_path: Path) -> None:
    tenant = """\
        id: gifhorn
        name: Landkreis Gifhorn
        greeting: gifhorn
        greeting_text: "Guten Tag."
        holidays: NI
        priority: 07
        numbers:
          - {number: "05371 82-0"}
        hours:
          mon: 07:00-18:00
          sat: 08:00-12:00, 13:00-14:00
        exceptions:
          - {date: 2026-12-24, hours: 07:00-12:00, reason: 2026}
    """
    [t] = load_tree(tmp_path, {"gifhorn": tenant}).directory.tenants
    assert t.priority == 7
    assert t.schedule.weekly[0] == (TimeRange(7 * 60, 18 * 60),)
    assert t.schedule.weekly[5] == (TimeRange(8 * 60, 12 * 60), TimeRange(13 * 60, 14 * 60))
    exception = t.schedule.exceptions.dated[date(2026, 12, 24)]
    assert (exception.ranges, exception.reason) == ((TimeRange(7 * 60, 12 * 60),), "2026")


def test_exception_date_as_a_bare_number_is_rejected(tmp_path: Path) -> None:
    tenant = """\
        id: gifhorn
        name: Landkreis Gifhorn
        greeting: gifhorn
        greeting_text: "Guten Tag."
        holidays: NI
        numbers:
          - {number: "05371 82-0"}
        exceptions:
          - {date: 1798070400, hours: closed, reason: Heiligabend}
    """
    with pytest.raises(ConfigInvalidError) as caught:
        load_tree(tmp_path, {"gifhorn": tenant})
    assert [i.line for i in caught.value.issues] == [9]
