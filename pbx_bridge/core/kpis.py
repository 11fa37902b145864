"""The supervisors' figures as formulas over additive counts (definitions: docs/statistics.md).

Counts are sums, so the database can aggregate them with GROUP BY and purged months can keep
them in an aggregate table: adding the counts of two sets of calls gives the counts of both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import date

from pbx_bridge.core.calls import Outcome

# Calls the center never had the chance to answer: they do not count as offered.
NOT_OFFERED = frozenset({Outcome.CLOSED, Outcome.UNROUTED})

# (threshold in seconds, answered calls with a wait up to it); None: not known for some of the
# calls (a month purged before the threshold was configured). Unknown plus anything is unknown.
Within = tuple[tuple[int, int | None], ...]


@dataclass(frozen=True)
class KpiThresholds:
    # Answered with a wait up to T seconds counts as in time; the first T is `service_level`.
    service_levels_s: tuple[int, ...] = (20,)
    short_abandon_s: int = 5  # callers giving up after less than this were never really offered

    @property
    def service_level_s(self) -> int:
        return self.service_levels_s[0]


@dataclass(frozen=True)
class KpiSettings:
    """The center's thresholds and the tenants that override them."""

    center: KpiThresholds = field(default_factory=KpiThresholds)
    tenants: Mapping[str, KpiThresholds] = field(default_factory=dict)

    def of(self, tenant: str | None) -> KpiThresholds:
        """A tenant's thresholds; the center's for the whole center (tenant None)."""
        return self.center if tenant is None else self.tenants.get(tenant, self.center)

    def every_service_level_s(self) -> tuple[int, ...]:
        """Every threshold any report may ask for: purge keeps counts for all of them."""
        found = dict.fromkeys(self.center.service_levels_s)
        for thresholds in self.tenants.values():
            found.update(dict.fromkeys(thresholds.service_levels_s))
        return tuple(found)


def _add_within(left: CallCounts, right: CallCounts) -> Within:
    mine, theirs = dict(left.within), dict(right.within)
    summed: dict[int, int | None] = {}
    for threshold in (*mine, *(t for t in theirs if t not in mine)):
        # A side without calls contributes 0; a side with calls but no count is unknown.
        a = mine.get(threshold, 0 if left.calls == 0 else None)
        b = theirs.get(threshold, 0 if right.calls == 0 else None)
        summed[threshold] = None if a is None or b is None else a + b
    return tuple(summed.items())


@dataclass(frozen=True)
class CallCounts:
    """Sums over a set of calls; every field adds up across sets."""

    calls: int = 0
    not_offered: int = 0  # closed and unrouted
    answered: int = 0
    abandoned: int = 0
    short_abandons: int = 0  # abandoned with wait < short_abandon_s
    wait_answered_s: float = 0.0  # sum of the waits of answered calls
    resolved: int = 0  # answered calls whose effective outcome is `resolved`
    within: Within = ()  # answered with wait <= T, per threshold T, in the configured order

    @classmethod
    def of_group(
        cls,
        outcome: Outcome,
        *,
        calls: int,
        answered: int,
        within: Mapping[int, int | None],
        short_abandons: int,
        wait_answered_s: float,
    ) -> CallCounts:
        """The counts of a group of calls that share one outcome (one GROUP BY row).

        Calls that were never offered (closed, unrouted) count only as calls: an unknown
        number an agent answered must not lift the service level of the offered calls.
        """
        if outcome in NOT_OFFERED:
            return cls(
                calls=calls, not_offered=calls, within=tuple(dict.fromkeys(within, 0).items())
            )
        return cls(
            calls=calls,
            not_offered=0,
            answered=answered,
            abandoned=calls if outcome is Outcome.ABANDONED else 0,
            short_abandons=short_abandons,
            wait_answered_s=wait_answered_s,
            resolved=answered if outcome is Outcome.RESOLVED else 0,
            within=tuple(within.items()),
        )

    def __add__(self, other: CallCounts) -> CallCounts:
        sums = {
            f.name: getattr(self, f.name) + getattr(other, f.name)
            for f in fields(CallCounts)
            if f.name != "within"
        }
        return CallCounts(**sums, within=_add_within(self, other))

    @property
    def offered(self) -> int:
        return self.calls - self.not_offered - self.short_abandons

    @property
    def answered_within(self) -> int | None:
        """Answered within the first (the `service_level`) threshold."""
        return self.within[0][1] if self.within else 0

    def answered_within_s(self, threshold: int) -> int | None:
        return dict(self.within).get(threshold, 0 if self.calls == 0 else None)


def percent(part: float | None, whole: float) -> float | None:
    """part/whole in percent; None (not 0) when there is nothing to divide by or no part."""
    return None if whole <= 0 or part is None else 100.0 * part / whole


def service_level_percent(counts: CallCounts, threshold: int | None = None) -> float | None:
    """Answered within T over offered; T the first threshold unless named."""
    within = counts.answered_within if threshold is None else counts.answered_within_s(threshold)
    return percent(within, counts.offered)


def first_contact_resolution_percent(counts: CallCounts) -> float | None:
    """Answered calls resolved without transfer or callback, over answered calls."""
    return percent(counts.resolved, counts.answered)


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
