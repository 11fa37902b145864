"""The worker thread writes what is queued, in order, batched, and loses nothing on stop."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pbx_bridge.core.calls import Outcome
from pbx_bridge.storage import CallLog, SpoolingWriter
from pbx_bridge.storage.worker import RecordWorker
from tests.unit.storage.builders import NODE, answered, wrapup
from tests.unit.storage.test_records import rows
from tests.unit.storage.test_spool import locked, spooled_lines, sqlite_log

__all__ = ["sqlite_log"]  # the fixture


def test_queued_records_and_wrapups_are_written_in_order(
    sqlite_log: CallLog, tmp_path: Path
) -> None:
    worker = RecordWorker(sqlite_log, SpoolingWriter(sqlite_log, tmp_path / "spool"), NODE)
    calls = [answered(f"1554102000.{index}") for index in range(70, 80)]
    for call in calls[:5]:
        worker.record(call)
    worker.wrapup(wrapup(calls[2], Outcome.CALLBACK))
    worker.record(replace(calls[2], detail="resync"))  # after the wrap-up: keeps it applied
    for call in calls[5:]:
        worker.record(call)
    worker.start()
    assert worker.stop(timeout=10)
    assert (worker.written, rows(sqlite_log)) == (11, 10)
    stored = sqlite_log.get_record(NODE, calls[2].call_id)
    assert stored is not None and (stored.outcome, stored.detail) == (Outcome.CALLBACK, "resync")
    assert len(sqlite_log.list_tickets()) == 1


def test_a_bad_record_costs_only_itself(sqlite_log: CallLog, tmp_path: Path) -> None:
    worker = RecordWorker(sqlite_log, SpoolingWriter(sqlite_log, tmp_path / "spool"), NODE)
    good = [answered("1554102000.81"), answered("1554102000.83")]
    naive = replace(answered("1554102000.82"), started=good[0].started.replace(tzinfo=None))
    for record in (good[0], naive, good[1]):
        worker.record(record)
    worker.start()
    assert worker.stop(timeout=10)
    assert rows(sqlite_log) == 2


def test_a_locked_database_spools_the_whole_batch(sqlite_log: CallLog, tmp_path: Path) -> None:
    spool_dir = tmp_path / "spool"
    writer = SpoolingWriter(sqlite_log, spool_dir, retry_interval_s=0)
    worker = RecordWorker(sqlite_log, writer, NODE)
    calls = [answered(f"1554102000.{index}") for index in range(90, 95)]
    with locked(tmp_path / "calls.sqlite3"):
        for call in calls:
            worker.record(call)
        worker.start()
        assert worker.stop(timeout=10)
        assert [line["record"]["call_id"] for line in spooled_lines(spool_dir)] == [  # type: ignore[index]
            call.call_id for call in calls
        ]
    assert writer.replay() is True
    assert rows(sqlite_log) == 5


def test_what_is_handed_over_stays_unwritten_until_written_or_spooled(
    sqlite_log: CallLog, tmp_path: Path
) -> None:
    """The daemon saves unwritten() with its snapshot: a kill -9 loses none of it."""
    spool_dir = tmp_path / "spool"
    worker = RecordWorker(sqlite_log, SpoolingWriter(sqlite_log, spool_dir), NODE)
    calls = [answered(f"1554102000.{index}") for index in range(60, 63)]
    for call in calls:
        worker.record(call)
    callback = wrapup(calls[1], Outcome.CALLBACK)
    worker.wrapup(callback)
    assert worker.unwritten() == [*calls, callback]  # not started: all of it, in order
    worker.start()
    assert worker.stop(timeout=10)
    assert worker.unwritten() == []
    assert rows(sqlite_log) == 3


def test_a_spooled_record_is_no_longer_unwritten(sqlite_log: CallLog, tmp_path: Path) -> None:
    spool_dir = tmp_path / "spool"
    worker = RecordWorker(
        sqlite_log, SpoolingWriter(sqlite_log, spool_dir, retry_interval_s=0), NODE
    )
    with locked(tmp_path / "calls.sqlite3"):
        worker.record(answered("1554102000.64"))
        worker.start()
        assert worker.stop(timeout=10)
    assert worker.unwritten() == []
    assert len(spooled_lines(spool_dir)) == 1
