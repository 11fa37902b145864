"""Writing a call's record: one row per (node, call_id), however often it is written."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import func, select

from pbx_bridge.core.calls import Outcome
from pbx_bridge.core.outcomes import UNSEEN_END_DETAIL
from pbx_bridge.storage import CallLog
from pbx_bridge.storage.models import calls
from tests.unit.storage.builders import NODE, answered, unanswered


def rows(log: CallLog) -> int:
    with log.engine.connect() as connection:
        count: int = connection.execute(select(func.count()).select_from(calls)).scalar_one()
        return count


def test_writing_a_record_twice_yields_one_row(call_log: CallLog) -> None:
    record = answered("1554102000.10")
    call_log.write_record(record)
    call_log.write_record(record)
    assert rows(call_log) == 1
    assert call_log.get_record(NODE, record.call_id) == record


def test_same_call_id_on_two_nodes_is_two_calls(call_log: CallLog) -> None:
    record = answered("1554102000.11")
    call_log.write_record(record)
    call_log.write_record(replace(record, node="ast2"))
    assert rows(call_log) == 2
    assert call_log.nodes_of(record.call_id) == ["ast1", "ast2"]


def test_a_later_write_with_more_information_wins(call_log: CallLog) -> None:
    # After an AMI reconnect the tracker may first know less (resync), then the whole call.
    whole = answered("1554102000.12", outcome=Outcome.TRANSFERRED, detail="+4953718200")
    partial = replace(whole, outcome=Outcome.FAILED, detail=None, agent=None, caller=None)
    call_log.write_record(partial)
    call_log.write_record(whole)
    assert call_log.get_record(NODE, whole.call_id) == whole


def test_a_guess_of_one_daemon_leaves_the_record_of_the_other_as_it_is(call_log: CallLog) -> None:
    # Two daemons follow one Asterisk; the one that restarted restores the call and, finding
    # it gone, can only guess how it ended.
    seen = answered("1554102000.15")
    guess = replace(seen, outcome=Outcome.FAILED, detail=UNSEEN_END_DETAIL, agent=None)
    call_log.write_record(seen)
    call_log.write_record(guess)
    assert call_log.get_record(NODE, seen.call_id) == seen
    call_log.write_record(guess)  # written again (the spool), still nothing changes
    assert call_log.get_record(NODE, seen.call_id) == seen


def test_the_record_of_a_daemon_that_saw_the_end_replaces_a_guess(call_log: CallLog) -> None:
    seen = answered("1554102000.16")
    call_log.write_record(replace(seen, outcome=Outcome.FAILED, detail=UNSEEN_END_DETAIL))
    call_log.write_record(seen)
    assert call_log.get_record(NODE, seen.call_id) == seen


def test_a_later_write_knowing_less_erases_nothing(call_log: CallLog) -> None:
    whole = answered("1554102000.13", detail="reason", dialled="+49537182370")
    call_log.write_record(whole)
    call_log.write_record(replace(whole, detail=None, dialled=None, caller=None))
    stored = call_log.get_record(NODE, whole.call_id)
    assert stored is not None
    assert (stored.detail, stored.dialled, stored.caller) == (
        "reason",
        "+49537182370",
        whole.caller,
    )


def test_outcome_and_times_follow_the_latest_write(call_log: CallLog) -> None:
    first = unanswered("1554102000.14", Outcome.ABANDONED, wait_s=12.0)
    call_log.write_record(first)
    later = replace(
        first, outcome=Outcome.OVERFLOW, ended=first.ended + (first.ended - first.started)
    )
    call_log.write_record(later)
    stored = call_log.get_record(NODE, first.call_id)
    assert stored is not None
    assert (stored.outcome, stored.ended) == (Outcome.OVERFLOW, later.ended)


def test_withheld_caller_stays_absent(call_log: CallLog) -> None:
    record = answered("1554102000.15", caller=None)
    call_log.write_record(record)
    stored = call_log.get_record(NODE, record.call_id)
    assert stored is not None and stored.caller is None


def test_umlauts_and_times_round_trip(call_log: CallLog) -> None:
    record = answered(
        "1554102000.16", department="Ordnung, Verkehr und Veterinärwesen", note="Größe prüfen"
    )
    call_log.write_record(record)
    stored = call_log.get_record(NODE, record.call_id)
    assert stored == record
    assert stored is not None and stored.started.tzinfo is not None
