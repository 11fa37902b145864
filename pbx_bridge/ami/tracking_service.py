"""Feed AMI events into the call tracker and hand finished records to a sink.

The sink is the storage adapter (a worker thread behind a queue); this module
holds no business rules: the tracker decides, the sink stores.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Protocol

import structlog

from pbx_bridge.ami.call_events import DECISION_EVENT, TRACKED_VARIABLES, flatten, status_variables
from pbx_bridge.ami.call_tracker import CallTracker, TrackerOutput
from pbx_bridge.ami.link import AmiLink
from pbx_bridge.ami.tracker_state import JournalEntry
from pbx_bridge.core.calls import CallRecord, Wrapup

log = structlog.get_logger("pbx_bridge.tracking")


class RecordSink(Protocol):
    def record(self, record: CallRecord) -> None: ...

    def wrapup(self, wrapup: Wrapup) -> None: ...


class InputJournal(Protocol):
    """Where the tracker's inputs are written as they arrive (see ami/tracker_state.py)."""

    def append_event(self, event: Mapping[str, str], at: datetime) -> None: ...

    def append_resync(self, live: Sequence[Mapping[str, str]], at: datetime) -> None: ...


class TrackingService:
    def __init__(
        self,
        tracker: CallTracker,
        sink: RecordSink,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        journal: InputJournal | None = None,
    ) -> None:
        self.tracker = tracker
        self.sink = sink
        self.clock = clock
        self.journal = journal
        self.events = 0

    def on_event(self, message: Mapping[str, object]) -> None:
        event, now = flatten(message), self.clock()
        if event.get("Event") == DECISION_EVENT:
            return  # the daemon's own input (on_decision), never the AMI peer's
        self.events += 1
        if self.journal is not None:
            self.journal.append_event(event, now)
        self._deliver(self.tracker.feed(event, now))

    def on_decision(self, event: dict[str, str]) -> None:
        """The daemon's own routing decision for a call (agi/decision_event.py). Journalled
        only if the tracker kept it, that is, for a call it has not seen on AMI."""
        now = self.clock()
        if self.tracker.decided(event, now):
            self.events += 1  # the next snapshot holds it
            if self.journal is not None:
                self.journal.append_event(event, now)

    def replay(self, entries: Iterable[JournalEntry]) -> int:
        """Feed the tracker again what a killed daemon had fed it since its snapshot.

        The records of calls that ended then are delivered again: the store's write is an
        upsert of the same values, and a record still queued when the daemon died is not
        lost. Wrap-ups are not: they were delivered when they came, and applying one twice
        would only be refused as superseded. Returns the number of records delivered.
        """
        records = 0
        for entry in entries:
            if entry.event is not None:
                out = self.tracker.feed(entry.event, entry.at)
            else:
                out = self.tracker.resync(entry.live or [], entry.at)
            records += len(out.records)
            self._deliver(TrackerOutput(records=out.records), replayed=True)
        return records

    async def on_login(self, link: AmiLink) -> None:
        """Resync the calls in progress after every (re)login.

        The routing variables are asked for first: the resync must follow the channel list
        at once, since a Hangup handled in between would be of a channel not yet adopted,
        and the adopted channel would then never end.
        """
        decisions = await self._routing_variables(link)
        try:
            replies = await link.action({"Action": "CoreShowChannels"}, as_list=True)
        except (TimeoutError, ConnectionError) as exc:
            log.warning("ami_resync_failed", error=str(exc))
            return
        channels = [flatten(m) for m in replies if m.get("Event") == "CoreShowChannel"]
        for channel in channels:
            channel.update(decisions.get(channel.get("Uniqueid", ""), {}))
        before, now = self.tracker.active_calls, self.clock()
        if self.journal is not None:
            self.journal.append_resync(channels, now)
        out = self.tracker.resync(channels, now)
        self._deliver(out)
        log.info(
            "ami_resynced",
            live_channels=len(channels),
            calls_before=before,
            calls_now=self.tracker.active_calls,
            closed_during_gap=len(out.records),
            # Of those: calls that began and ended unseen, known by the daemon's decision.
            unseen_recorded=out.unseen,
            unseen_dropped=self.tracker.unseen_dropped,
        )

    async def _routing_variables(self, link: AmiLink) -> dict[str, dict[str, str]]:
        """Uniqueid -> the routing variables of every live channel, for the calls the resync
        will adopt: they were decided while the daemon was not listening (by the failsafe
        during a daemon outage, or before a login), and without them the record would say
        "no routing decision". One `Status` action with `Variables` lists them."""
        action = {"Action": "Status", "Variables": ",".join(sorted(TRACKED_VARIABLES))}
        try:
            replies = await link.action(action, as_list=True)
        except (TimeoutError, ConnectionError) as exc:
            log.warning("ami_status_failed", error=str(exc))
            return {}
        return status_variables(replies)

    def _deliver(self, out: TrackerOutput, *, replayed: bool = False) -> None:
        for record in out.records:
            log.info(
                "call_ended_replayed" if replayed else "call_ended",
                linkedid=record.call_id,
                tenant=record.tenant,
                outcome=str(record.outcome),
                wait_s=record.wait_s,
                talk_s=record.talk_s,
            )
            self.sink.record(record)
        for wrapup in out.wrapups:
            log.info("call_wrapup", linkedid=wrapup.call_id, outcome=str(wrapup.outcome))
            self.sink.wrapup(wrapup)
