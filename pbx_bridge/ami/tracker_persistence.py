"""The tracker across daemon restarts: restore at start, a snapshot every 2 s, one at stop.

What survives a restart (even kill -9) is in the state directory (ami/tracker_state.py): the
calls in progress, the journal of the tracker's inputs since, and what the storage worker
had not written yet. A restarted daemon hands that back to the worker (written twice, a
record is one row), restores the calls and replays the journal, so it resumes from the moment
the previous one died.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Protocol

import structlog

from pbx_bridge.ami.call_tracker import CallTracker
from pbx_bridge.ami.tracker_state import TrackerState
from pbx_bridge.ami.tracking_service import TrackingService
from pbx_bridge.core.calls import CallRecord, Wrapup
from pbx_bridge.storage.codec import decode, encode_record, encode_wrapup

log = structlog.get_logger("pbx_bridge.tracking")

SNAPSHOT_INTERVAL_S = 2.0

Taken = tuple[dict[str, object], list[CallRecord | Wrapup]]


class RecordQueue(Protocol):
    """The storage worker as seen from here: what it holds unwritten, and taking more."""

    def record(self, record: CallRecord) -> None: ...

    def wrapup(self, wrapup: Wrapup) -> None: ...

    def unwritten(self) -> list[CallRecord | Wrapup]: ...


class TrackerPersistence:
    def __init__(
        self,
        node: str,
        tracker: CallTracker,
        service: TrackingService,
        state: TrackerState,
        queue: RecordQueue,
    ) -> None:
        self.node = node
        self.tracker = tracker
        self.service = service
        self.state = state
        self.queue = queue

    def restore(self) -> None:
        """Take over what the previous daemon left in the state directory, then start a new
        journal generation whose base is the restored state (the old files go)."""
        restored = self.state.load()
        if restored.snapshot is not None or restored.entries:
            unwritten = self._hand_over_unwritten(restored.snapshot or {})
            from_snapshot = self.tracker.restore(restored.snapshot or {})
            records = self.service.replay(restored.entries)
            log.info(
                "tracker_state_restored",
                calls=self.tracker.active_calls,
                unseen_calls=self.tracker.unseen_calls,
                from_snapshot=from_snapshot,
                journal_entries=len(restored.entries),
                records_replayed=records,
                unwritten_handed_over=unwritten,
            )
        self.save()

    def save(self) -> None:
        """Write the state now (at start, and at stop after the storage worker's flush)."""
        self._write(self._take())

    def close(self) -> None:
        self.state.close()

    async def keep(self, interval: float = SNAPSHOT_INTERVAL_S) -> None:
        """Snapshot the calls in progress whenever events arrived since the last one; the
        journal holds every event in between, so the interval only bounds its length."""
        seen = self.service.events
        while True:
            await asyncio.sleep(interval)
            if self.service.events != seen:
                seen = self.service.events
                # Taken on the loop that changes the tracker; the encoding of what is not
                # written yet, the file write and its fsync run in a thread.
                await asyncio.to_thread(self._write, self._take())

    def _take(self) -> Taken:
        """On the loop: the calls in progress, with the journal's switch to a new generation,
        and what the storage worker has not written yet (immutable: encoded later)."""
        return self.state.take(self.tracker.snapshot()), self.queue.unwritten()

    def _write(self, taken: Taken) -> None:
        snapshot, unwritten = taken
        lines = [
            encode_record(item) if isinstance(item, CallRecord) else encode_wrapup(item, self.node)
            for item in unwritten
        ]
        self.state.write({**snapshot, "unwritten": lines})

    def _hand_over_unwritten(self, snapshot: Mapping[str, object]) -> int:
        """Give the worker again what the previous daemon had not written when it stopped;
        written twice, a record is one row (upsert)."""
        lines = snapshot.get("unwritten")
        if snapshot.get("node") != self.node or not isinstance(lines, list):
            return 0
        count = 0
        for line in lines:
            try:
                item = decode(str(line))
            except (ValueError, KeyError, TypeError) as exc:
                log.warning("tracker_state_unwritten_unreadable", error=str(exc))
                continue
            if isinstance(item, CallRecord):
                self.queue.record(item)
            elif item[1] == self.node:
                self.queue.wrapup(item[0])
            count += 1
        return count
