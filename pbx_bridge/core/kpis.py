"""The supervisors' figures as formulas over additive counts (definitions: docs/statistics.md).

Counts are sums, so the database can aggregate them with GROUP BY and purged months can keep
them in an aggregate table: adding the counts of two sets of calls gives the counts of both.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

from pbx_bridge.core.calls import Outcome

# Calls the center never had the chance to answer: they do not count as offered.
NOT_OFFERED = frozenset({Outcome.CLOSED, Outcome.UNROUTED})


@dataclass(frozen=True)
class KpiThresholds:
    service_level_s: int = 20  # answered with a wait up to this many seconds counts as in time
    short_abandon_s: int = 5  # callers giving up after less than this were never really offered


@dataclass(frozen=True)
class CallCounts:
    """Sums over a set of calls; every field adds up across sets."""

    calls: int = 0
    not_offered: int = 0  # closed and unrouted
    answered: int = 0
    answered_within: int = 0  # answered with wait <= service_level_s
    abandoned: int = 0
    short_abandons: int = 0  # abandoned with wait < short_abandon_s
    wait_answered_s: float = 0.0  # sum of the waits of answered calls

    @classmethod
    def of_group(
        cls,
        outcome: Outcome,
        *,
        calls: int,
        answered: int,
        answered_within: int,
        short_abandons: int,
        wait_answered_s: float,
    ) -> CallCounts:
        """The counts of a group of calls that share one outcome (one GROUP BY row).

        Calls that were never offered (closed, unrouted) count only as calls: an unknown
        number an agent answered must not lift the service level of the offered calls.
        """
        if outcome in NOT_OFFERED:
            return cls(calls=calls, not_offered=calls)
        return cls(
            calls=calls,
            not_offered=0,
            answered=answered,
            answered_within=answered_within,
            abandoned=calls if outcome is Outcome.ABANDONED else 0,
            short_abandons=short_abandons,
            wait_answered_s=wait_answered_s,
        )

    def __add__(self, other: CallCounts) -> CallCounts:
        return CallCounts(
            *(getattr(self, f.name) + getattr(other, f.name) for f in fields(CallCounts))
        )

    @property
    def offered(self) -> int:
        return self.calls - self.not_offered - self.short_abandons


def percent(part: float, whole: float) -> float | None:
    """part/whole in percent; None (not 0) when there is nothing to divide by."""
    return None if whole <= 0 else 100.0 * part / whole


def service_level_percent(counts: CallCounts) -> float | None:
    return percent(counts.answered_within, counts.offered)


def abandon_rate_percent(counts: CallCounts) -> float | None:
    return percent(counts.abandoned - counts.short_abandons, counts.offered)


def asa_s(counts: CallCounts) -> float | None:
    """Average speed of answer: mean wait of answered calls."""
    return None if counts.answered == 0 else counts.wait_answered_s / counts.answered


def months_between(first: date, last: date) -> list[str]:
    """Every calendar month ('YYYY-MM') that the inclusive range first..last touches."""
    if last < first:
        return []
    months: list[str] = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def monthly_average(total: int, months: int) -> float | None:
    """Calls per month over the months of the range, months without calls included."""
    return None if months <= 0 else total / months


def month_fully_inside(month: str, first: date, last: date) -> bool:
    """Whether the whole calendar month 'YYYY-MM' lies inside first..last."""
    year, mon = (int(part) for part in month.split("-"))
    start = date(year, mon, 1)
    end = date(year + 1, 1, 1) if mon == 12 else date(year, mon + 1, 1)
    return first <= start and end.toordinal() - 1 <= last.toordinal()
