"""Report queries over counts: the live calls' (`call_counts`) plus the purged months'.

No query reads a call: the live calls are counted per local day and node (and department
and outcome, hour, or wait class), so a year of one node is at most some tens of thousands
of small rows (most of them wait classes), whatever its calls.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Table, and_, case, func, literal, select
from sqlalchemy.sql.elements import ColumnElement

from pbx_bridge.core.calls import Outcome
from pbx_bridge.core.kpis import CallCounts, KpiThresholds, month_fully_inside, months_between
from pbx_bridge.core.periods import Period, period_of, periods_between
from pbx_bridge.storage.models import (
    call_days,
    call_hours,
    call_waits,
    calls,
    hourly_aggregates,
    monthly_aggregates,
    ticket_aggregates,
    tickets,
)
from pbx_bridge.storage.purged_months import purged_counts, tenant_key


@dataclass(frozen=True)
class ReportQuery:
    tenant: str | None  # None: every tenant, unrouted calls included
    first: date  # inclusive local dates in the center's zone
    last: date
    zone: ZoneInfo
    thresholds: KpiThresholds
    now: datetime  # decides which open tickets are overdue
    by: Period | None = None  # the series' periods; None: no series
    node: str | None = None  # one Asterisk's calls and tickets; None: every node

    @property
    def purged_included(self) -> bool:
        """Purged months' aggregates have no node: they count only in every node's report."""
        return self.node is None

    def bounds(self) -> tuple[datetime, datetime]:
        """[start, end) instants of the local dates first..last."""
        start = datetime.combine(self.first, time(0), self.zone)
        end = datetime.combine(self.last + timedelta(days=1), time(0), self.zone)
        return start, end


@dataclass(frozen=True)
class TicketCounts:
    on_time: int = 0
    late: int = 0
    open: int = 0
    open_overdue: int = 0  # part of `open`


@dataclass
class PeriodFigures:
    """One row of the series: the counts of the calls that started in one period."""

    counts: CallCounts = field(default_factory=CallCounts)
    outcomes: Counter[Outcome] = field(default_factory=Counter)

    def add(self, outcome: Outcome, counts: CallCounts) -> None:
        self.counts += counts
        self.outcomes[outcome] += counts.calls


@dataclass
class Report:
    query: ReportQuery
    counts: CallCounts = field(default_factory=CallCounts)
    months: dict[str, int] = field(default_factory=dict)
    tenants: Counter[str | None] = field(default_factory=Counter)
    departments: Counter[tuple[str | None, str | None]] = field(default_factory=Counter)
    outcomes: Counter[Outcome] = field(default_factory=Counter)
    weekdays: list[int] = field(default_factory=lambda: [0] * 7)
    hours: list[int] = field(default_factory=lambda: [0] * 24)
    weekday_hours: list[list[int]] = field(default_factory=lambda: [[0] * 24 for _ in range(7)])
    tickets: TicketCounts = field(default_factory=TicketCounts)
    notes: list[str] = field(default_factory=list)
    series: dict[str, PeriodFigures] = field(default_factory=dict)

    @property
    def total_calls(self) -> int:
        return self.counts.calls

    def add_group(
        self, tenant: str | None, department: str | None, outcome: Outcome, counts: CallCounts
    ) -> None:
        self.counts += counts
        self.tenants[tenant] += counts.calls
        self.departments[(tenant, department)] += counts.calls
        self.outcomes[outcome] += counts.calls


def build_report(connection: Connection, query: ReportQuery) -> Report:
    report = Report(query, months=dict.fromkeys(months_between(query.first, query.last), 0))
    if query.by is not None:
        periods = periods_between(query.first, query.last, query.by)
        report.series = {period: PeriodFigures() for period in periods}
        _live_series(connection, query, query.by, report)
    _live_counts(connection, query, report)
    _live_profile(connection, query, report)
    full_months = [m for m in report.months if month_fully_inside(m, query.first, query.last)]
    if not query.purged_included:
        _note_node_without_purged(connection, query, list(report.months), report)
        full_months = []
    if full_months:
        _add_purged(connection, query, full_months, report)
        _aggregate_profile(connection, query, full_months, report)
    report.tickets = _tickets(connection, query, full_months)
    partial = [m for m in report.months if m not in full_months]
    if query.purged_included:
        _note_partly_purged(connection, query, partial, report)
    return report


def _scope(column: ColumnElement[Any], tenant: str | None) -> ColumnElement[bool]:
    return literal(True) if tenant is None else column == tenant


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def within_label(threshold: int) -> str:
    return f"within_{threshold}"


def kpi_columns(service_levels_s: Sequence[int], short_abandon_s: int) -> list[ColumnElement[Any]]:
    """count, answered, within_T per threshold, short_abandons, wait_answered_s of a group."""
    answered = calls.c.answered.is_not(None)
    wait = func.coalesce(calls.c.wait_s, 0.0)  # answered without a measured wait: no wait
    return [
        func.count().label("calls"),
        _count_if(answered).label("answered"),
        *(
            _count_if(and_(answered, wait <= threshold)).label(within_label(threshold))
            for threshold in service_levels_s
        ),
        _count_if(and_(calls.c.outcome == Outcome.ABANDONED.value, wait < short_abandon_s)).label(
            "short_abandons"
        ),
        func.coalesce(func.sum(case((answered, wait), else_=0.0)), 0.0).label("wait_answered_s"),
    ]


def group_counts(
    row: Any, thresholds: KpiThresholds, within: Mapping[int, int | None] | None = None
) -> tuple[Outcome, CallCounts]:
    """The outcome and counts of one GROUP BY row of `kpi_columns` (or of the aggregates)."""
    outcome = Outcome(row.outcome)
    if within is None:
        mapping = row._mapping
        within = {t: int(mapping[within_label(t)]) for t in thresholds.service_levels_s}
    counts = CallCounts.of_group(
        outcome,
        calls=int(row.calls),
        answered=int(row.answered),
        within=within,
        short_abandons=int(row.short_abandons),
        wait_answered_s=float(row.wait_answered_s),
    )
    return outcome, counts


def _in_days(table: Table, query: ReportQuery) -> ColumnElement[bool]:
    """The live counts of the query's tenant, node and local days."""
    return and_(
        _scope(table.c.tenant, None if query.tenant is None else tenant_key(query.tenant)),
        _scope(table.c.node, query.node),
        table.c.day >= query.first.isoformat(),
        table.c.day <= query.last.isoformat(),
    )


