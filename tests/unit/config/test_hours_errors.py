"""Bad weekly hours and dated exceptions, reported at the line of their key."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.config.tree import single_finding, tenant


def hours_finding(tmp_path: Path, key: str, value: str) -> tuple[str, int, str]:
    """The one finding for a tenant whose only hours line (line 9) is `key: "value"`."""
    gifhorn = tenant(then=f'hours:\n  {key}: "{value}"\n')
    return single_finding(tmp_path, {"gifhorn": gifhorn})


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("18:00-07:00", "time range '18:00-07:00' ends before it starts"),
        ("07:00-07:00", "time range '07:00-07:00' ends before it starts"),
        ("07:00-25:00", "'25:00' is not a time of day (00:00 to 24:00)"),
        ("07:00-24:30", "'24:30' is not a time of day (00:00 to 24:00)"),
        ("24:00-24:00", "'24:00' is not a time of day (00:00 to 24:00)"),
        ("07:60-18:00", "'07:60' is not a time of day (00:00 to 24:00)"),
        ("7-18", "'7' is not a time of day (HH:MM)"),
        ("07:00", "'07:00' is not a time range (HH:MM-HH:MM)"),
        ("08:00-12:00, 11:30-16:00", "time ranges 08:00-12:00 and 11:30-16:00 overlap"),
        ("13:00-16:00, 08:00-13:30", "time ranges 08:00-13:30 and 13:00-16:00 overlap"),
        ("08:00-12:00,", "'' is not a time range (HH:MM-HH:MM)"),
    ],
)
def test_bad_time_range_is_reported_at_its_day_key(
    tmp_path: Path, value: str, problem: str
) -> None:
    file, line, message = hours_finding(tmp_path, "mon-fri", value)
    assert (file, line) == ("tenants/gifhorn.yaml", 9)
    assert message == f"hours mon-fri: {problem}"


@pytest.mark.parametrize(
    ("key", "fragment"),
    [
        ("mon-fir", "unknown weekday 'fir' (use mon, tue, wed, thu, fri, sat, sun)"),
        ("montag", "unknown weekday 'montag'"),
        ("weekdays", "unknown weekday 'weekdays'"),
        ("mon-wed-fri", "unknown weekday 'wed-fri'"),
        ("fri-mon", "day range 'fri-mon' runs backwards"),
    ],
)
def test_bad_day_key_is_reported_at_its_line(tmp_path: Path, key: str, fragment: str) -> None:
    file, line, message = hours_finding(tmp_path, key, "07:00-18:00")
    assert (file, line) == ("tenants/gifhorn.yaml", 9)
    assert message.startswith("hours: ")
    assert fragment in message


def test_day_set_twice_is_reported_at_the_second_key(tmp_path: Path) -> None:
    gifhorn = tenant(
        then="""\
            hours:
              mon-fri: "07:00-18:00"
              fri: "07:00-13:00"
        """
    )
    finding = single_finding(tmp_path, {"gifhorn": gifhorn})
    assert finding == ("tenants/gifhorn.yaml", 10, "hours: fri is already set by 'mon-fri'")


def test_exception_date_listed_twice_is_reported_at_the_second_date(tmp_path: Path) -> None:
    gifhorn = tenant(
        then="""\
            exceptions:
              - {date: 2026-12-24, hours: "07:00-12:00", reason: Heiligabend}
              - date: 2026-12-24
                hours: closed
                reason: Betriebsversammlung
        """
    )
    finding = single_finding(tmp_path, {"gifhorn": gifhorn})
    assert finding == ("tenants/gifhorn.yaml", 10, "exception date 2026-12-24 is listed twice")


def test_impossible_exception_date_is_reported_at_the_date(tmp_path: Path) -> None:
    gifhorn = tenant(
        then="""\
            exceptions:
              - reason: Rosenmontag
                date: 2026-02-30
                hours: closed
        """
    )
    file, line, message = single_finding(tmp_path, {"gifhorn": gifhorn})
    assert (file, line) == ("tenants/gifhorn.yaml", 10)
    assert message.startswith("exceptions[0].date: ")
    assert "is not a date (day is out of range for month)" in message


def test_bad_exception_hours_are_reported_with_the_date(tmp_path: Path) -> None:
    gifhorn = tenant(
        then="""\
            exceptions:
              - date: 2026-12-24
                reason: Heiligabend
                hours: "12:00-07:00"
        """
    )
    file, line, message = single_finding(tmp_path, {"gifhorn": gifhorn})
    assert (file, line) == ("tenants/gifhorn.yaml", 11)
    assert message == "exception 2026-12-24: time range '12:00-07:00' ends before it starts"


def test_empty_hours_text_is_reported_at_its_day_key(tmp_path: Path) -> None:
    file, line, message = hours_finding(tmp_path, "sat", "")
    assert (file, line) == ("tenants/gifhorn.yaml", 9)
    assert message.startswith("hours.sat: ")
