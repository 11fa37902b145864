"""An unavailable database loses nothing: records wait in the spool and are written once."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import exc

from pbx_bridge.core.calls import CallRecord, Outcome
from pbx_bridge.storage import CallLog, SpoolingWriter, WrapupStatus
from pbx_bridge.storage.spool import REJECTED_FILE, SPOOL_FILE
from tests.unit.core.factories import wolfsburg_directory
from tests.unit.storage.builders import NODE, answered, wrapup
from tests.unit.storage.databases import (
    admin_connection,
    create_database,
    drop_database,
    postgres_database,
    sqlite_url,
)
from tests.unit.storage.test_records import rows


@contextmanager
def locked(database: Path) -> Iterator[None]:
    """Another process holding SQLite's write lock (as a long transaction or backup would)."""
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        yield
    finally:
        holder.execute("ROLLBACK")
        holder.close()


@pytest.fixture
def sqlite_log(tmp_path: Path) -> Iterator[CallLog]:
    log = CallLog(sqlite_url(tmp_path), directory=wolfsburg_directory(), busy_timeout_s=0.2)
    log.upgrade()
    yield log
    log.close()


def spooled_lines(spool_dir: Path) -> list[dict[str, object]]:
    path = spool_dir / SPOOL_FILE
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_locked_sqlite_spools_and_replays_in_order_once(
    sqlite_log: CallLog, tmp_path: Path
) -> None:
    spool_dir = tmp_path / "spool"
    writer = SpoolingWriter(sqlite_log, spool_dir, retry_interval_s=0)
    first, second = answered("1.1"), answered("1.2", "2019-04-01T09:05")
    assert writer.write_record(first) is True
    with locked(tmp_path / "calls.sqlite3"):
        assert writer.write_record(first) is False  # the same call again: an update
        assert writer.write_record(second) is False
        result = writer.apply_wrapup(wrapup(second, Outcome.CALLBACK, caller_full="+4953711"), NODE)
        assert result.status is WrapupStatus.SPOOLED
        assert [line["kind"] for line in spooled_lines(spool_dir)] == ["record", "record", "wrapup"]
        assert writer.pending == 3
    third = answered("1.3", "2019-04-01T09:10")
    assert writer.write_record(third) is True  # replays the spool first, then writes
    assert spooled_lines(spool_dir) == []
    assert rows(sqlite_log) == 3
    stored = sqlite_log.get_record(NODE, second.call_id)
    assert stored is not None and stored.outcome is Outcome.CALLBACK
    assert len(sqlite_log.list_tickets()) == 1


def test_replay_alone_empties_the_spool(sqlite_log: CallLog, tmp_path: Path) -> None:
    writer = SpoolingWriter(sqlite_log, tmp_path / "spool", retry_interval_s=0)
    with locked(tmp_path / "calls.sqlite3"):
        writer.write_record(answered("2.1"))
        assert writer.replay() is False
    assert writer.replay() is True
    assert writer.pending == 0
    assert rows(sqlite_log) == 1


def test_periodic_replay_leaves_a_failed_database_alone_for_the_retry_interval(
    sqlite_log: CallLog, tmp_path: Path
) -> None:
    now = [0.0]
    writer = SpoolingWriter(
        sqlite_log, tmp_path / "spool", retry_interval_s=10, clock=lambda: now[0]
    )
    with locked(tmp_path / "calls.sqlite3"):
        assert writer.write_record(answered("2.5")) is False  # one busy timeout, then resting
        assert writer.resting
        now[0] = 5.0
        started = time.monotonic()
        assert writer.replay(force=False) is False
        assert writer.write_record(answered("2.6")) is False
        assert time.monotonic() - started < 0.1  # neither waited for the lock
        assert writer.pending == 2
    now[0] = 10.0
    assert not writer.resting
    assert writer.replay(force=False) is True
    assert rows(sqlite_log) == 2


def test_spooled_record_survives_a_restart(sqlite_log: CallLog, tmp_path: Path) -> None:
    spool_dir = tmp_path / "spool"
    with locked(tmp_path / "calls.sqlite3"):
        SpoolingWriter(sqlite_log, spool_dir, retry_interval_s=0).write_record(answered("3.1"))
    # A new daemon process: a new writer over the same spool folder.
    restarted = SpoolingWriter(sqlite_log, spool_dir, retry_interval_s=0)
    assert restarted.pending == 1
    assert restarted.replay() is True
    assert sqlite_log.get_record(NODE, "3.1") == answered("3.1")


def test_while_resting_writes_go_straight_to_the_spool(tmp_path: Path) -> None:
    log = CallLog(sqlite_url(tmp_path), busy_timeout_s=1.0)
    log.upgrade()
    now = [0.0]
    writer = SpoolingWriter(log, tmp_path / "spool", retry_interval_s=30, clock=lambda: now[0])
    with locked(tmp_path / "calls.sqlite3"):
        assert writer.write_record(answered("4.1")) is False  # waits the busy timeout once
        started = time.perf_counter()
        assert writer.write_record(answered("4.2")) is False
        assert time.perf_counter() - started < 0.5  # no second busy timeout
    assert writer.write_record(answered("4.3")) is False  # still resting: order is kept
    now[0] = 31.0
    assert writer.write_record(answered("4.4")) is True
    assert rows(log) == 4
    log.close()


