"""Named report periods around a day."""

from __future__ import annotations

from datetime import date

import pytest

from pbx_bridge.core.named_periods import PERIODS, Period, named_period


@pytest.mark.parametrize(
    ("name", "today", "expected"),
    [
        ("this-month", date(2026, 2, 10), Period(date(2026, 2, 1), date(2026, 2, 28))),
        ("last-month", date(2026, 1, 10), Period(date(2025, 12, 1), date(2025, 12, 31))),
        ("this-quarter", date(2026, 5, 31), Period(date(2026, 4, 1), date(2026, 6, 30))),
        ("last-quarter", date(2026, 2, 1), Period(date(2025, 10, 1), date(2025, 12, 31))),
        ("last-quarter", date(2026, 12, 3), Period(date(2026, 7, 1), date(2026, 9, 30))),
        ("this-year", date(2026, 12, 3), Period(date(2026, 1, 1), date(2026, 12, 31))),
        ("last-year", date(2026, 12, 3), Period(date(2025, 1, 1), date(2025, 12, 31))),
    ],
)
def test_named_periods(name: str, today: date, expected: Period) -> None:
    assert named_period(name, today) == expected


def test_every_listed_period_is_known_and_others_are_not() -> None:
    for name in PERIODS:
        period = named_period(name, date(2024, 2, 29))
        assert period.first <= period.last
    with pytest.raises(KeyError):
        named_period("yesterday", date(2026, 1, 1))
