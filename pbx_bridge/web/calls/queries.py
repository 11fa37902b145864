"""Call details for the console: scoped to tenants, filtered, paged, newest first."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, and_, func, literal, select

from pbx_bridge.core.calls import CallRecord, Outcome
from pbx_bridge.storage.models import calls
from pbx_bridge.storage.rows import effective_record


@dataclass(frozen=True)
class CallQuery:
    tenants: Sequence[str] | None  # None: every call, unrouted included (center)
    start: datetime | None
    end: datetime | None
    outcome: Outcome | None
    department: str | None


def _where(query: CallQuery) -> ColumnElement[bool]:
    where: ColumnElement[bool] = literal(True)
    if query.tenants is not None:
        where = and_(where, calls.c.tenant.in_(list(query.tenants)))
    if query.start is not None:
        where = and_(where, calls.c.started >= query.start)
    if query.end is not None:
        where = and_(where, calls.c.started < query.end)
    if query.outcome is not None:
        where = and_(where, calls.c.outcome == query.outcome.value)
    if query.department is not None:
        where = and_(where, calls.c.department == query.department)
    return where


def page_of_calls(
    connection: Connection, query: CallQuery, *, offset: int, limit: int
) -> list[CallRecord]:
    statement = (
        select(calls)
        .where(_where(query))
        .order_by(calls.c.started.desc(), calls.c.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return [effective_record(row) for row in connection.execute(statement)]


def count_calls(connection: Connection, query: CallQuery) -> int:
    statement = select(func.count()).select_from(calls).where(_where(query))
    return int(connection.execute(statement).scalar_one())


def stream_calls(
    connection: Connection, query: CallQuery, batch: int = 1000
) -> Iterator[CallRecord]:
    """Every matching call, oldest first, fetched in batches (exports of any size)."""
    statement = select(calls).where(_where(query)).order_by(calls.c.started, calls.c.id)
    result = connection.execution_options(stream_results=True, yield_per=batch).execute(statement)
    for row in result:
        yield effective_record(row)


def departments(connection: Connection, tenants: Sequence[str] | None) -> list[str]:
    where: ColumnElement[bool] = calls.c.department.is_not(None)
    if tenants is not None:
        where = and_(where, calls.c.tenant.in_(list(tenants)))
    statement = select(calls.c.department).where(where).distinct().order_by(calls.c.department)
    return [str(d) for d in connection.execute(statement).scalars()]
