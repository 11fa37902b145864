"""Report figures from the database, checked against hand-counted call logs."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from pbx_bridge.core.calls import Outcome
from pbx_bridge.core.kpis import (
    KpiThresholds,
    abandon_rate_percent,
    asa_s,
    service_level_percent,
)
from pbx_bridge.storage import CallLog, TicketCounts
from tests.unit.core.factories import at
from tests.unit.storage.builders import NODE, answered, unanswered, wrapup

APRIL = (date(2019, 4, 1), date(2019, 4, 30))
NOW = at("2019-06-01T00:00")


def fill(log: CallLog) -> None:
    """Gifhorn in April 2019: 10 calls; Meinersen: 2; one unrouted call."""
    for index, wait in enumerate([5.0, 10.0, 20.0, 21.0, 40.0]):  # 3 within 20 s (20 counts)
        log.write_record(answered(f"g{index}", f"2019-04-0{index + 1}T09:00", wait_s=wait))
    log.write_record(answered("g5", "2019-04-08T10:00", wait_s=4.0, department="Kfz-Zulassung"))
    log.write_record(unanswered("g6", Outcome.ABANDONED, "2019-04-08T10:05", wait_s=3.0))  # short
    log.write_record(unanswered("g7", Outcome.ABANDONED, "2019-04-08T10:10", wait_s=5.0))  # not
    log.write_record(unanswered("g8", Outcome.OVERFLOW, "2019-04-08T10:15", wait_s=300.0))
    log.write_record(unanswered("g9", Outcome.CLOSED, "2019-04-08T19:00", wait_s=None))
    log.write_record(answered("m0", "2019-04-02T09:00", tenant="meinersen", wait_s=100.0))
    log.write_record(unanswered("m1", Outcome.ABANDONED, "2019-04-02T09:00", tenant="meinersen"))
    log.write_record(
        unanswered("u0", Outcome.UNROUTED, "2019-04-02T09:00", tenant=None, wait_s=None)
    )
    log.write_record(answered("g-may", "2019-05-02T09:00"))  # outside April


def test_kpis_follow_the_documented_definitions(call_log: CallLog) -> None:
    fill(call_log)
    report = call_log.report(tenant="gifhorn", first=APRIL[0], last=APRIL[1], now=NOW)
    assert report.total_calls == 10
    counts = report.counts
    # offered: 10 calls - 1 closed - 1 short abandon = 8
    assert counts.offered == 8
    assert counts.answered == 6 and counts.answered_within == 4  # waits 5, 10, 20, 4
    assert service_level_percent(counts) == pytest.approx(50.0)
    assert asa_s(counts) == pytest.approx((5 + 10 + 20 + 21 + 40 + 4) / 6)
    assert abandon_rate_percent(counts) == pytest.approx(100 * 1 / 8)
    assert dict(report.outcomes) == {
        Outcome.RESOLVED: 6,
        Outcome.ABANDONED: 2,
        Outcome.OVERFLOW: 1,
        Outcome.CLOSED: 1,
    }
    assert dict(report.departments) == {("gifhorn", "Zentrale"): 9, ("gifhorn", "Kfz-Zulassung"): 1}


def test_tenant_scopes_everything(call_log: CallLog) -> None:
    fill(call_log)
    meinersen = call_log.report(tenant="meinersen", first=APRIL[0], last=APRIL[1], now=NOW)
    assert meinersen.total_calls == 2
    assert dict(meinersen.tenants) == {"meinersen": 2}
    assert sum(meinersen.hours) == sum(meinersen.weekdays) == sum(meinersen.months.values()) == 2
    assert meinersen.counts.answered == 1


def test_all_tenants_includes_unrouted_calls(call_log: CallLog) -> None:
    fill(call_log)
    report = call_log.report(tenant=None, first=APRIL[0], last=APRIL[1], now=NOW)
    assert report.total_calls == 13
    assert dict(report.tenants) == {"gifhorn": 10, "meinersen": 2, None: 1}
    assert report.counts.offered == 13 - 1 - 1 - 1  # closed, unrouted, short abandon


def test_months_are_listed_even_without_calls(call_log: CallLog) -> None:
    fill(call_log)
    report = call_log.report(
        tenant="gifhorn", first=date(2019, 3, 1), last=date(2019, 5, 31), now=NOW
    )
    assert report.months == {"2019-03": 0, "2019-04": 10, "2019-05": 1}


def test_wrapups_move_calls_between_outcomes_without_adding_any(call_log: CallLog) -> None:
    fill(call_log)
    call = answered("g1", "2019-04-02T09:00", wait_s=10.0)
    call_log.apply_wrapup(wrapup(call, Outcome.CALLBACK, department="Soziales"), NODE)
    report = call_log.report(tenant="gifhorn", first=APRIL[0], last=APRIL[1], now=NOW)
    assert report.total_calls == 10
    assert report.outcomes[Outcome.RESOLVED] == 5 and report.outcomes[Outcome.CALLBACK] == 1
    assert report.departments[("gifhorn", "Soziales")] == 1


def test_tickets_on_time_late_and_open(call_log: CallLog) -> None:
    ids = []
    for index, day in enumerate(["01", "02", "03", "04"]):  # Mon..Thu: due next day 18:00
        call = answered(f"t{index}", f"2019-04-{day}T09:00")
        call_log.write_record(call)
        result = call_log.apply_wrapup(wrapup(call, Outcome.CALLBACK), NODE)
        assert result.ticket_id is not None
        ids.append(result.ticket_id)
    call_log.mark_done(ids[0], at("2019-04-02T17:00"))  # on time
    call_log.mark_done(ids[1], at("2019-04-04T08:00"))  # late
    report = call_log.report(
        tenant="gifhorn", first=APRIL[0], last=APRIL[1], now=at("2019-04-05T12:00")
    )
    # t2 (due Thu 18:00) is overdue at Friday noon; t3 (due Fri 18:00) is not yet.
    assert report.tickets == TicketCounts(on_time=1, late=1, open=2, open_overdue=1)
    other = call_log.report(tenant="meinersen", first=APRIL[0], last=APRIL[1], now=NOW)
    assert other.tickets == TicketCounts()


def test_thresholds_come_from_the_call_log(url: str) -> None:
    log = CallLog(url, thresholds=KpiThresholds(service_levels_s=(30,), short_abandon_s=0))
    log.upgrade()
    log.write_record(answered("a", "2019-04-01T09:00", wait_s=25.0))
    log.write_record(unanswered("b", Outcome.ABANDONED, "2019-04-01T09:00", wait_s=1.0))
    report = log.report(tenant="gifhorn", first=APRIL[0], last=APRIL[1], now=NOW)
    log.close()
    assert report.counts.answered_within == 1
    assert report.counts.short_abandons == 0
    assert report.counts.offered == 2


def test_empty_period_has_no_figures_rather_than_zero(call_log: CallLog) -> None:
    report = call_log.report(
        tenant="gifhorn", first=APRIL[0], last=APRIL[0] + timedelta(1), now=NOW
    )
    assert report.total_calls == 0
    assert service_level_percent(report.counts) is None
    assert asa_s(report.counts) is None
