"""Reconciliation writes what the call log lacks, corrects guesses, and never doubles a call."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime

from sqlalchemy import func, select

from pbx_bridge.cdr.csv_source import CsvSource
from pbx_bridge.cdr.reconcile import Reconciled, reconcile
from pbx_bridge.cdr.settings import CUSTOM_COLUMNS
from pbx_bridge.core.calls import CallRecord, Outcome, TicketSource, Wrapup
from pbx_bridge.core.cdr_audit import GUESSED_DETAIL
from pbx_bridge.core.cdr_outcomes import CdrRow, records_of
from pbx_bridge.core.privacy import PrivacyPolicy
from pbx_bridge.storage import CallLog
from pbx_bridge.storage.models import calls
from tests.unit.cdr.fixture import BERLIN, EVER, MIX, mix_rows

NODE = "pbx1"
POLICY = PrivacyPolicy()


def run(call_log: CallLog) -> Reconciled:
    source = CsvSource(MIX, CUSTOM_COLUMNS, BERLIN)
    return reconcile(
        source, call_log, NODE, privacy=POLICY, region="DE", since=EVER[0], until=EVER[1]
    )


def tracked() -> list[CallRecord]:
    """The mix's calls as the AMI tracker would have written them (source None)."""
    return [
        replace(record, source=None, detail=None, wait_s=3.0)
        for record in records_of(mix_rows(), NODE, POLICY)
    ]


def rows(call_log: CallLog) -> int:
    with call_log.engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(calls)).scalar_one())


def test_every_call_the_log_lacks_is_written_once_however_often_it_runs(
    call_log: CallLog,
) -> None:
    first = run(call_log)
    assert (first.cdr_calls, len(first.missing), len(first.corrected)) == (17, 17, 0)
    again = run(call_log)
    assert (len(again.missing), len(again.corrected)) == (0, 0)
    assert rows(call_log) == 17
    listed = call_log.list_calls()
    assert {record.source for record in listed} == {"cdr"}
    assert sum(record.outcome is Outcome.TRANSFERRED for record in listed) == 2


def test_calls_the_tracker_recorded_keep_its_record(call_log: CallLog) -> None:
    known = tracked()
    call_log.write_records(known[:10])
    result = run(call_log)
    assert len(result.missing) == 7
    assert {r.call_id for r in result.missing} == {r.call_id for r in known[10:]}
    kept = call_log.get_record(NODE, known[0].call_id)
    assert kept is not None and kept.source is None and kept.wait_s == 3.0


def test_an_outcome_guessed_during_an_ami_outage_is_corrected_from_the_cdr(
    call_log: CallLog,
) -> None:
    known = tracked()
    transferred = next(r for r in known if r.outcome is Outcome.TRANSFERRED)
    guessed = replace(transferred, outcome=Outcome.FAILED, detail=GUESSED_DETAIL)
    call_log.write_records([*[r for r in known if r is not transferred], guessed])
    result = run(call_log)
    assert ([r.call_id for r in result.corrected], result.missing) == ([guessed.call_id], [])
    fixed = call_log.get_record(NODE, guessed.call_id)
    assert fixed is not None
    assert (fixed.outcome, fixed.detail, fixed.source) == (Outcome.TRANSFERRED, "clerk-1", "cdr")
    assert rows(call_log) == 17
    assert run(call_log).corrected == []


def test_a_wrap_up_given_before_the_cdr_record_is_applied_to_it(call_log: CallLog) -> None:
    record = records_of(mix_rows(), NODE, POLICY)[0]
    wrapup = Wrapup(record.call_id, Outcome.CALLBACK, record.ended, note="calls back")
    call_log.apply_wrapup(wrapup, NODE)
    run(call_log)
    written = call_log.get_record(NODE, record.call_id)
    assert written is not None and written.outcome is Outcome.CALLBACK
    assert len(call_log.list_tickets()) == 1


def test_another_nodes_records_do_not_count_for_this_one(call_log: CallLog) -> None:
    call_log.write_records([replace(r, node="pbx2") for r in tracked()])
    assert len(run(call_log).missing) == 17
    assert rows(call_log) == 34


def test_a_guess_written_after_the_cdr_correction_changes_nothing(call_log: CallLog) -> None:
    """A spooled record of the tracker, written after the CDR told how the call ended."""
    abandoned = next(
        r for r in records_of(mix_rows(), NODE, POLICY) if r.outcome.value == "abandoned"
    )
    call_log.write_records([abandoned])
    guess = replace(abandoned, outcome=Outcome.FAILED, detail=GUESSED_DETAIL, source=None)
    call_log.write_records([guess])
    kept = call_log.get_record(NODE, abandoned.call_id)
    assert kept is not None
    assert (kept.outcome, kept.detail, kept.source) == (Outcome.ABANDONED, None, "cdr")


def test_the_trackers_own_record_replaces_one_from_the_cdr(call_log: CallLog) -> None:
    from_cdr = records_of(mix_rows(), NODE, POLICY)[0]
    call_log.write_records([from_cdr])
    tracker = replace(from_cdr, source=None, detail=None, wait_s=4.0)
    call_log.write_records([tracker])
    stored = call_log.get_record(NODE, from_cdr.call_id)
    assert stored is not None and stored.source is None and stored.wait_s == 4.0
    assert stored.detail is None  # not the CDR's "no measured wait"


def test_a_corrected_record_keeps_nothing_of_the_guess(call_log: CallLog) -> None:
    abandoned = next(
        r for r in records_of(mix_rows(), NODE, POLICY) if r.outcome.value == "abandoned"
    )
    guess = replace(abandoned, outcome=Outcome.FAILED, detail=GUESSED_DETAIL, source=None)
    call_log.write_records([guess])
    assert len(run(call_log).corrected) == 1
    fixed = call_log.get_record(NODE, abandoned.call_id)
    assert fixed is not None
    assert (fixed.outcome, fixed.detail, fixed.source) == (Outcome.ABANDONED, None, "cdr")


class Rows:
    """A CDR source of given rows."""

    def __init__(self, rows: list[CdrRow]) -> None:
        self._rows = rows

    def rows(self, since: datetime, until: datetime) -> Iterator[CdrRow]:
        return iter(self._rows)


def test_a_callback_the_caller_booked_gets_its_ticket_once_however_often_it_runs(
    call_log: CallLog,
) -> None:
    row = mix_rows()[0]
    booked = replace(row, dstchannel="", userfield=row.userfield + "&callback=05371000099&booked=1")
    for _ in range(2):
        reconcile(
            Rows([booked]), call_log, NODE, privacy=POLICY, region="DE",
            since=EVER[0], until=EVER[1],
        )  # fmt: skip
    record = call_log.get_record(NODE, booked.linkedid)
    assert record is not None and record.outcome is Outcome.CALLBACK
    [ticket] = call_log.list_tickets()
    assert (ticket.source, ticket.caller_full) == (TicketSource.CALLER, "05371000099")
    assert ticket.tenant == record.tenant and ticket.due is not None
