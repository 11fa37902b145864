"""A call's record from Asterisk's CDR alone: tenant and outcome as the tracker would say."""

from __future__ import annotations

from dataclasses import replace

from pbx_bridge.core.calls import Outcome
from pbx_bridge.core.cdr_outcomes import (
    NO_WAIT_DETAIL,
    SOURCE,
    CdrRow,
    group_by_call,
    read_userfield,
    record_of,
    records_of,
)
from pbx_bridge.core.outcomes import CALLER_CALLBACK_DETAIL
from pbx_bridge.core.privacy import PrivacyPolicy
from tests.unit.cdr.fixture import EXPECTED, mix_rows

POLICY = PrivacyPolicy(shorten_digits=3)


def test_every_call_of_the_recorded_mix_gets_the_tenant_and_outcome_the_tracker_gives() -> None:
    records = records_of(mix_rows(), "pbx1", PrivacyPolicy(shorten_digits=0))
    got = {
        # The withheld caller (the 11th) is stored without a number.
        (r.caller[-2:] if r.caller else "11"): (
            r.tenant,
            r.outcome.value,
            None if r.detail == NO_WAIT_DETAIL else r.detail,
        )
        for r in records
    }
    assert got == EXPECTED


def test_an_agents_feature_code_call_is_not_a_call_of_the_center() -> None:
    calls = group_by_call(mix_rows())
    feature = [rows for rows in calls.values() if rows[0].dst == "*81"]
    assert len(feature) == 1
    assert record_of(feature[0], "pbx1", POLICY) is None
    assert len(records_of(mix_rows(), "pbx1", POLICY)) == len(calls) - 1


def test_a_record_from_the_cdr_is_keyed_by_linkedid_and_says_where_it_came_from() -> None:
    records = records_of(mix_rows(), "pbx1", POLICY)
    transferred = [r for r in records if r.outcome is Outcome.TRANSFERRED]
    assert all(r.call_id == r.call_id.strip() and r.node == "pbx1" for r in records)
    assert all(r.source == SOURCE for r in records)
    # Both of a transferred call's rows (agent, then clerk) make one record.
    assert len(transferred) == 2 and len({r.call_id for r in records}) == len(records)
    assert transferred[0].agent == "PJSIP/refer-agent"
    assert transferred[0].ended > transferred[0].started


def test_a_withheld_number_is_not_stored_and_others_are_shortened() -> None:
    records = records_of(mix_rows(), "pbx1", POLICY)
    withheld = [r for r in records if r.caller is None]
    assert len(withheld) == 1 and withheld[0].department == "Kfz-Zulassung"
    assert all(r.caller is None or r.caller.endswith("xxx") for r in records)


def test_dialled_number_and_decider_come_from_the_userfield() -> None:
    records = records_of(mix_rows(), "pbx1", POLICY)
    assert {r.dialled for r in records if r.tenant == "isenbuettel"} == {"+49537409990"}
    assert sorted(r.decided_by or "" for r in records).count("fallback") == 1


def test_the_userfield_is_read_next_to_another_partys_and_survives_a_cut() -> None:
    assert read_userfield("crm=42;pbxb:action=closed&tenant=gifhorn&reason=holiday%3A%20X") == {
        "action": "closed",
        "tenant": "gifhorn",
        "reason": "holiday: X",
    }
    assert read_userfield("pbxb:action=queue&tenant=gif")["tenant"] == "gif"
    assert read_userfield("someone else's") == {}


def test_a_call_that_ended_before_any_decision_is_failed_without_a_decision() -> None:
    row = mix_rows()[0]
    undecided = replace(row, userfield="", dstchannel="", lastapp="AGI", disposition="NO ANSWER")
    record = record_of([undecided], "pbx1", POLICY)
    assert record is not None
    assert (record.outcome, record.detail) == (Outcome.FAILED, "no routing decision")


def test_an_unanswered_queue_call_with_a_full_queue_is_overflow() -> None:
    row = mix_rows()[0]
    full = replace(row, dstchannel="", userfield=row.userfield + "&queue=FULL")
    record = record_of([full], "pbx1", POLICY)
    assert record is not None and (record.outcome, record.detail) == (Outcome.OVERFLOW, "full")


def test_a_callback_the_caller_booked_while_waiting_is_a_callback_with_its_number() -> None:
    row = mix_rows()[0]
    waiting = replace(row, dstchannel="", disposition="ANSWERED", lastapp="Hangup")
    marked = replace(waiting, userfield=row.userfield + "&callback=05371000099&booked=1")
    record = record_of([marked], "pbx1", POLICY)
    assert record is not None
    assert (record.outcome, record.detail) == (Outcome.CALLBACK, CALLER_CALLBACK_DETAIL)
    assert record.callback_to == "05371000099" and record.tenant == row_tenant(row)
    # The queue gave up first and the overflow offered the callback: still a callback.
    overflowed = replace(marked, userfield=row.userfield + "&queue=TIMEOUT&callback=0537&booked=1")
    assert (got := record_of([overflowed], "pbx1", POLICY)) is not None
    assert got.outcome is Outcome.CALLBACK and got.callback_to == "0537"


def test_a_callback_number_cut_off_by_the_column_is_no_number() -> None:
    row = mix_rows()[0]
    cut = replace(row, dstchannel="", userfield=row.userfield + "&callback=05371")
    record = record_of([cut], "pbx1", POLICY)
    assert record is not None
    assert record.outcome is Outcome.CALLBACK and record.callback_to is None


def row_tenant(row: CdrRow) -> str:
    return read_userfield(row.userfield)["tenant"]
