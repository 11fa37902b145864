"""Report periods a supervisor picks by name (this month, last quarter, …), from `today`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

PERIODS = {
    "this-month": "This month",
    "last-month": "Last month",
    "this-quarter": "This quarter",
    "last-quarter": "Last quarter",
    "this-year": "This year",
    "last-year": "Last year",
}


@dataclass(frozen=True)
class Period:
    first: date
    last: date  # inclusive


def _month_end(year: int, month: int) -> date:
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return following - timedelta(days=1)


def named_period(name: str, today: date) -> Period:
    """The period `name` (a key of PERIODS) around `today`; KeyError for other names."""
    year, month = today.year, today.month
    quarter_start = 3 * ((month - 1) // 3) + 1
    if name == "this-month":
        return Period(date(year, month, 1), _month_end(year, month))
    if name == "last-month":
        first = (date(year, month, 1) - timedelta(days=1)).replace(day=1)
        return Period(first, _month_end(first.year, first.month))
    if name == "this-quarter":
        return Period(date(year, quarter_start, 1), _month_end(year, quarter_start + 2))
    if name == "last-quarter":
        first = (date(year, quarter_start, 1) - timedelta(days=1)).replace(day=1)
        first = first.replace(month=3 * ((first.month - 1) // 3) + 1)
        return Period(first, _month_end(first.year, first.month + 2))
    if name == "this-year":
        return Period(date(year, 1, 1), date(year, 12, 31))
    if name == "last-year":
        return Period(date(year - 1, 1, 1), date(year - 1, 12, 31))
    raise KeyError(name)
