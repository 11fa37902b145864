"""The daemon's bridge to the (synchronous) call log: one worker thread behind a queue.

The event loop never waits for the database: records and wrap-ups are queued
and written by this thread through the SpoolingWriter, which spools to disk
while the database is unavailable and replays when it answers again.

What is queued when the thread wakes is written together: consecutive records in one
transaction, so a burst of hang-ups costs one commit, not one per call. The thread holds
the GIL while it builds statements, and the event loop's routing decisions wait for it.

What is handed over and not yet written (committed, or spooled and fsynced) is listed by
`unwritten()`: the daemon saves it with its tracker snapshot, so a kill -9 while the database
is slow does not lose the queue.
"""

from __future__ import annotations

import itertools
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import structlog

from pbx_bridge.core.calls import CallRecord, TicketStatus, Wrapup
from pbx_bridge.storage.calllog import CallLog
from pbx_bridge.storage.spool import SpoolingWriter

log = structlog.get_logger("pbx_bridge.storage")

_STOP = object()


@dataclass(frozen=True)
class OpenTicketsPerTenant:
    """Open and overdue callback tickets by tenant, for the metrics gauges."""

    open: dict[str, int]
    overdue: dict[str, int]


class RecordWorker:
    DEFAULT_MAX_BATCH = 200
    # How long a woken thread waits for more records to share the transaction (at 100 calls/s
    # about five: a third of the CPU per record of one each); invisible to readers of the log.
    DEFAULT_LINGER_S = 0.05

    def __init__(
        self,
        call_log: CallLog,
        writer: SpoolingWriter,
        node: str,
        *,
        replay_interval_s: float = 5.0,
        on_tickets: Callable[[OpenTicketsPerTenant], None] | None = None,
        on_spooled: Callable[[int], None] | None = None,
        max_batch: int = DEFAULT_MAX_BATCH,
        linger_s: float = DEFAULT_LINGER_S,
    ) -> None:
        self._log = call_log
        self._writer = writer
        self._node = node
        self._queue: queue.Queue[object] = queue.Queue()
        self._replay_interval = replay_interval_s
        self._max_batch = max(1, max_batch)
        self._linger_s = linger_s
        self._on_tickets = on_tickets or (lambda _c: None)
        self._on_spooled = on_spooled or (lambda _n: None)
        self._thread = threading.Thread(target=self._run, name="record-writer", daemon=True)
        self.written = 0
        self._keys = itertools.count()
        self._unwritten: dict[int, CallRecord | Wrapup] = {}
        self._unwritten_lock = threading.Lock()

    def start(self) -> None:
        self._thread.start()

    # Called from the event loop: never blocks.
    def record(self, record: CallRecord) -> None:
        self._hand_over(record)

    def wrapup(self, wrapup: Wrapup) -> None:
        self._hand_over(wrapup)

    def _hand_over(self, item: CallRecord | Wrapup) -> None:
        key = next(self._keys)
        with self._unwritten_lock:
            self._unwritten[key] = item
        self._queue.put((key, item))

    def unwritten(self) -> list[CallRecord | Wrapup]:
        """Records and wrap-ups handed over and not yet written, in the order they came."""
        with self._unwritten_lock:
            return list(self._unwritten.values())

    def stop(self, timeout: float) -> bool:
        """Write what is queued (to the database or the spool) and stop; True when flushed."""
        self._queue.put(_STOP)
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        last_replay = 0.0
        while True:
            try:
                item = self._queue.get(timeout=self._replay_interval)
            except queue.Empty:
                item = None
            if item is _STOP:
                self._flush_remaining()
                return
            if item is not None:
                items, stopping = self._take_queued([item], self._linger_s)
                self._write_taken(items)
                if stopping:
                    self._flush_remaining()
                    return
            if time.monotonic() - last_replay >= self._replay_interval:
                last_replay = time.monotonic()
                self._housekeeping()

    def _take_queued(self, items: list[object], linger_s: float) -> tuple[list[object], bool]:
        """Add what is queued within `linger_s`, up to a batch; True as well when the stop was
        among it."""
        deadline = time.monotonic() + linger_s
        while len(items) < self._max_batch:
            try:
                item = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                return items, False
            if item is _STOP:
                return items, True
            items.append(item)
        return items, False

    def _flush_remaining(self) -> None:
        while True:
            items, _stopping = self._take_queued([], 0.0)
            if not items:
                return
            self._write_taken(items)

    def _write_taken(self, taken: list[object]) -> None:
        """Write queued (key, item) pairs; then they are no longer unwritten (an item that
        failed for another reason than the database's unavailability was logged: not again)."""
        pairs = [pair for pair in taken if isinstance(pair, tuple)]
        try:
            self._write_all([item for _key, item in pairs])
        finally:
            with self._unwritten_lock:
                for key, _item in pairs:
                    self._unwritten.pop(key, None)

    def _write_all(self, items: list[object]) -> None:
        """In queue order; consecutive records together (a wrap-up between them stays between)."""
        records: list[CallRecord] = []
        for item in items:
            if isinstance(item, CallRecord):
                records.append(item)
                continue
            self._write_records(records)
            records = []
            self._write(item)
        self._write_records(records)

    def _write_records(self, records: list[CallRecord]) -> None:
        if len(records) <= 1:
            for record in records:
                self._write(record)
            return
        try:
            self._writer.write_records(records)
            self.written += len(records)
        except Exception:  # one bad record must not cost the others: write them one by one
            log.warning("record_batch_failed_writing_singly", records=len(records))
            for record in records:
                self._write(record)

    def _write(self, item: object) -> None:
        try:
            if isinstance(item, CallRecord):
                self._writer.write_record(item)
                self.written += 1
            elif isinstance(item, Wrapup):
                result = self._writer.apply_wrapup(item, self._node)
                log.info("wrapup_applied", linkedid=item.call_id, status=str(result.status))
        except Exception:  # the writer spools on unavailability; anything else is logged
            log.exception("record_write_failed")

    def _housekeeping(self) -> None:
        try:
            if self._writer.pending:
                self._writer.replay(force=False)
            self._on_spooled(self._writer.pending)
            if not self._writer.resting:  # the ticket counts need the database
                self._on_tickets(self._ticket_counts(datetime.now(UTC)))
        except Exception:
            log.exception("storage_housekeeping_failed")

    def _ticket_counts(self, now: datetime) -> OpenTicketsPerTenant:
        open_counts: dict[str, int] = {}
        overdue: dict[str, int] = {}
        for ticket in self._log.list_tickets(
            tenant=None, status=TicketStatus.OPEN, overdue_at=None
        ):
            tenant = ticket.tenant or ""
            open_counts[tenant] = open_counts.get(tenant, 0) + 1
            if ticket.due is not None and ticket.due < now:
                overdue[tenant] = overdue.get(tenant, 0) + 1
        return OpenTicketsPerTenant(open_counts, overdue)