_DAY_SUMS = (
    func.sum(call_days.c.calls).label("calls"),
    func.sum(call_days.c.answered).label("answered"),
    func.sum(call_days.c.wait_answered_s).label("wait_answered_s"),
)


def _day_group(row: Any, thresholds: KpiThresholds) -> tuple[Outcome, CallCounts]:
    """A group of `call_days` without its waits: those come from `call_waits` (`_waits`)."""
    outcome = Outcome(row.outcome)
    counts = CallCounts.of_group(
        outcome,
        calls=int(row.calls),
        answered=int(row.answered),
        within=dict.fromkeys(thresholds.service_levels_s, 0),
        short_abandons=0,
        wait_answered_s=float(row.wait_answered_s),
    )
    return outcome, counts


def _wait_columns(thresholds: KpiThresholds) -> list[ColumnElement[Any]]:
    """Answered within each threshold and short abandons, by the classes of `call_waits`."""
    waits = call_waits.c
    return [
        *(
            func.sum(case((waits.wait_class <= 2 * t, waits.answered), else_=0)).label(
                within_label(t)
            )
            for t in thresholds.service_levels_s
        ),
        func.sum(
            case((waits.wait_class < 2 * thresholds.short_abandon_s, waits.abandoned), else_=0)
        ).label("short_abandons"),
    ]


def _waits(row: Any, thresholds: KpiThresholds) -> CallCounts:
    mapping = row._mapping
    within = tuple((t, int(mapping[within_label(t)] or 0)) for t in thresholds.service_levels_s)
    return CallCounts(short_abandons=int(row.short_abandons or 0), within=within)


def _live_counts(connection: Connection, query: ReportQuery, report: Report) -> None:
    days = call_days.c
    keys = (days.tenant, days.department, days.outcome)
    statement = select(*keys, *_DAY_SUMS).where(_in_days(call_days, query)).group_by(*keys)
    found = False
    for row in connection.execute(statement):
        if int(row.calls) == 0:
            continue  # every call of the group was purged or moved to another group
        outcome, counts = _day_group(row, query.thresholds)
        report.add_group(row.tenant or None, row.department or None, outcome, counts)
        found = True
    if found:
        waits = select(*_wait_columns(query.thresholds)).where(_in_days(call_waits, query))
        report.counts += _waits(connection.execute(waits).one(), query.thresholds)


def _live_series(connection: Connection, query: ReportQuery, by: Period, report: Report) -> None:
    days = call_days.c
    keys = (days.day, days.outcome)
    statement = select(*keys, *_DAY_SUMS).where(_in_days(call_days, query)).group_by(*keys)
    counted: set[str] = set()
    for row in connection.execute(statement):
        if int(row.calls) == 0:
            continue
        outcome, counts = _day_group(row, query.thresholds)
        report.series[period_of(date.fromisoformat(row.day), by)].add(outcome, counts)
        counted.add(row.day)
    wait_day = call_waits.c.day
    statement = (
        select(wait_day, *_wait_columns(query.thresholds))
        .where(_in_days(call_waits, query))
        .group_by(wait_day)
    )
    for row in connection.execute(statement):
        if row.day in counted:
            figures = report.series[period_of(date.fromisoformat(row.day), by)]
            figures.counts += _waits(row, query.thresholds)


