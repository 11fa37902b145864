"""Callback promise: by the end of the tenant's next working day (hours, holidays, exceptions)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from pbx_bridge.core.calls import Outcome, TicketStatus
from pbx_bridge.core.tickets import is_overdue, new_ticket, ticket_due
from tests.unit.core.factories import at, schedule
from tests.unit.storage.builders import answered, wrapup

NIEDERSACHSEN = schedule({"mon-fri": "07:00-18:00"}, state="NI")


def test_weekday_call_is_due_at_closing_time_the_next_day() -> None:
    assert ticket_due(NIEDERSACHSEN, at("2019-04-02T10:00")) == at("2019-04-03T18:00")


def test_friday_call_is_due_on_monday() -> None:
    assert ticket_due(NIEDERSACHSEN, at("2019-04-05T17:30")) == at("2019-04-08T18:00")


def test_holidays_are_no_working_days() -> None:
    # Thursday before Easter 2019: Good Friday and Easter Monday are holidays.
    assert ticket_due(NIEDERSACHSEN, at("2019-04-18T09:00")) == at("2019-04-23T18:00")
    # Reformationstag (31 Oct) is a holiday in Niedersachsen.
    assert ticket_due(NIEDERSACHSEN, at("2019-10-30T09:00")) == at("2019-11-01T18:00")


def test_a_dated_exception_shortens_the_next_day() -> None:
    short = schedule(
        {"mon-fri": "07:00-18:00"}, exceptions={"2026-12-24": ("07:00-12:00", "Heiligabend")}
    )
    assert ticket_due(short, at("2026-12-23T15:00")) == at("2026-12-24T12:00")


def test_call_after_hours_still_counts_from_its_date() -> None:
    assert ticket_due(NIEDERSACHSEN, at("2019-04-02T22:00")) == at("2019-04-03T18:00")


def test_unknown_tenant_has_no_due_time() -> None:
    assert ticket_due(None, at("2019-04-02T10:00")) is None


def test_due_is_stored_in_utc() -> None:
    due = ticket_due(NIEDERSACHSEN, at("2019-07-01T10:00"))
    assert due is not None and due.utcoffset() == timedelta(0)
    assert due.hour == 16  # 18:00 in Berlin summer time


def test_new_ticket_takes_the_wrapups_number_note_and_department() -> None:
    call = answered("1.1", "2019-04-02T10:00", department="Zentrale")
    done = wrapup(
        call, Outcome.CALLBACK, department="Kfz-Zulassung", note="Halter", caller_full="+4953711"
    )
    ticket = new_ticket(call, done, NIEDERSACHSEN)
    assert (ticket.tenant, ticket.department, ticket.caller_full, ticket.note) == (
        "gifhorn",
        "Kfz-Zulassung",
        "+4953711",
        "Halter",
    )
    assert ticket.created == done.at
    assert ticket.due == at("2019-04-03T18:00")
    assert ticket.status is TicketStatus.OPEN


def test_an_open_ticket_is_overdue_after_its_due_time_and_a_done_one_never() -> None:
    call = answered("1.2", "2019-04-02T10:00")
    ticket = new_ticket(call, wrapup(call, Outcome.CALLBACK), NIEDERSACHSEN)
    assert not is_overdue(ticket, at("2019-04-03T17:59"))
    assert is_overdue(ticket, at("2019-04-03T18:01"))
    late = replace(ticket, status=TicketStatus.DONE, done_at=at("2019-04-04T08:00"))
    assert not is_overdue(late, at("2019-05-01T00:00"))
