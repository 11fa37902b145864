"""A daemon killed at any moment resumes its calls from the snapshot plus the journal after it.

The streams are recorded AMI events of a real Asterisk 22 (tests/fixtures/ami); the restarted
daemon is a second TrackerState and TrackingService on the same directory, as in production.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pbx_bridge.ami.call_tracker import CallTracker
from pbx_bridge.ami.tracker_state import TrackerState, journal_name
from pbx_bridge.ami.tracking_service import TrackingService
from pbx_bridge.core.calls import CallRecord, Outcome
from pbx_bridge.core.privacy import PrivacyPolicy
from tests.unit.ami.recording_sink import Sink
from tests.unit.tracking.streams import NOW, decision_of, replay, stream

NODE = "asterisk-1"


class Daemon:
    """What the composition root wires for tracking, started on a state directory."""

    def __init__(self, directory: Path) -> None:
        self.sink = Sink()
        self.tracker = CallTracker(NODE, PrivacyPolicy())
        self.state = TrackerState(directory, NODE)
        restored = self.state.load()
        self.service = TrackingService(self.tracker, self.sink, lambda: NOW, self.state)
        self.tracker.restore(restored.snapshot or {})
        self.replayed = self.service.replay(restored.entries)
        self.snapshot()

    def snapshot(self) -> None:
        self.state.write(self.state.take(self.tracker.snapshot()))

    def feed(self, events: list[dict[str, str]]) -> None:
        for event in events:
            self.service.on_event(event)

    def resync(self, live: list[dict[str, str]]) -> list[CallRecord]:
        out = self.tracker.resync(live, NOW)
        self.state.append_resync(live, NOW)
        return out.records


def stored(*sinks: Sink) -> dict[str, CallRecord]:
    """The call log after the sinks' records were upserted in order: the last write wins."""
    table: dict[str, CallRecord] = {}
    for sink in sinks:
        for record in sink.records:
            table[record.call_id] = record
    return table


def test_a_call_begun_after_the_last_snapshot_is_recorded_though_it_ended_during_the_outage(
    tmp_path: Path,
) -> None:
    events = stream("resolved")
    answered = next(i for i, e in enumerate(events) if e.get("Event") == "AgentConnect")
    first = Daemon(tmp_path)  # its snapshot holds no call
    first.feed(events[: answered + 1])
    # kill -9: nothing closed, no snapshot since the call began
    second = Daemon(tmp_path)
    assert second.tracker.active_calls == 1
    (record,) = second.resync([])  # the caller hung up while no daemon listened
    assert record.outcome is Outcome.RESOLVED
    assert record.agent is not None


def test_a_call_that_ended_after_the_last_snapshot_keeps_its_record(tmp_path: Path) -> None:
    """Before the journal, the restarted daemon closed it again at the resync, as a call cut
    during the outage, and that record replaced the right one."""
    events = stream("abandoned")
    joined = next(i for i, e in enumerate(events) if e.get("Event") == "QueueCallerJoin")
    first = Daemon(tmp_path)
    first.feed(events[: joined + 1])
    first.snapshot()  # the call waits in the queue in this snapshot
    assert first.tracker.active_calls == 1
    first.feed(events[joined + 1 :])
    (right,) = first.sink.records
    assert right.outcome is Outcome.ABANDONED
    second = Daemon(tmp_path)
    assert second.tracker.active_calls == 0
    assert second.resync([]) == []
    assert second.replayed == 1  # delivered again: the same record, upserted over itself
    assert stored(first.sink, second.sink) == {right.call_id: right}


