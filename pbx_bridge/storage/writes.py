"""The write paths: a record and a wrap-up, in either order, end as one counted call.

Both paths lock the call's key first (SQLite: BEGIN IMMEDIATE serialises all writers;
PostgreSQL: a transaction-scoped advisory lock), so a wrap-up arriving while the tracker
writes the record cannot be left pending forever.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any

from sqlalchemy import (
    Connection,
    Executable,
    and_,
    bindparam,
    case,
    func,
    or_,
    select,
    text,
    update,
)

from pbx_bridge.core.calls import CallRecord, Outcome, Wrapup
from pbx_bridge.core.cdr_audit import GUESSED_DETAIL
from pbx_bridge.core.cdr_outcomes import SOURCE as CDR_SOURCE
from pbx_bridge.core.outcomes import latest, merge, refusal_of_outcome
from pbx_bridge.core.schedule import Schedule
from pbx_bridge.core.tickets import caller_ticket, new_ticket
from pbx_bridge.storage.models import calls, tickets, wrapups
from pbx_bridge.storage.rows import (
    RECORD_COLUMNS,
    record_values,
    ticket_values,
    tracked_record,
    wrapup_of,
    wrapup_values,
)
from pbx_bridge.storage.upsert import upsert, upsert_statement

ScheduleOf = Callable[[str | None], Schedule | None]

KEY = ("node", "call_id")
# The tracker's later write replaces these; a value it no longer knows (None) erases nothing.
# `source` too: the record says who wrote it last (AMI, or the CDR's reconciliation).
_REPLACED = ("started", "ended", "outcome", "tracked_outcome", "source")
_KEPT_IF_NONE = (
    *(column for column in RECORD_COLUMNS if column not in (*KEY, *_REPLACED)),
    "tracked_department",
    "tracked_note",
)


class WrapupStatus(StrEnum):
    APPLIED = "applied"  # the record now carries it
    PENDING = "pending"  # stored; applied when the record arrives
    REFUSED = "refused"  # see reason; nothing changed
    SPOOLED = "spooled"  # database unavailable: written to the spool, decided on replay


@dataclass(frozen=True)
class WrapupResult:
    status: WrapupStatus
    reason: str | None = None
    ticket_id: int | None = None


_ADVISORY_LOCK = text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))")


def _lock_call(connection: Connection, node: str, call_id: str) -> None:
    _lock_calls(connection, [(node, call_id)])


def _lock_calls(connection: Connection, keys: Sequence[tuple[str, str]]) -> None:
    if connection.dialect.name == "postgresql":
        # Always in the same order, so two writers locking several calls cannot deadlock.
        ordered = sorted({f"{node}\x1f{call_id}" for node, call_id in keys})
        connection.execute(_ADVISORY_LOCK, [{"key": key} for key in ordered])


def _record_update(excluded: Any) -> dict[str, Any]:
    values: dict[str, Any] = {name: excluded[name] for name in _REPLACED}
    values.update({name: func.coalesce(excluded[name], calls.c[name]) for name in _KEPT_IF_NONE})
    # Effective columns restart from the tracked ones; the wrap-up is re-applied right after.
    values["department"] = func.coalesce(excluded.tracked_department, calls.c.tracked_department)
    values["note"] = func.coalesce(excluded.tracked_note, calls.c.tracked_note)
    # Between the tracker's record and the CDR's, and over a guess, the later replaces the
    # detail too: a guess's "ended while the AMI connection was down" or the CDR's "no
    # measured wait" do not linger.
    replaces_detail = or_(
        calls.c.source == CDR_SOURCE,
        excluded.source == CDR_SOURCE,
        calls.c.detail == GUESSED_DETAIL,
    )
    values["detail"] = case((replaces_detail, excluded.detail), else_=values["detail"])
    # A tracker's guess (its call ended while AMI was down) changes nothing once a writer that
    # saw the end has written: the CDR, or the second daemon of a pair that stayed logged in
    # while this one restarted. A spooled guess written late changes nothing either.
    guess_over_known = and_(
        excluded.detail == GUESSED_DETAIL, calls.c.detail.is_distinct_from(GUESSED_DETAIL)
    )
    return {
        name: case((guess_over_known, calls.c[name]), else_=value) for name, value in values.items()
    }


@cache
def _record_upsert(dialect: str) -> Executable:
    # Built once: building this statement costs more CPU than the database's work. Figure:
    # built per record, it takes about half the tracking daemon's CPU at 100 calls/s, with
    # the GIL held (a profile of the routing-overhead benchmark with tracking).
    return upsert_statement(dialect, calls, KEY, _record_update)


def write_record(connection: Connection, record: CallRecord, schedule_of: ScheduleOf) -> None:
    write_records(connection, [record], schedule_of)


def write_records(
    connection: Connection, records: Sequence[CallRecord], schedule_of: ScheduleOf
) -> None:
    """Each record as if written alone, in order: one upsert per batch of distinct calls."""
    for batch in _distinct_calls(records):
        keys = [(record.node, record.call_id) for record in batch]
        _lock_calls(connection, keys)
        statement = _record_upsert(connection.dialect.name)
        connection.execute(statement, [record_values(record) for record in batch])
        for node, call_id in _with_wrapup(connection, keys):
            _reapply(connection, node, call_id, schedule_of)
        _write_caller_tickets(connection, batch, schedule_of)


def _write_caller_tickets(
    connection: Connection, records: Sequence[CallRecord], schedule_of: ScheduleOf
) -> None:
    """The ticket of each caller who chose a callback; once per call, however often written."""
    for record in records:
        ticket = caller_ticket(record, schedule_of(record.tenant))
        if ticket is not None:
            insert_ticket(connection, ticket_values(ticket))


def _distinct_calls(records: Sequence[CallRecord]) -> Iterator[Sequence[CallRecord]]:
    """Runs of records with no call twice: a later write of a call must see the earlier one
    (its None columns keep the stored values), which one multi-row statement would not."""
    start, seen = 0, set[tuple[str, str]]()
    for index, record in enumerate(records):
        key = (record.node, record.call_id)
        if key in seen:
            yield records[start:index]
            start, seen = index, set()
        seen.add(key)
    if start < len(records):
        yield records[start:]


_WRAPUPS_OF = select(wrapups.c.node, wrapups.c.call_id).where(
    wrapups.c.call_id.in_(bindparam("ids", expanding=True))
)


def _with_wrapup(connection: Connection, keys: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """The calls among `keys` with a stored wrap-up (rare: most calls get none)."""
    call_ids = sorted({call_id for _node, call_id in keys})
    stored = {(row.node, row.call_id) for row in connection.execute(_WRAPUPS_OF, {"ids": call_ids})}
    return [key for key in keys if key in stored]


def apply_wrapup(
    connection: Connection, wrapup: Wrapup, node: str, schedule_of: ScheduleOf
) -> WrapupResult:
    refused = refusal_of_outcome(wrapup)
    if refused is not None:
        return WrapupResult(WrapupStatus.REFUSED, refused)
    _lock_call(connection, node, wrapup.call_id)
    stored = _wrapup_row(connection, node, wrapup.call_id)
    if stored is not None and stored.status != WrapupStatus.REFUSED:
        current = wrapup_of(stored)
        if latest(current, wrapup) is current:
            return WrapupResult(
                WrapupStatus.REFUSED,
                f"superseded by the later wrap-up of {current.at:%Y-%m-%d %H:%M:%S} UTC",
            )
    call = _call_row(connection, node, wrapup.call_id)
    if call is not None:
        decision = merge(tracked_record(call), wrapup)
        if decision.refused is not None:
            return WrapupResult(WrapupStatus.REFUSED, decision.refused)
    values = wrapup_values(wrapup, node) | {"status": WrapupStatus.PENDING.value, "reason": None}
    upsert(connection, wrapups, values, KEY, lambda excluded: {c: excluded[c] for c in values})
    if call is None:
        return WrapupResult(WrapupStatus.PENDING, "the call has no record yet")
    result = _reapply(connection, node, wrapup.call_id, schedule_of)
    assert result is not None
    return result


def _call_row(connection: Connection, node: str, call_id: str) -> Any:
    query = select(calls).where(calls.c.node == node, calls.c.call_id == call_id)
    return connection.execute(query).first()


def _wrapup_row(connection: Connection, node: str, call_id: str) -> Any:
    query = select(wrapups).where(wrapups.c.node == node, wrapups.c.call_id == call_id)
    return connection.execute(query).first()


def _reapply(
    connection: Connection, node: str, call_id: str, schedule_of: ScheduleOf
) -> WrapupResult | None:
    """Apply the stored wrap-up (if any) to the stored record (if any); None: nothing to do."""
    stored = _wrapup_row(connection, node, call_id)
    if stored is None or stored.status == WrapupStatus.REFUSED:
        return None
    call = _call_row(connection, node, call_id)
    if call is None:
        return WrapupResult(WrapupStatus.PENDING, "the call has no record yet")
    where = (wrapups.c.node == node) & (wrapups.c.call_id == call_id)
    record, wrapup = tracked_record(call), wrapup_of(stored)
    decision = merge(record, wrapup)
    if decision.refused is not None:
        # Refused wrap-ups keep no caller number: nobody will call back on them.
        connection.execute(
            update(wrapups)
            .where(where)
            .values(status=WrapupStatus.REFUSED.value, reason=decision.refused, caller_full=None)
        )
        return WrapupResult(WrapupStatus.REFUSED, decision.refused)
    merged = decision.record
    connection.execute(
        update(calls)
        .where(calls.c.id == call.id)
        .values(outcome=merged.outcome.value, department=merged.department, note=merged.note)
    )
    ticket_id = None
    if merged.outcome is Outcome.CALLBACK:
        ticket = new_ticket(record, wrapup, schedule_of(record.tenant))
        ticket_id = insert_ticket(connection, ticket_values(ticket))
    # Once a ticket holds the caller's number, the wrap-up need not keep a copy.
    status = {"status": WrapupStatus.APPLIED.value, "reason": None}
    if ticket_id is not None:
        status["caller_full"] = None
    connection.execute(update(wrapups).where(where).values(**status))
    return WrapupResult(WrapupStatus.APPLIED, ticket_id=ticket_id)


def insert_ticket(connection: Connection, values: dict[str, Any]) -> int:
    """The call's ticket id: inserted now, or the one an earlier wrap-up already wrote."""
    upsert(connection, tickets, values, KEY)
    query = select(tickets.c.id).where(
        tickets.c.node == values["node"], tickets.c.call_id == values["call_id"]
    )
    ticket_id: int = connection.execute(query).scalar_one()
    return ticket_id
