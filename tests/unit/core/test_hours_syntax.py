"""The hours language: day keys and time ranges."""

from __future__ import annotations

import pytest

from pbx_bridge.config.hours_syntax import parse_day_key, parse_ranges
from pbx_bridge.core.schedule import TimeRange, format_ranges


@pytest.mark.parametrize(
    ("key", "days"),
    [("mon", (0,)), ("mon-fri", (0, 1, 2, 3, 4)), ("mon-wed", (0, 1, 2)), ("sat-sun", (5, 6))],
)
def test_day_keys(key: str, days: tuple[int, ...]) -> None:
    assert parse_day_key(key) == days


@pytest.mark.parametrize(
    ("key", "fragment"), [("montag", "unknown weekday"), ("fri-mon", "backwards")]
)
def test_bad_day_keys(key: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        parse_day_key(key)


def test_split_day_and_closed() -> None:
    assert parse_ranges("08:00-12:00, 13:00-16:00") == (TimeRange(480, 720), TimeRange(780, 960))
    assert parse_ranges("closed") == ()
    assert parse_ranges("07:00-24:00") == (TimeRange(420, 1440),)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("18:00-07:00", "ends before it starts"),
        ("08:00-25:00", "not a time of day"),
        ("24:00-24:00", "not a time of day"),
        ("08:00-24:30", "not a time of day"),
        ("8-18", "not a time of day"),
        ("08:00", "not a time range"),
        ("08:00-12:00, 11:00-14:00", "overlap"),
    ],
)
def test_bad_ranges(text: str, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        parse_ranges(text)


def test_format_is_the_canonical_form() -> None:
    assert format_ranges(parse_ranges(" 13:00-16:00 ,08:00-12:00")) == "08:00-12:00, 13:00-16:00"
