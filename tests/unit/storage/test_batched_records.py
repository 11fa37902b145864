"""Records written together end exactly as if each had been written alone, in order."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import exc

from pbx_bridge.core.calls import Outcome
from pbx_bridge.storage import CallLog, WrapupStatus
from tests.unit.storage.builders import NODE, answered, wrapup
from tests.unit.storage.test_records import rows


def test_a_batch_with_the_same_call_twice_is_one_row_as_written_in_order(
    call_log: CallLog,
) -> None:
    whole = answered("1554102000.60", detail="reason", dialled="+49537182370")
    knowing_less = replace(whole, outcome=Outcome.TRANSFERRED, detail=None, dialled=None)
    other = answered("1554102000.61")
    call_log.write_records([whole, other, knowing_less, other])
    assert rows(call_log) == 2
    stored = call_log.get_record(NODE, whole.call_id)
    assert stored == replace(knowing_less, detail="reason", dialled="+49537182370")
    assert call_log.get_record(NODE, other.call_id) == other


def test_a_batch_applies_the_wrapups_waiting_for_its_calls(call_log: CallLog) -> None:
    waiting, plain = answered("1554102000.62"), answered("1554102000.63")
    early = wrapup(waiting, Outcome.CALLBACK, after=-timedelta(seconds=20))
    assert call_log.apply_wrapup(early, NODE).status is WrapupStatus.PENDING
    call_log.write_records([plain, waiting, replace(waiting, node="ast2")])
    stored = call_log.get_record(NODE, waiting.call_id)
    assert stored is not None and stored.outcome is Outcome.CALLBACK
    assert call_log.get_record("ast2", waiting.call_id) == replace(waiting, node="ast2")
    assert call_log.get_record(NODE, plain.call_id) == plain
    assert len(call_log.list_tickets()) == 1
    call_log.write_records([waiting, plain])  # written again: still one ticket, one row each
    assert (rows(call_log), len(call_log.list_tickets())) == (3, 1)


def test_a_batch_with_a_bad_record_writes_none(call_log: CallLog) -> None:
    good = answered("1554102000.64")
    naive = replace(answered("1554102000.65"), started=good.started.replace(tzinfo=None))
    with pytest.raises(exc.StatementError):
        call_log.write_records([good, naive])
    assert rows(call_log) == 0
