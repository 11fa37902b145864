"""The live counts: every write keeps them exact, so a report from them is the raw report.

Random call sets of several nodes on SQLite and PostgreSQL go through every writer of
`calls` (the record writer with its rewrites, wrap-ups, CDR records, history imports, purge,
a bulk load); then reports over many tenants, nodes, ranges (DST days included), thresholds
and series must equal the same reports computed from the raw calls, and the counts must
equal a rebuild from scratch.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import asdict
from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from itertools import cycle, product
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import insert, select, text

from pbx_bridge.core.calls import WRAPUP_OUTCOMES, CallRecord, Outcome, Wrapup
from pbx_bridge.core.kpis import CallCounts, KpiThresholds
from pbx_bridge.core.periods import Period
from pbx_bridge.reporting.figures import as_json
from pbx_bridge.storage import CallLog, Report, ReportQuery
from pbx_bridge.storage.call_counts import COUNTED_TABLES
from pbx_bridge.storage.models import calls
from pbx_bridge.storage.reports import build_report
from pbx_bridge.storage.schema import CountsZoneError, upgrade
from tests.unit.core.factories import BERLIN, wolfsburg_directory
from tests.unit.storage.builders import NODE
from tests.unit.storage.raw_report import raw_report

DAYS = [
    date(2026, 1, 14),
    date(2026, 2, 9),
    date(2026, 2, 28),
    date(2026, 3, 29),  # summer time begins: 02:00 local does not exist
    date(2026, 6, 30),
    date(2026, 10, 25),  # summer time ends: 02:00 to 03:00 local happens twice
    date(2026, 12, 31),
]
WAITS = [None, -0.5, 0.0, 0.5, 4.0, 4.999, 5.0, 5.0001, 19.5, 20.0, 20.0000001, 59.99, 60.0]
WAITS += [599.9, 600.0, 600.2, 601.0, 3600.0]
TENANTS = ["gifhorn", "wolfsburg", None]
NODES = [NODE, "ast2", "ast3"]
# Every node, and each node that wrote calls (history imports write their own).
QUERIED_NODES = [None, *NODES, "history"]
DEPARTMENTS = ["Zentrale", "Kfz-Zulassung", None]
ANSWERED = {Outcome.RESOLVED, Outcome.TRANSFERRED, Outcome.CALLBACK}
THRESHOLDS = [
    KpiThresholds(),
    KpiThresholds((600, 1, 5, 599), 0),
    KpiThresholds((19, 20, 21), 60),
]
RANGES = [
    (date(2026, 1, 1), date(2026, 12, 31)),
    (date(2026, 3, 29), date(2026, 3, 29)),
    (date(2026, 10, 25), date(2026, 10, 26)),
    (date(2026, 2, 5), date(2026, 3, 31)),
]
NOW = datetime(2027, 1, 2, 12, 0, tzinfo=UTC)


def _started(rng: random.Random) -> datetime:
    """Around a local midnight or a DST change, so a wrong offset moves calls between days."""
    day = rng.choice(DAYS)
    local = datetime.combine(day, time(0), BERLIN)
    seconds = rng.choice([rng.uniform(-5400, 5400), rng.uniform(0, 86400)])
    return (local + timedelta(seconds=seconds)).astimezone(UTC)


def _record(rng: random.Random, call_id: str, **fields: Any) -> CallRecord:
    outcome = rng.choice(list(Outcome))
    wait = rng.choice([*WAITS, rng.uniform(0, 120)])
    started = _started(rng)
    # Mostly answered calls carry an answer; now and then an odd one (a closed call answered).
    answered = outcome in ANSWERED if rng.random() < 0.9 else rng.random() < 0.5
    values: dict[str, Any] = {
        "call_id": call_id,
        "node": rng.choice(NODES),
        "started": started,
        "ended": started + timedelta(minutes=3),
        "outcome": outcome,
        "tenant": rng.choice(TENANTS),
        "department": rng.choice(DEPARTMENTS),
        "queued": started,
        "answered": started + timedelta(seconds=max(wait or 0, 0)) if answered else None,
        "wait_s": wait,
    }
    values.update(fields)
    return CallRecord(**values)


def _history_row(rng: random.Random, index: int) -> dict[str, Any]:
    record = _record(rng, f"hist{index}", node="history")
    row = {
        key: getattr(record, key)
        for key in ("node", "call_id", "tenant", "department", "started", "ended")
    }
    row |= {"answered": record.answered, "wait_s": record.wait_s, "queued": record.queued}
    row |= {"outcome": record.outcome.value, "tracked_outcome": record.outcome.value}
    return row


def _fill(log: CallLog, seed: int) -> None:
    rng = random.Random(seed)
    records = [_record(rng, f"c{index}") for index in range(400)]
    log.write_records(records)
    # The tracker's rewrites and the CDR's corrections: the same calls, other facts.
    rewrites = [
        _record(rng, record.call_id, node=record.node, source=rng.choice([None, "cdr"]))
        for record in rng.sample(records, 120)
    ]
    log.write_records(rewrites)
    for record in rng.sample(records, 80):
        wrapup = Wrapup(
            record.call_id,
            rng.choice(sorted(WRAPUP_OUTCOMES)),
            record.ended + timedelta(minutes=1),
            department=rng.choice(["Bauamt", None]),
        )
        log.apply_wrapup(wrapup, record.node)
    imported = [_history_row(rng, index) for index in range(100)]
    problems: list[object] = []
    assert log.import_history(imported, problems.append).written == 100
    assert log.import_history(imported[:40], problems.append).written == 40  # again: updates
    # Bulk loads (the load generator's, a restore) go past every Python writer.
    with log.engine.begin() as connection:
        bulk = [_record(rng, f"bulk{index}") for index in range(50)]
        rows = [asdict(record) | {"tracked_outcome": record.outcome.value} for record in bulk]
        for row in rows:
            row.pop("callback_to")
        connection.execute(insert(calls), rows)
    # Purge folds January and part of February; the counts lose those calls.
    cutoff = datetime(2026, 2, 20, tzinfo=BERLIN)
    log.purge(NOW - cutoff, NOW)


def _normalised(counts: CallCounts) -> dict[str, Any]:
    found = asdict(counts)
    found["wait_answered_s"] = round(found["wait_answered_s"], 6)  # float sums' last bits
    return found


def _shown(report: Report) -> dict[str, Any]:
    data = as_json(report)
    data["counts"] = _normalised(report.counts)
    data["weekday_hours"] = report.weekday_hours
    data["series_counts"] = {p: _normalised(f.counts) for p, f in report.series.items()}
    data["series_outcomes"] = {p: dict(f.outcomes) for p, f in report.series.items()}
    data["tenant_counter"] = dict(report.tenants)
    data["department_counter"] = dict(report.departments)
    return data


def _assert_reports_match_raw(log: CallLog, zone: ZoneInfo = BERLIN) -> int:
    """Compares every report of the grid; returns how many calls the node reports counted."""
    compared = 0
    with log.engine.connect() as connection:
        for tenant, node in product([None, *TENANTS[:2]], QUERIED_NODES):
            # The node filter is the same for every threshold: one node report per range has
            # each, the report of every node all of them.
            grid = (
                product(RANGES, THRESHOLDS)
                if node is None
                else zip(RANGES, cycle(THRESHOLDS), strict=False)
            )
            for ((first, last), thresholds), by in product(grid, [None, *Period]):
                query = ReportQuery(tenant, first, last, zone, thresholds, NOW, by, node)
                counted = build_report(connection, query)
                assert _shown(counted) == _shown(raw_report(connection, query)), query
                compared += counted.total_calls if node is not None else 0
    return compared


def _assert_nodes_add_up(log: CallLog) -> None:
    """Away from purged months (which have no node) the nodes' reports add up to the whole."""
    first, last = date(2026, 3, 1), date(2026, 12, 31)
    whole = log.report(tenant=None, first=first, last=last, now=NOW)
    parts = [
        log.report(tenant=None, first=first, last=last, now=NOW, node=node)
        for node in [*NODES, "history"]
    ]
    assert whole.total_calls > 300
    assert whole.total_calls == sum(part.total_calls for part in parts)
    assert whole.outcomes == sum((part.outcomes for part in parts), Counter[Outcome]())
    assert whole.weekday_hours == [
        [sum(part.weekday_hours[day][hour] for part in parts) for hour in range(24)]
        for day in range(7)
    ]


