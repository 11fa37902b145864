"""Wrap-ups in the database: before or after the record, last one wins, never counted twice."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from pbx_bridge.core.calls import Outcome
from pbx_bridge.storage import CallLog, WrapupStatus
from tests.unit.core.factories import at
from tests.unit.storage.builders import NODE, answered, unanswered, wrapup
from tests.unit.storage.test_records import rows


def outcome_of(log: CallLog, call_id: str) -> Outcome:
    record = log.get_record(NODE, call_id)
    assert record is not None
    return record.outcome


def test_wrapup_after_the_record_applies(call_log: CallLog) -> None:
    call = answered("1554102000.20")
    call_log.write_record(call)
    result = call_log.apply_wrapup(wrapup(call, Outcome.TRANSFERRED), NODE)
    assert result.status is WrapupStatus.APPLIED
    assert outcome_of(call_log, call.call_id) is Outcome.TRANSFERRED
    assert rows(call_log) == 1


def test_wrapup_before_the_record_waits_for_it(call_log: CallLog) -> None:
    call = answered("1554102000.21")
    result = call_log.apply_wrapup(
        wrapup(call, Outcome.CALLBACK, after=-timedelta(seconds=20)), NODE
    )
    assert result.status is WrapupStatus.PENDING
    assert rows(call_log) == 0  # a wrap-up alone is not a call
    call_log.write_record(call)
    assert outcome_of(call_log, call.call_id) is Outcome.CALLBACK
    assert len(call_log.list_tickets()) == 1


def test_rewriting_the_record_keeps_the_wrapup(call_log: CallLog) -> None:
    call = answered("1554102000.22")
    call_log.write_record(call)
    call_log.apply_wrapup(wrapup(call, Outcome.TRANSFERRED, department="Bauaufsicht"), NODE)
    call_log.write_record(call)  # e.g. the tracker's resync after an AMI reconnect
    stored = call_log.get_record(NODE, call.call_id)
    assert stored is not None
    assert (stored.outcome, stored.department) == (Outcome.TRANSFERRED, "Bauaufsicht")
    assert rows(call_log) == 1


def test_last_wrapup_wins_and_the_call_counts_once(call_log: CallLog) -> None:
    call = answered("1554102000.23")
    call_log.write_record(call)
    call_log.apply_wrapup(wrapup(call, Outcome.TRANSFERRED, department="Soziales"), NODE)
    call_log.apply_wrapup(wrapup(call, Outcome.RESOLVED, after=timedelta(minutes=10)), NODE)
    stored = call_log.get_record(NODE, call.call_id)
    assert stored is not None
    # The later wrap-up replaces the earlier one whole: its department is the tracked one.
    assert (stored.outcome, stored.department) == (Outcome.RESOLVED, "Zentrale")
    report = call_log.report(
        tenant="gifhorn",
        first=at("2019-04-01T00:00").date(),
        last=at("2019-04-30T00:00").date(),
        now=at("2019-05-01T00:00"),
    )
    assert report.total_calls == 1
    assert dict(report.outcomes) == {Outcome.RESOLVED: 1}


def test_an_earlier_wrapup_delivered_late_is_superseded(call_log: CallLog) -> None:
    call = answered("1554102000.24")
    call_log.write_record(call)
    later = wrapup(call, Outcome.RESOLVED, after=timedelta(minutes=10))
    earlier = wrapup(call, Outcome.CALLBACK, after=timedelta(minutes=1))
    assert call_log.apply_wrapup(later, NODE).status is WrapupStatus.APPLIED
    result = call_log.apply_wrapup(earlier, NODE)
    assert result.status is WrapupStatus.REFUSED
    assert result.reason is not None and "superseded" in result.reason
    assert outcome_of(call_log, call.call_id) is Outcome.RESOLVED
    assert call_log.list_tickets() == []


def test_refused_wrapup_leaves_the_accepted_one(call_log: CallLog) -> None:
    call = answered("1554102000.25")
    call_log.write_record(call)
    call_log.apply_wrapup(wrapup(call, Outcome.TRANSFERRED), NODE)
    too_late = call_log.apply_wrapup(wrapup(call, Outcome.RESOLVED, after=timedelta(hours=1)), NODE)
    assert too_late.status is WrapupStatus.REFUSED
    assert too_late.reason is not None and too_late.reason.startswith("too late")
    assert outcome_of(call_log, call.call_id) is Outcome.TRANSFERRED


def test_wrapup_for_an_unanswered_call_is_refused_with_a_reason(call_log: CallLog) -> None:
    call = unanswered("1554102000.26", Outcome.ABANDONED)
    call_log.write_record(call)
    result = call_log.apply_wrapup(wrapup(call, Outcome.RESOLVED), NODE)
    assert result.status is WrapupStatus.REFUSED
    assert result.reason is not None and "not answered" in result.reason
    assert outcome_of(call_log, call.call_id) is Outcome.ABANDONED


def test_pending_wrapup_refused_when_the_record_shows_a_closed_call(call_log: CallLog) -> None:
    call = unanswered("1554102000.27", Outcome.CLOSED, wait_s=None, detail="holiday")
    pending = call_log.apply_wrapup(wrapup(call, Outcome.CALLBACK, caller_full="+4953711"), NODE)
    assert pending.status is WrapupStatus.PENDING
    call_log.write_record(call)
    assert outcome_of(call_log, call.call_id) is Outcome.CLOSED
    assert call_log.list_tickets() == []


def test_outcome_agents_may_not_set_is_refused_without_a_record(call_log: CallLog) -> None:
    call = answered("1554102000.28")
    result = call_log.apply_wrapup(wrapup(call, Outcome.ABANDONED), NODE)
    assert result.status is WrapupStatus.REFUSED
    call_log.write_record(call)
    assert outcome_of(call_log, call.call_id) is Outcome.RESOLVED


def test_callback_wrapup_writes_exactly_one_ticket(call_log: CallLog) -> None:
    call = answered("1554102000.29", "2019-04-05T16:00")  # a Friday
    call_log.write_record(call)
    first = call_log.apply_wrapup(
        wrapup(call, Outcome.CALLBACK, note="Rückruf", caller_full="+49537112345"), NODE
    )
    again = call_log.apply_wrapup(
        wrapup(call, Outcome.CALLBACK, after=timedelta(minutes=3), caller_full="+49537112345"), NODE
    )
    call_log.write_record(call)
    assert first.ticket_id is not None and again.ticket_id == first.ticket_id
    (ticket,) = call_log.list_tickets()
    assert ticket.due == at("2019-04-08T18:00")  # end of Monday, gifhorn's next working day
    assert (ticket.caller_full, ticket.note, ticket.tenant) == (
        "+49537112345",
        "Rückruf",
        "gifhorn",
    )


def test_ticket_of_an_unknown_tenant_has_no_due_time(call_log: CallLog) -> None:
    call = answered("1554102000.30", tenant="ehemals")
    call_log.write_record(call)
    call_log.apply_wrapup(wrapup(call, Outcome.CALLBACK), NODE)
    (ticket,) = call_log.list_tickets()
    assert ticket.due is None


def test_wrapup_on_another_node_does_not_touch_this_call(call_log: CallLog) -> None:
    call = answered("1554102000.31")
    call_log.write_record(call)
    result = call_log.apply_wrapup(wrapup(call, Outcome.TRANSFERRED), "ast2")
    assert result.status is WrapupStatus.PENDING
    assert outcome_of(call_log, call.call_id) is Outcome.RESOLVED
    call_log.write_record(replace(call, node="ast2"))
    assert outcome_of(call_log, call.call_id) is Outcome.RESOLVED
    assert call_log.get_record("ast2", call.call_id) is not None
