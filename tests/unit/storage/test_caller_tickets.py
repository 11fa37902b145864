"""A caller who chose a callback gets the same kind of ticket an agent's wrap-up writes."""

from __future__ import annotations

from pbx_bridge.core.calls import Outcome, TicketSource, TicketStatus
from pbx_bridge.storage import CallLog
from tests.unit.storage.builders import NODE, unanswered


def test_a_caller_callback_record_writes_one_open_ticket_due_by_the_tenants_rule(
    call_log: CallLog,
) -> None:
    record = unanswered(
        "7.1", Outcome.CALLBACK, "2019-04-01T09:00", callback_to="05371820", caller="+495371xxx"
    )
    call_log.write_record(record)
    call_log.write_record(record)  # written twice: still one ticket
    (ticket,) = call_log.list_tickets()
    assert (ticket.source, ticket.status, ticket.tenant) == (
        TicketSource.CALLER,
        TicketStatus.OPEN,
        "gifhorn",
    )
    assert ticket.caller_full == "05371820" and ticket.node == NODE
    assert ticket.due is not None and ticket.due > record.ended
    stored = call_log.get_record(NODE, "7.1")
    assert stored is not None and stored.outcome is Outcome.CALLBACK


def test_the_calls_table_never_holds_the_full_number(call_log: CallLog) -> None:
    record = unanswered("7.2", Outcome.CALLBACK, callback_to="05371820", caller="+495371xxx")
    call_log.write_record(record)
    with call_log.engine.connect() as connection:
        stored = connection.exec_driver_sql("SELECT * FROM calls").all()
    assert stored and all("05371820" not in str(tuple(row)) for row in stored)


def test_other_records_write_no_ticket(call_log: CallLog) -> None:
    call_log.write_record(unanswered("7.3", Outcome.ABANDONED))
    call_log.write_record(unanswered("7.4", Outcome.CALLBACK))  # no number: nobody to call
    assert call_log.list_tickets() == []