def _live_profile(connection: Connection, query: ReportQuery, report: Report) -> None:
    hours = call_hours.c
    keys = (hours.day, hours.hour)
    statement = (
        select(*keys, func.sum(hours.calls).label("calls"))
        .where(_in_days(call_hours, query))
        .group_by(*keys)
    )
    for row in connection.execute(statement):
        day = date.fromisoformat(row.day)
        _add_profile(report, row.day[:7], day.weekday(), int(row.hour), int(row.calls))


def _add_profile(report: Report, month: str, weekday: int, hour: int, count: int) -> None:
    report.months[month] = report.months.get(month, 0) + count
    report.weekdays[int(weekday)] += count
    report.hours[int(hour)] += count
    report.weekday_hours[int(weekday)][int(hour)] += count


def _add_purged(
    connection: Connection, query: ReportQuery, months: list[str], report: Report
) -> None:
    tenant = None if query.tenant is None else tenant_key(query.tenant)
    purged = purged_counts(connection, tenant, months, query.thresholds)
    for group in purged.groups:
        report.add_group(group.tenant, group.department, group.outcome, group.counts)
        if query.by is Period.MONTH:
            report.series[group.month].add(group.outcome, group.counts)
    report.notes.extend(purged.notes)
    if purged.groups and query.by is not None and query.by is not Period.MONTH:
        report.notes.append(
            f"the series by {query.by} leaves out the calls of purged months (only their "
            "monthly counts are kept); the totals include them"
        )


def _aggregate_profile(
    connection: Connection, query: ReportQuery, months: list[str], report: Report
) -> None:
    agg = hourly_aggregates.c
    keys = (agg.month, agg.weekday, agg.hour)
    where = and_(
        agg.month.in_(months),
        literal(True) if query.tenant is None else agg.tenant == tenant_key(query.tenant),
    )
    statement = select(*keys, func.sum(agg.calls).label("calls")).where(where).group_by(*keys)
    for row in connection.execute(statement):
        _add_profile(report, row.month, row.weekday, row.hour, int(row.calls))


def _tickets(connection: Connection, query: ReportQuery, full_months: list[str]) -> TicketCounts:
    start, end = query.bounds()
    t = tickets.c
    state = case(
        (and_(t.status == "open", t.due.is_not(None), t.due < query.now), "overdue"),
        (t.status == "open", "open"),
        (t.due.is_(None) | (t.done_at <= t.due), "on_time"),
        else_="late",
    ).label("state")
    where = and_(
        _scope(t.tenant, query.tenant),
        _scope(t.node, query.node),
        t.created >= start,
        t.created < end,
    )
    statement = select(state, func.count()).where(where).group_by(state)
    found: dict[str, int] = {name: int(count) for name, count in connection.execute(statement)}
    on_time, late = int(found.get("on_time", 0)), int(found.get("late", 0))
    if full_months:
        agg = ticket_aggregates.c
        agg_where = and_(
            agg.month.in_(full_months),
            literal(True) if query.tenant is None else agg.tenant == tenant_key(query.tenant),
        )
        sums = select(func.sum(agg.on_time), func.sum(agg.late)).where(agg_where)
        folded_on_time, folded_late = connection.execute(sums).one()
        on_time += int(folded_on_time or 0)
        late += int(folded_late or 0)
    overdue = int(found.get("overdue", 0))
    return TicketCounts(on_time, late, int(found.get("open", 0)) + overdue, overdue)


def _note_partly_purged(
    connection: Connection, query: ReportQuery, partial: list[str], report: Report
) -> None:
    if not partial:
        return
    agg = monthly_aggregates.c
    where = and_(
        agg.month.in_(partial),
        literal(True) if query.tenant is None else agg.tenant == tenant_key(query.tenant),
    )
    for (month,) in connection.execute(select(agg.month).where(where).distinct()):
        report.notes.append(
            f"{month} is partly purged: its purged calls count only in reports "
            "that cover the whole month"
        )


def _note_node_without_purged(
    connection: Connection, query: ReportQuery, months: list[str], report: Report
) -> None:
    agg = monthly_aggregates.c
    where = and_(
        agg.month.in_(months),
        literal(True) if query.tenant is None else agg.tenant == tenant_key(query.tenant),
    )
    statement = select(agg.month).where(where).distinct().order_by(agg.month)
    for (month,) in connection.execute(statement):
        report.notes.append(
            f"{month} is (partly) purged: its purged calls have no node and count only in "
            "the report of every node"
        )
