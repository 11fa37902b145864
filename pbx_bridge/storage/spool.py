"""When the database does not answer, records go to an append-only spool on disk.

The spool is JSON lines, fsync'd before a write returns, replayed in order once the database
answers again. Replay is idempotent (records are upserts, wrap-ups last-wins by time), so a
crash half-way through replay loses nothing and counts nothing twice.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import structlog

from pbx_bridge.core.calls import CallRecord, Wrapup
from pbx_bridge.storage.calllog import CallLog
from pbx_bridge.storage.codec import decode, encode_record, encode_wrapup
from pbx_bridge.storage.engine import UNAVAILABLE_ERRORS
from pbx_bridge.storage.writes import WrapupResult, WrapupStatus

SPOOL_FILE = "calls.jsonl"
REJECTED_FILE = "rejected.jsonl"  # entries that could not be decoded, kept for a human
DEFAULT_RETRY_INTERVAL_S = 10.0

log = structlog.get_logger("pbx_bridge.storage")


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _append_lines(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    created = not path.exists()
    with path.open("a+b") as spool:
        size = spool.seek(0, os.SEEK_END)
        if size:
            spool.seek(size - 1)
            if spool.read(1) != b"\n":
                # A crash inside an earlier append left half a line; its write never returned,
                # so nobody counted it as stored. Cut it off rather than glue a new line to it.
                content = path.read_bytes()
                spool.truncate(content.rfind(b"\n") + 1)
                log.error("spool_incomplete_entry_dropped", path=str(path))
        spool.seek(0, os.SEEK_END)
        spool.write("".join(line + "\n" for line in lines).encode("utf-8"))
        spool.flush()
        os.fsync(spool.fileno())
    if created:
        _fsync_dir(path.parent)  # the new file's name must survive a power cut too


class SpoolingWriter:
    """`CallLog`'s write API that never loses a record to an unavailable database.

    After a failure the database is left alone for `retry_interval_s` (writes go straight to
    the spool), so an outage costs each call one append, not one busy timeout.
    """

    def __init__(
        self,
        call_log: CallLog,
        spool_dir: Path,
        *,
        retry_interval_s: float = DEFAULT_RETRY_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.call_log = call_log
        self.spool_dir = spool_dir
        self.path = spool_dir / SPOOL_FILE
        self.retry_interval_s = retry_interval_s
        self._clock = clock
        self._failed_at: float | None = None
        self._lock = threading.Lock()

    @property
    def pending(self) -> int:
        """How many entries wait in the spool."""
        with self._lock:
            return len(self._read())

    def write_record(self, record: CallRecord) -> bool:
        """True: in the database; False: spooled."""
        return self.write_records([record])

    def write_records(self, records: Sequence[CallRecord]) -> bool:
        """`write_record` for several in one transaction; True: all in the database, False: all
        spooled (one append, one fsync)."""
        with self._lock:
            if self._try_database():
                try:
                    self.call_log.write_records(records)
                    return True
                except UNAVAILABLE_ERRORS as error:
                    self._unavailable(error)
            _append_lines(self.path, [encode_record(record) for record in records])
            return False

    def apply_wrapup(self, wrapup: Wrapup, node: str) -> WrapupResult:
        with self._lock:
            if self._try_database():
                try:
                    return self.call_log.apply_wrapup(wrapup, node)
                except UNAVAILABLE_ERRORS as error:
                    self._unavailable(error)
            _append_lines(self.path, [encode_wrapup(wrapup, node)])
            return WrapupResult(WrapupStatus.SPOOLED, "database unavailable; applied on replay")

    def replay(self, *, force: bool = True) -> bool:
        """Write the spool to the database; True when the spool is empty afterwards.

        `force=False` (the worker's periodic replay) leaves a database that failed less than
        `retry_interval_s` ago alone: each attempt at a locked SQLite or an unreachable server
        blocks for a busy or connect timeout, and records would pile up in memory meanwhile
        instead of reaching the spool on disk."""
        with self._lock:
            if force:
                self._failed_at = None
            return self._try_database()

    @property
    def resting(self) -> bool:
        """The database failed less than `retry_interval_s` ago; writes go to the spool."""
        with self._lock:
            failed_at = self._failed_at
        return failed_at is not None and self._clock() - failed_at < self.retry_interval_s

    def _unavailable(self, error: BaseException) -> None:
        self._failed_at = self._clock()
        log.warning("database_unavailable_spooling", spool=str(self.path), error=str(error))

    def _try_database(self) -> bool:
        """Whether the database may be written now: not resting, and the spool replayed first
        (an entry must never overtake an older one)."""
        if self._failed_at is not None:
            if self._clock() - self._failed_at < self.retry_interval_s:
                return False
            self._failed_at = None
        entries = self._read()
        for index, line in enumerate(entries):
            try:
                item = decode(line)
            except (ValueError, KeyError, TypeError) as error:
                log.error(
                    "spool_entry_unreadable",
                    spool=str(self.path),
                    rejected=REJECTED_FILE,
                    error=str(error),
                )
                _append_lines(self.spool_dir / REJECTED_FILE, [line])
                continue
            try:
                if isinstance(item, CallRecord):
                    self.call_log.write_record(item)
                else:
                    self.call_log.apply_wrapup(*item)
            except UNAVAILABLE_ERRORS as error:
                self._unavailable(error)
                if index:
                    self._rewrite(entries[index:])
                return False
        if self.path.exists():
            self.path.unlink()
            _fsync_dir(self.spool_dir)
            log.info("spool_replayed", entries=len(entries))
        return True

    def _read(self) -> list[str]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        # Without a final newline the last entry was cut off by a crash (see _append_lines).
        return [line for line in text.split("\n")[:-1] if line.strip()]

    def _rewrite(self, remaining: list[str]) -> None:
        """Keep only what is not replayed yet; atomic, so a crash keeps the old spool whole."""
        temporary = self.path.with_suffix(".tmp")
        with temporary.open("w", encoding="utf-8") as spool:
            spool.write("".join(line + "\n" for line in remaining))
            spool.flush()
            os.fsync(spool.fileno())
        os.replace(temporary, self.path)
        _fsync_dir(self.spool_dir)
