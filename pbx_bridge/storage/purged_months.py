"""The counts of purged months, read back from the aggregates `purge` folded them into.

A threshold counts for a month only where every folded call of a group was counted with it;
otherwise (a threshold configured after part of the month was purged) it is unknown (None).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection, and_, func, literal, select
from sqlalchemy.sql.elements import ColumnElement

from pbx_bridge.core.calls import Outcome
from pbx_bridge.core.kpis import CallCounts, KpiThresholds
from pbx_bridge.storage.models import NONE_KEY, monthly_aggregates, monthly_service_levels

_SUMS = ("calls", "answered", "short_abandons", "wait_answered_s")


@dataclass(frozen=True)
class PurgedGroup:
    tenant: str | None
    department: str | None
    outcome: Outcome
    month: str
    counts: CallCounts


@dataclass
class PurgedCounts:
    groups: list[PurgedGroup] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _scope(column: ColumnElement[str], tenant: str | None) -> ColumnElement[bool]:
    return literal(True) if tenant is None else column == tenant


def purged_counts(
    connection: Connection, tenant: str | None, months: Sequence[str], thresholds: KpiThresholds
) -> PurgedCounts:
    """Every (tenant, department, outcome, month) group of `months` with its counts."""
    agg, levels = monthly_aggregates.c, monthly_service_levels.c
    keys = (agg.tenant, agg.department, agg.outcome, agg.month)
    where = and_(agg.month.in_(months), _scope(agg.tenant, tenant))
    sums = [func.sum(agg[name]).label(name) for name in _SUMS]
    rows = connection.execute(select(*keys, *sums).where(where).group_by(*keys)).all()
    if not rows:
        return PurgedCounts()
    level_keys = (
        levels.tenant,
        levels.department,
        levels.outcome,
        levels.month,
        levels.threshold_s,
    )
    level_where = and_(
        levels.month.in_(months),
        _scope(levels.tenant, tenant),
        levels.threshold_s.in_(thresholds.service_levels_s),
    )
    level_sums = (func.sum(levels.calls), func.sum(levels.answered_within))
    within: dict[tuple[str, str, str, str, int], tuple[int, int]] = {
        (row[0], row[1], row[2], row[3], int(row[4])): (int(row[5]), int(row[6]))
        for row in connection.execute(
            select(*level_keys, *level_sums).where(level_where).group_by(*level_keys)
        )
    }
    found = PurgedCounts()
    unknown: dict[int, set[str]] = {}
    for row in rows:
        group_within: dict[int, int | None] = {}
        for threshold in thresholds.service_levels_s:
            counted, answered_within = within.get((*row[:4], threshold), (0, 0))
            known = counted == int(row.calls)
            group_within[threshold] = answered_within if known else None
            if not known:
                unknown.setdefault(threshold, set()).add(row.month)
        outcome = Outcome(row.outcome)
        counts = CallCounts.of_group(
            outcome,
            calls=int(row.calls),
            answered=int(row.answered),
            within=group_within,
            short_abandons=int(row.short_abandons),
            wait_answered_s=float(row.wait_answered_s),
        )
        found.groups.append(
            PurgedGroup(row.tenant or None, row.department or None, outcome, row.month, counts)
        )
    for threshold, unknown_months in sorted(unknown.items()):
        found.notes.append(
            f"service level {threshold} s is unknown for {_month_list(unknown_months)}: "
            "purged before this threshold was configured"
        )
    found.notes.extend(_other_short_abandon_notes(connection, tenant, months, thresholds))
    return found


def _month_list(months: set[str]) -> str:
    ordered = sorted(months)
    return (
        ordered[0]
        if len(ordered) == 1
        else f"{ordered[0]} to {ordered[-1]} ({len(ordered)} months)"
    )


def _other_short_abandon_notes(
    connection: Connection, tenant: str | None, months: Sequence[str], thresholds: KpiThresholds
) -> list[str]:
    agg = monthly_aggregates.c
    where = and_(
        agg.month.in_(months),
        _scope(agg.tenant, tenant),
        agg.short_abandon_s != thresholds.short_abandon_s,
    )
    folded = connection.execute(select(agg.short_abandon_s).where(where).distinct()).scalars()
    return [
        f"purged months were folded with short abandons under {short} s; "
        "their abandon figures use that threshold"
        for short in sorted(folded)
    ]


def tenant_key(tenant: str | None) -> str:
    """The aggregates' key for a tenant ('' for calls no tenant claimed)."""
    return NONE_KEY if tenant is None else tenant
