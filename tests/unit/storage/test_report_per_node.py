"""Reports of one Asterisk node: its calls and tickets only; the nodes add up to the whole."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from pbx_bridge.core.calls import Outcome
from pbx_bridge.storage import CallLog, TicketCounts
from tests.unit.core.factories import at
from tests.unit.storage.builders import answered, unanswered, wrapup

APRIL = (date(2019, 4, 1), date(2019, 4, 30))
NOW = at("2019-04-05T12:00")


def fill(log: CallLog) -> None:
    """ast-a: 3 calls (one wrapped up with a callback); ast-b: 2 calls; both use id "same"."""
    log.write_record(answered("same", "2019-04-01T09:00", node="ast-a", wait_s=5.0))
    log.write_record(answered("a1", "2019-04-02T10:00", node="ast-a", wait_s=40.0))
    call = answered("a2", "2019-04-03T11:00", node="ast-a")
    log.write_record(call)
    assert log.apply_wrapup(wrapup(call, Outcome.CALLBACK), "ast-a").ticket_id is not None
    log.write_record(answered("same", "2019-04-01T09:00", node="ast-b", tenant="meinersen"))
    log.write_record(unanswered("b1", Outcome.ABANDONED, "2019-04-02T09:00", node="ast-b"))


def test_a_node_counts_only_its_own_calls_and_tickets(call_log: CallLog) -> None:
    fill(call_log)
    a = call_log.report(tenant=None, first=APRIL[0], last=APRIL[1], now=NOW, node="ast-a")
    b = call_log.report(tenant=None, first=APRIL[0], last=APRIL[1], now=NOW, node="ast-b")
    assert a.total_calls == 3 and b.total_calls == 2
    assert dict(a.outcomes) == {Outcome.RESOLVED: 2, Outcome.CALLBACK: 1}
    assert dict(b.outcomes) == {Outcome.RESOLVED: 1, Outcome.ABANDONED: 1}
    assert dict(b.tenants) == {"meinersen": 1, "gifhorn": 1}
    assert a.tickets.open == 1 and b.tickets == TicketCounts()
    assert sum(a.hours) == sum(a.weekdays) == sum(a.months.values()) == 3


def test_the_nodes_add_up_to_the_report_of_every_node(call_log: CallLog) -> None:
    fill(call_log)
    whole = call_log.report(tenant=None, first=APRIL[0], last=APRIL[1], now=NOW)
    parts = [
        call_log.report(tenant=None, first=APRIL[0], last=APRIL[1], now=NOW, node=node)
        for node in ("ast-a", "ast-b")
    ]
    assert whole.total_calls == sum(part.total_calls for part in parts) == 5
    assert whole.outcomes == parts[0].outcomes + parts[1].outcomes
    assert whole.counts.answered == sum(part.counts.answered for part in parts)
    assert whole.tickets.open == sum(part.tickets.open for part in parts)


def test_tenant_and_node_together(call_log: CallLog) -> None:
    fill(call_log)
    report = call_log.report(tenant="gifhorn", first=APRIL[0], last=APRIL[1], now=NOW, node="ast-b")
    assert report.total_calls == 1 and dict(report.outcomes) == {Outcome.ABANDONED: 1}


def test_an_unknown_node_has_no_calls(call_log: CallLog) -> None:
    fill(call_log)
    report = call_log.report(tenant=None, first=APRIL[0], last=APRIL[1], now=NOW, node="ast-z")
    assert report.total_calls == 0 and report.tickets == TicketCounts()


def test_purged_months_count_only_for_every_node_and_say_so(call_log: CallLog) -> None:
    old = [answered(f"old{i}", "2019-01-10T09:00", node="ast-a") for i in range(3)]
    for record in old:
        call_log.write_record(record)
    call_log.write_record(replace(old[0], call_id="new", started=at("2019-04-01T09:00")))
    call_log.purge(timedelta(days=30), at("2019-03-01T00:00"))
    first = date(2019, 1, 1)
    whole = call_log.report(tenant=None, first=first, last=APRIL[1], now=NOW)
    node = call_log.report(tenant=None, first=first, last=APRIL[1], now=NOW, node="ast-a")
    assert whole.total_calls == 4
    assert node.total_calls == 1
    assert any("2019-01" in note and "every node" in note for note in node.notes)
    assert not any("every node" in note for note in whole.notes)
    other = call_log.report(
        tenant="meinersen", first=first, last=APRIL[1], now=NOW, node="ast-a"
    )  # no Meinersen call was purged
    assert other.notes == []