class FailingOn(CallLog):
    """A call log whose database 'goes away' while one given call is written."""

    fail_on: str | None = None

    def write_record(self, record: CallRecord) -> None:
        if record.call_id == self.fail_on:
            raise exc.OperationalError("INSERT", {}, Exception("server closed the connection"))
        super().write_record(record)


def test_replay_failing_half_way_keeps_the_rest_in_order(tmp_path: Path) -> None:
    log = FailingOn(sqlite_url(tmp_path), busy_timeout_s=0.2)
    log.upgrade()
    spool_dir = tmp_path / "spool"
    writer = SpoolingWriter(log, spool_dir, retry_interval_s=0)
    with locked(tmp_path / "calls.sqlite3"):
        for index in range(4):
            writer.write_record(answered(f"5.{index}"))
    log.fail_on = "5.2"
    assert writer.replay() is False
    assert [line["record"]["call_id"] for line in spooled_lines(spool_dir)] == ["5.2", "5.3"]  # type: ignore[index]
    log.fail_on = None
    assert writer.replay() is True
    assert rows(log) == 4
    log.close()


def test_cut_off_last_line_is_dropped_not_glued(sqlite_log: CallLog, tmp_path: Path) -> None:
    spool_dir = tmp_path / "spool"
    writer = SpoolingWriter(sqlite_log, spool_dir, retry_interval_s=0)
    with locked(tmp_path / "calls.sqlite3"):
        writer.write_record(answered("6.1"))
        with (spool_dir / SPOOL_FILE).open("a", encoding="utf-8") as spool:
            spool.write('{"kind": "record", "rec')  # a crash in the middle of an append
        writer.write_record(answered("6.2"))
    assert writer.replay() is True
    assert rows(sqlite_log) == 2


def test_unreadable_entry_is_set_aside_for_a_human(sqlite_log: CallLog, tmp_path: Path) -> None:
    spool_dir = tmp_path / "spool"
    spool_dir.mkdir()
    (spool_dir / SPOOL_FILE).write_text('{"kind": "mystery"}\n', encoding="utf-8")
    writer = SpoolingWriter(sqlite_log, spool_dir, retry_interval_s=0)
    assert writer.write_record(answered("7.1")) is True
    assert (spool_dir / REJECTED_FILE).read_text(encoding="utf-8") == '{"kind": "mystery"}\n'


def test_errors_that_are_not_unavailability_are_raised(sqlite_log: CallLog, tmp_path: Path) -> None:
    writer = SpoolingWriter(sqlite_log, tmp_path / "spool", retry_interval_s=0)
    naive = answered("8.1")
    broken = CallRecord(**{**naive.__dict__, "started": naive.started.replace(tzinfo=None)})
    with pytest.raises(exc.StatementError):
        writer.write_record(broken)
    assert writer.pending == 0


def test_postgres_closed_port_spools_then_replays_elsewhere(tmp_path: Path) -> None:
    spool_dir = tmp_path / "spool"
    closed = CallLog("postgresql+psycopg://127.0.0.1:1/pbxb_nowhere")
    down = SpoolingWriter(closed, spool_dir, retry_interval_s=0)
    assert down.write_record(answered("9.1")) is False
    assert down.apply_wrapup(wrapup(answered("9.1"), Outcome.TRANSFERRED), NODE).status is (
        WrapupStatus.SPOOLED
    )
    closed.close()
    with postgres_database() as (url, _name):
        log = CallLog(url)
        log.upgrade()
        assert SpoolingWriter(log, spool_dir, retry_interval_s=0).replay() is True
        stored = log.get_record(NODE, "9.1")
        log.close()
    assert stored is not None and stored.outcome is Outcome.TRANSFERRED


def test_postgres_dropped_database_spools_until_it_is_back(tmp_path: Path) -> None:
    with postgres_database() as (url, name):
        log = CallLog(url, directory=wolfsburg_directory())
        log.upgrade()
        writer = SpoolingWriter(log, tmp_path / "spool", retry_interval_s=0)
        assert writer.write_record(answered("10.1")) is True
        with admin_connection() as admin:
            drop_database(admin, name)
            call = answered("10.2")
            assert writer.write_record(call) is False
            assert writer.apply_wrapup(wrapup(call, Outcome.CALLBACK), NODE).status is (
                WrapupStatus.SPOOLED
            )
            create_database(admin, name)
        log.upgrade()  # the admin restores the (empty) database
        assert writer.write_record(answered("10.3")) is True
        assert writer.pending == 0
        assert [r.call_id for r in log.list_calls()] == ["10.2", "10.3"]
        assert log.get_record(NODE, "10.2") is not None
        assert len(log.list_tickets()) == 1
        log.close()
