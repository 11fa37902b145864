"""When a closure ends, from --until and --for, and the ends that are refused."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from pbx_bridge.closures.until import closure_end, parse_duration
from tests.unit.core.factories import at

NOW = at("2026-12-03T09:30:12")


def test_until_a_clock_time_is_today_in_the_centers_zone() -> None:
    assert closure_end(NOW, "14:00", None) == at("2026-12-03T14:00")


def test_until_a_date_and_time_is_that_local_time() -> None:
    assert closure_end(NOW, "2026-12-04T08:00", None) == at("2026-12-04T08:00")


def test_for_a_duration_ends_on_the_next_whole_minute() -> None:
    assert closure_end(NOW, None, "2h") == at("2026-12-03T11:31")
    assert closure_end(NOW, None, "1h30m") == at("2026-12-03T11:01")


@pytest.mark.parametrize("text,length", [("90m", 90), ("1d", 1440), ("2h", 120), ("1h30m", 90)])
def test_durations(text: str, length: int) -> None:
    assert parse_duration(text) == timedelta(minutes=length)


def test_without_until_or_for_the_closure_is_open_ended() -> None:
    assert closure_end(NOW, None, None) is None


@pytest.mark.parametrize(
    "until,length,words",
    [
        ("09:00", None, "in the past"),
        ("2026-12-02T14:00", None, "in the past"),
        ("noon", None, "is not a time"),
        (None, "2 hours", "is not a duration"),
        (None, "0h", "no time at all"),
        (None, "400d", "longer than a year"),
    ],
)
def test_bad_ends_are_refused_with_a_sentence(
    until: str | None, length: str | None, words: str
) -> None:
    with pytest.raises(ValueError, match=words):
        closure_end(NOW, until, length)


def test_an_until_with_an_offset_is_that_instant() -> None:
    end = closure_end(NOW, "2026-12-03T13:00+00:00", None)
    assert end == datetime.fromisoformat("2026-12-03T14:00+01:00")
