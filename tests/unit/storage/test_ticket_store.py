"""Callback tickets: listed oldest due first, done forgets the caller's number."""

from __future__ import annotations

from datetime import timedelta

from pbx_bridge.core.calls import CallbackTicket, Outcome, TicketStatus
from pbx_bridge.storage import CallLog
from tests.unit.core.factories import at
from tests.unit.storage.builders import NODE, answered, wrapup


def callback(log: CallLog, call_id: str, started: str, tenant: str = "gifhorn") -> int:
    call = answered(call_id, started, tenant=tenant)
    log.write_record(call)
    result = log.apply_wrapup(wrapup(call, Outcome.CALLBACK, caller_full="+4953711999"), NODE)
    assert result.ticket_id is not None
    return result.ticket_id


def test_list_filters_by_tenant_and_overdue(call_log: CallLog) -> None:
    monday = callback(call_log, "1.1", "2019-04-01T09:00")  # due Tue 18:00
    wednesday = callback(call_log, "1.2", "2019-04-03T09:00")  # due Thu 18:00
    other = callback(call_log, "1.3", "2019-04-01T09:00", tenant="meinersen")
    assert [t.id for t in call_log.list_tickets()] == [monday, other, wednesday]
    assert [t.id for t in call_log.list_tickets(tenant="gifhorn")] == [monday, wednesday]
    overdue = call_log.list_tickets(overdue_at=at("2019-04-03T10:00"))
    assert [t.id for t in overdue] == [monday, other]


def test_done_clears_the_full_number_and_keeps_the_first_done_time(call_log: CallLog) -> None:
    ticket_id = callback(call_log, "1.4", "2019-04-01T09:00")
    done = call_log.mark_done(ticket_id, at("2019-04-02T11:00"))
    assert done is not None
    assert (done.status, done.caller_full, done.done_at) == (
        TicketStatus.DONE,
        None,
        at("2019-04-02T11:00"),
    )
    again = call_log.mark_done(ticket_id, at("2019-04-05T11:00"))
    assert again is not None and again.done_at == at("2019-04-02T11:00")
    assert call_log.list_tickets(status=TicketStatus.OPEN) == []
    assert call_log.list_tickets(overdue_at=at("2019-05-01T00:00")) == []


def test_done_ticket_number_does_not_survive_in_the_wrapup(call_log: CallLog) -> None:
    ticket_id = callback(call_log, "1.5", "2019-04-01T09:00")
    call_log.mark_done(ticket_id, at("2019-04-01T12:00"))
    call = answered("1.5", "2019-04-01T09:00")
    call_log.write_record(call)  # re-applying the wrap-up must not bring the number back
    ticket = call_log.get_ticket(ticket_id)
    assert ticket is not None and ticket.caller_full is None


def test_mark_done_of_unknown_ticket_is_none(call_log: CallLog) -> None:
    assert call_log.mark_done(999, at("2019-04-01T12:00")) is None


def test_create_ticket_is_idempotent_per_call(call_log: CallLog) -> None:
    ticket = CallbackTicket(
        call_id="1.6",
        node=NODE,
        tenant="gifhorn",
        department="Soziales",
        caller_full="+4953711",
        note=None,
        created=at("2019-04-01T09:00"),
        due=at("2019-04-02T18:00"),
    )
    first = call_log.create_ticket(ticket)
    second = call_log.create_ticket(ticket)
    assert first.id is not None and first.id == second.id
    assert first.due == ticket.due
    assert len(call_log.list_tickets()) == 1
    assert call_log.list_tickets(overdue_at=ticket.created + timedelta(days=2))