def _counts(log: CallLog) -> dict[str, list[tuple[Any, ...]]]:
    found = {}
    with log.engine.connect() as connection:
        for table in COUNTED_TABLES:
            rows = connection.execute(select(table).order_by(*table.primary_key.columns))
            found[table.name] = [
                tuple(round(v, 6) if isinstance(v, float) else v for v in row) for row in rows
            ]
    return found


def _live(log: CallLog) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The non-zero rows of call_hours (tenant, node, calls) and call_waits (with the class)."""
    with log.engine.connect() as connection:
        hours = connection.execute(text("SELECT tenant, node, calls FROM call_hours")).all()
        waits = connection.execute(
            text("SELECT tenant, node, wait_class, answered, abandoned FROM call_waits")
        ).all()
    return [tuple(h) for h in hours if h[2]], [tuple(w) for w in waits if w[3] or w[4]]


@pytest.mark.parametrize("seed", [1, 2])
def test_reports_from_counts_equal_reports_from_raw_calls(call_log: CallLog, seed: int) -> None:
    _fill(call_log, seed)
    assert _assert_reports_match_raw(call_log) > 1000  # the node queries found calls to compare
    _assert_nodes_add_up(call_log)
    kept = _counts(call_log)
    assert call_log.rebuild_counts() > 300
    assert _counts(call_log) == kept


def test_counts_of_a_call_move_with_its_updates_and_go_with_its_deletion(
    call_log: CallLog,
) -> None:
    rng = random.Random(3)
    fields: dict[str, Any] = {"node": NODE, "outcome": Outcome.RESOLVED, "wait_s": 12.5}
    call_log.write_record(_record(rng, "one", tenant="gifhorn", **fields))
    fields |= {"outcome": Outcome.ABANDONED, "wait_s": 3.0}
    call_log.write_record(_record(rng, "one", tenant="wolfsburg", **fields))
    assert _live(call_log) == ([("wolfsburg", NODE, 1)], [("wolfsburg", NODE, 6, 0, 1)])
    with call_log.engine.begin() as connection:  # a node renamed by hand moves its counts
        connection.execute(text("UPDATE calls SET node = 'ast-renamed'"))
    assert _live(call_log) == (
        [("wolfsburg", "ast-renamed", 1)],
        [("wolfsburg", "ast-renamed", 6, 0, 1)],
    )
    with call_log.engine.begin() as connection:
        connection.execute(text("DELETE FROM calls"))
    with call_log.engine.connect() as connection:
        for table in COUNTED_TABLES:
            sums = [c for c in table.columns if not c.primary_key]
            for row in connection.execute(select(*sums)):
                assert not any(row), (table.name, row)


def test_the_migration_counts_the_calls_already_stored(url: str) -> None:
    log = CallLog(url, directory=wolfsburg_directory())
    upgrade(log.engine, "0005")
    rng = random.Random(4)
    log.write_records([_record(rng, f"old{index}") for index in range(200)])
    log.upgrade()
    assert _assert_reports_match_raw(log) > 200
    log.close()


def test_reports_in_a_changed_zone_are_refused_until_the_counts_are_rebuilt(url: str) -> None:
    log = CallLog(url, directory=wolfsburg_directory())
    log.upgrade()
    log.write_records([_record(random.Random(5), f"z{index}") for index in range(20)])
    log.close()
    elsewhere = CallLog(url)
    elsewhere.zone = ZoneInfo("America/New_York")
    elsewhere.ensure_schema()  # the daemon still starts and writes: routing needs no report
    elsewhere.write_records([_record(random.Random(6), f"y{index}") for index in range(5)])
    year = partial(
        elsewhere.report, tenant=None, first=date(2026, 1, 1), last=date(2026, 12, 31), now=NOW
    )
    with pytest.raises(CountsZoneError, match="pbx-bridge db rebuild-counts"):
        year()
    assert elsewhere.rebuild_counts() == 25
    assert year().total_calls == 25
    assert _assert_reports_match_raw(elsewhere, ZoneInfo("America/New_York")) > 25
    elsewhere.close()
