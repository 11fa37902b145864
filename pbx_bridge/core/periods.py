"""Report periods: the local calendar month, ISO week or day a call belongs to."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum


class Period(StrEnum):
    MONTH = "month"  # 2026-11
    WEEK = "week"  # 2026-W45 (ISO 8601: weeks start on Monday, week 1 holds 4 January)
    DAY = "day"  # 2026-11-02


def period_of(day: date, by: Period) -> str:
    if by is Period.MONTH:
        return f"{day.year:04d}-{day.month:02d}"
    if by is Period.WEEK:
        year, week, _ = day.isocalendar()
        return f"{year:04d}-W{week:02d}"
    return day.isoformat()


def periods_between(first: date, last: date, by: Period) -> list[str]:
    """Every period the inclusive range first..last touches, in order, none left out."""
    periods: dict[str, None] = {}
    day = first
    while day <= last:
        periods[period_of(day, by)] = None
        # A month or week is named by any of its days: jump to the next one's first day.
        if by is Period.MONTH:
            day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
        elif by is Period.WEEK:
            day += timedelta(days=7 - day.weekday())
        else:
            day += timedelta(days=1)
    return list(periods)