@pytest.mark.parametrize("name", ["resolved", "abandoned", "blind_transfer", "overflow"])
def test_a_kill_at_any_event_with_a_snapshot_at_any_earlier_one_loses_nothing(
    name: str, tmp_path: Path
) -> None:
    events = stream(name)
    (whole,) = replay(name).records
    step = max(1, len(events) // 8)
    for kill in range(0, len(events) + 1, step):
        for snap in range(0, kill + 1, step):
            directory = tmp_path / f"{kill}-{snap}"
            first = Daemon(directory)
            first.feed(events[:snap])
            first.snapshot()
            first.feed(events[snap:kill])
            second = Daemon(directory)
            second.feed(events[kill:])
            assert stored(first.sink, second.sink) == {whole.call_id: whole}, (kill, snap)


def test_a_line_cut_by_the_kill_is_skipped_and_counted(tmp_path: Path) -> None:
    events = stream("resolved")
    first = Daemon(tmp_path)
    first.feed(events[:4])
    with (tmp_path / journal_name(first.state.generation)).open("a") as journal:
        journal.write('{"at": "2026-11-21T12:00:00+00:00", "ev')
    restored = TrackerState(tmp_path, NODE).load()
    assert len(restored.entries) == 4
    assert restored.unreadable_lines == 1


def test_another_nodes_journal_is_not_replayed(tmp_path: Path) -> None:
    first = Daemon(tmp_path)
    first.feed(stream("resolved")[:4])
    restored = TrackerState(tmp_path, "asterisk-2").load()
    assert restored.entries == []


def test_a_written_snapshot_removes_the_journals_before_it_and_an_older_one_is_dropped(
    tmp_path: Path,
) -> None:
    daemon = Daemon(tmp_path)
    daemon.feed(stream("resolved")[:2])
    older = daemon.state.take(daemon.tracker.snapshot())
    daemon.feed(stream("resolved")[2:5])
    newer = daemon.state.take(daemon.tracker.snapshot())
    daemon.state.write(newer)
    daemon.state.write(older)  # a cancelled writer thread, late
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [journal_name(daemon.state.generation), "tracker-state.json"]
    restored = TrackerState(tmp_path, NODE).load()
    assert restored.snapshot is not None and restored.snapshot["journal"] == newer["journal"]


def test_a_snapshot_not_written_leaves_the_previous_one_and_both_journals(tmp_path: Path) -> None:
    events = stream("resolved")
    (whole,) = replay("resolved").records
    first = Daemon(tmp_path)
    first.feed(events[:5])
    first.state.take(first.tracker.snapshot())  # killed before the thread wrote it
    first.feed(events[5:9])
    second = Daemon(tmp_path)
    assert second.tracker.active_calls == 1
    second.feed(events[9:])
    assert stored(first.sink, second.sink) == {whole.call_id: whole}


def test_a_journal_that_cannot_be_written_does_not_stop_tracking(tmp_path: Path) -> None:
    daemon = Daemon(tmp_path)
    daemon.state.close()
    daemon.state._fd = os.open("/dev/full", os.O_WRONLY)  # a full disk: every write fails
    daemon.feed(stream("resolved"))
    (record,) = daemon.sink.records
    assert record.outcome is Outcome.RESOLVED


def test_a_decision_of_a_call_unseen_on_ami_survives_a_kill(tmp_path: Path) -> None:
    """Blind (AMI down), the daemon routed a call, then was killed: the restarted daemon
    records it at its first resync, from the journal or from the snapshot."""
    decided = decision_of(stream("closed_hangup"))
    for snapshot_after in (False, True):
        directory = tmp_path / str(snapshot_after)
        first = Daemon(directory)
        first.service.on_decision(decided)
        if snapshot_after:
            first.snapshot()
        second = Daemon(directory)
        (record,) = second.resync([])
        assert (record.outcome, record.tenant) == (Outcome.CLOSED, "wardenburg"), snapshot_after


def test_only_decisions_the_tracker_kept_are_journalled(tmp_path: Path) -> None:
    events = stream("closed_hangup")
    daemon = Daemon(tmp_path)
    daemon.feed(events)  # the call was seen: its decision changes nothing
    daemon.service.on_decision(decision_of(events))
    journal = tmp_path / journal_name(daemon.state.generation)
    assert len(journal.read_text().splitlines()) == 1 + len(events)
    assert daemon.tracker.unseen_calls == 0
