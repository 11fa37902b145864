"""Purge: details past retention go, the year's report stays exactly the same."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, timedelta

import pytest
from sqlalchemy import func, select

from pbx_bridge.core.calls import Outcome
from pbx_bridge.core.kpis import KpiThresholds, service_level_percent
from pbx_bridge.storage import CallLog, Report
from pbx_bridge.storage.models import calls, monthly_aggregates, tickets, wrapups
from tests.load.generate_calls import TenantMix, generate
from tests.unit.core.factories import at
from tests.unit.storage.builders import NODE, answered, wrapup

YEAR = (date(2019, 1, 1), date(2019, 12, 31))
# Now is mid-2020, so 180 days of retention purge everything up to early January 2020.
NOW = at("2020-07-01T12:00")
RETENTION = timedelta(days=180)


def count(log: CallLog, table: object) -> int:
    with log.engine.connect() as connection:
        found: int = connection.execute(select(func.count()).select_from(table)).scalar_one()  # type: ignore[arg-type]
        return found


def fill(log: CallLog) -> None:
    mixes = [
        TenantMix("gifhorn", {"Zentrale": 700, "Kfz-Zulassung": 300}),
        TenantMix("meinersen", {"Zentrale": 250}),
        TenantMix(None, {None: 20}, {Outcome.UNROUTED: 1.0}),
    ]
    generate(log.engine, mixes, date(2019, 1, 1), date(2020, 6, 30), seed=7)
    # Tickets: one done on time, one late, one still open (from January 2019).
    for index, day in enumerate(["07", "08", "09"]):
        call = answered(f"ticket{index}", f"2019-01-{day}T10:00")
        log.write_record(call)
        result = log.apply_wrapup(wrapup(call, Outcome.CALLBACK, caller_full="+4953711"), NODE)
        assert result.ticket_id is not None
        if index < 2:
            done = call.ended + timedelta(hours=2 if index == 0 else 72)
            log.mark_done(result.ticket_id, done)


def figures(report: Report) -> dict[str, object]:
    """Everything a report shows; ASA rounded (float sums may differ in the last bits)."""
    counts = asdict(report.counts)
    counts["wait_answered_s"] = round(counts["wait_answered_s"], 6)
    return {
        "counts": counts,
        "months": report.months,
        "tenants": dict(report.tenants),
        "departments": dict(report.departments),
        "outcomes": dict(report.outcomes),
        "hours": report.hours,
        "weekdays": report.weekdays,
        "tickets": report.tickets,
    }


@pytest.mark.parametrize("tenant", ["gifhorn", None])
def test_a_years_report_is_the_same_before_and_after_purge(
    call_log: CallLog, tenant: str | None
) -> None:
    fill(call_log)
    before = call_log.report(tenant=tenant, first=YEAR[0], last=YEAR[1], now=NOW)
    assert before.total_calls > 0
    purged = call_log.purge(RETENTION, NOW)
    assert purged.calls > before.total_calls * 0.9
    after = call_log.report(tenant=tenant, first=YEAR[0], last=YEAR[1], now=NOW)
    assert figures(after) == figures(before)
    assert after.notes == []


def test_purge_deletes_details_and_keeps_newer_ones(call_log: CallLog) -> None:
    fill(call_log)
    total = count(call_log, calls)
    purged = call_log.purge(RETENTION, NOW)
    assert purged.cutoff == NOW.astimezone(UTC) - RETENTION  # elapsed time, not wall clock
    assert count(call_log, calls) == total - purged.calls
    with call_log.engine.connect() as connection:
        oldest = connection.execute(select(func.min(calls.c.started))).scalar_one()
    assert oldest >= purged.cutoff
    assert call_log.list_calls(last=date(2019, 12, 31)) == []


def test_open_tickets_stay_done_ones_are_folded(call_log: CallLog) -> None:
    fill(call_log)
    purged = call_log.purge(RETENTION, NOW)
    assert purged.tickets == 2
    (still_open,) = call_log.list_tickets()
    assert still_open.caller_full == "+4953711"  # the callback is still owed
    assert count(call_log, tickets) == 1
    assert count(call_log, wrapups) == 0
    assert purged.wrapups == 3


def test_purging_twice_counts_nothing_twice(call_log: CallLog) -> None:
    fill(call_log)
    call_log.purge(RETENTION, NOW)
    folded = count(call_log, monthly_aggregates)
    before = call_log.report(tenant=None, first=YEAR[0], last=YEAR[1], now=NOW)
    again = call_log.purge(RETENTION, NOW)
    assert (again.calls, again.tickets) == (0, 0)
    assert count(call_log, monthly_aggregates) == folded
    after = call_log.report(tenant=None, first=YEAR[0], last=YEAR[1], now=NOW)
    assert figures(after) == figures(before)


def test_purge_in_steps_adds_up_like_one_purge(call_log: CallLog) -> None:
    fill(call_log)
    before = call_log.report(tenant="gifhorn", first=YEAR[0], last=YEAR[1], now=NOW)
    # Mid-month cutoffs: months are folded in two parts and must add up.
    call_log.purge(timedelta(days=400), NOW)
    call_log.purge(timedelta(days=300), NOW)
    call_log.purge(RETENTION, NOW)
    after = call_log.report(tenant="gifhorn", first=YEAR[0], last=YEAR[1], now=NOW)
    assert figures(after) == figures(before)


def test_dry_run_counts_and_changes_nothing(call_log: CallLog) -> None:
    fill(call_log)
    total = count(call_log, calls)
    dry = call_log.purge(RETENTION, NOW, dry_run=True)
    assert dry.calls > 0
    assert count(call_log, calls) == total
    assert count(call_log, monthly_aggregates) == 0
    assert call_log.purge(RETENTION, NOW).calls == dry.calls


def test_partly_purged_month_is_noted_in_a_report_that_splits_it(call_log: CallLog) -> None:
    fill(call_log)
    call_log.purge(RETENTION, NOW)
    report = call_log.report(tenant="gifhorn", first=date(2019, 4, 15), last=YEAR[1], now=NOW)
    assert any("2019-04 is partly purged" in note for note in report.notes)
    assert report.months["2019-04"] == 0  # its purged calls cannot be split by day


def test_a_threshold_configured_after_the_purge_is_unknown_not_zero(url: str) -> None:
    old = CallLog(url, thresholds=KpiThresholds(service_levels_s=(30,)))
    old.upgrade()
    fill(old)
    old.purge(RETENTION, NOW)
    old.close()
    current = CallLog(url, thresholds=KpiThresholds(service_levels_s=(20, 30)))
    report = current.report(tenant="gifhorn", first=YEAR[0], last=YEAR[1], now=NOW)
    current.close()
    assert report.counts.answered_within_s(20) is None
    assert service_level_percent(report.counts, 20) is None
    assert (report.counts.answered_within_s(30) or 0) > 0
    assert any(
        note.startswith("service level 20 s is unknown for 2019-01 to 2019-12 (12 months)")
        for note in report.notes
    )
