"""The tracker's calls in progress on disk: a snapshot plus a journal of what it was fed since.

A restarted daemon (even after kill -9) restores the snapshot and feeds the tracker the journal's
events and resyncs again, so it resumes from the moment it died, not from its last snapshot.
Snapshots alone (one every 2 s) are not enough: a call that begins after the last one would
be unknown to the restarted daemon, and lost if it ends before the daemon logs in again; a
call that ends after it would be closed a second time at the resync, "ended while the AMI
connection was down", and that record would replace the right one.

Files in the state directory:
- `tracker-state.json`: the snapshot, written atomically and fsynced; its `journal` names the
  first journal generation that follows it.
- `tracker-journal.<generation>.jsonl`: a header line (node), then one line per event or
  resync. Each line is one unbuffered `os.write` to a file opened for appending: once the call
  returns, the kernel holds the line, and kill -9 of the daemon cannot lose it. Lines are not
  fsynced; a machine crash loses what the page cache held, as a snapshot's age did before.

Taking a snapshot (on the event loop) starts a new generation; writing it (in a thread)
deletes the generations before it. If the daemon dies between the two, the previous snapshot
and both generations are still there, and the restart reads them all.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import structlog

from pbx_bridge.ami.state_file import load_state, save_state

log = structlog.get_logger("pbx_bridge.tracking")

SNAPSHOT = "tracker-state.json"
_JOURNAL = re.compile(r"^tracker-journal\.(\d+)\.jsonl$")


def journal_name(generation: int) -> str:
    return f"tracker-journal.{generation}.jsonl"


@dataclass(frozen=True)
class JournalEntry:
    """One input of the tracker: an AMI event, or the live channels of a resync."""

    at: datetime
    event: dict[str, str] | None = None
    live: list[dict[str, str]] | None = None


@dataclass(frozen=True)
class Restored:
    snapshot: dict[str, object] | None
    entries: list[JournalEntry]
    unreadable_lines: int = 0


class TrackerState:
    """Owns the state directory's snapshot and journal files for one node."""

    def __init__(self, directory: Path, node: str) -> None:
        self.directory = directory
        self.node = node
        self.generation = 0  # of the journal being written
        self._fd: int | None = None
        self._write_lock = threading.Lock()
        self._written = -1  # generation of the snapshot on disk, as this process wrote it
        self._append_failed = False

    @property
    def snapshot_path(self) -> Path:
        return self.directory / SNAPSHOT

    def _generations(self) -> list[int]:
        try:
            names = [p.name for p in self.directory.iterdir()]
        except FileNotFoundError:
            return []
        return sorted(int(m.group(1)) for name in names if (m := _JOURNAL.match(name)))

    # --- at start -------------------------------------------------------------------------

    def load(self) -> Restored:
        """The snapshot and the journal lines after it. Call before the first append."""
        snapshot = load_state(self.snapshot_path)
        first = 0
        if snapshot is not None:
            raw = snapshot.get("journal", 0)
            first = raw if isinstance(raw, int) else 0
        generations = self._generations()
        self.generation = max([first, *generations], default=0)
        entries: list[JournalEntry] = []
        unreadable = 0
        for generation in generations:
            if generation >= first:
                more, bad = self._read(self.directory / journal_name(generation))
                entries += more
                unreadable += bad
        if unreadable:
            log.warning("tracker_journal_lines_unreadable", lines=unreadable)
        return Restored(snapshot, entries, unreadable)

    def _read(self, path: Path) -> tuple[list[JournalEntry], int]:
        try:
            lines = path.read_bytes().splitlines()
        except OSError as exc:
            log.warning("tracker_journal_unreadable", path=str(path), error=str(exc))
            return [], 0
        if not lines or _header_node(lines[0]) != self.node:
            return [], 0  # another node's, or cut before its header: nothing of ours
        entries: list[JournalEntry] = []
        unreadable = 0
        for line in lines[1:]:
            entry = _entry(line)
            if entry is None:
                unreadable += 1  # a line cut by the kill, or damaged
            else:
                entries.append(entry)
        return entries, unreadable

    # --- while running (event loop) -------------------------------------------------------

    def append_event(self, event: Mapping[str, str], at: datetime) -> None:
        self._append({"at": at.isoformat(), "event": event})

    def append_resync(self, live: Sequence[Mapping[str, str]], at: datetime) -> None:
        self._append({"at": at.isoformat(), "live": [dict(c) for c in live]})

    def _append(self, entry: Mapping[str, object]) -> None:
        if self._fd is None:
            return
        # Default arguments: json's shared encoder, the fastest (~10 us for an event).
        line = json.dumps(entry) + "\n"
        try:
            os.write(self._fd, line.encode())
        except OSError as exc:
            if not self._append_failed:  # once per generation, not once per event
                log.warning("tracker_journal_not_written", error=str(exc))
            self._append_failed = True

    def take(self, snapshot: dict[str, object]) -> dict[str, object]:
        """Start the next journal generation; the snapshot to write, naming it.

        Call on the loop in the same step as the tracker's snapshot, so no event falls
        between the two.
        """
        self.close()
        self.generation += 1
        self._append_failed = False
        path = self.directory / journal_name(self.generation)
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_APPEND, 0o600)
            os.write(self._fd, json.dumps({"node": self.node}).encode() + b"\n")
        except OSError as exc:
            log.warning("tracker_journal_not_opened", path=str(path), error=str(exc))
            self.close()
        return {**snapshot, "journal": self.generation}

    # --- in a thread ----------------------------------------------------------------------

    def write(self, taken: dict[str, object]) -> None:
        """Write a taken snapshot, then delete the journal generations it makes redundant.

        Serialised, and a snapshot older than the one on disk is dropped: a cancelled
        writer thread may still run while the daemon writes its final snapshot.
        """
        generation = taken.get("journal")
        assert isinstance(generation, int)
        with self._write_lock:
            if generation <= self._written:
                return
            try:
                save_state(self.snapshot_path, taken)
            except OSError as exc:
                log.warning("tracker_state_not_saved", error=str(exc))
                return
            self._written = generation
            for old in self._generations():
                if old < generation:
                    (self.directory / journal_name(old)).unlink(missing_ok=True)

    def close(self) -> None:
        """Close the journal being written (taking a snapshot opens the next one)."""
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None


def _header_node(line: bytes) -> str | None:
    try:
        header = json.loads(line)
    except ValueError:
        return None
    node = header.get("node") if isinstance(header, dict) else None
    return node if isinstance(node, str) else None


def _entry(line: bytes) -> JournalEntry | None:
    try:
        raw = json.loads(line)
        at = datetime.fromisoformat(raw["at"])
        if "event" in raw:
            return JournalEntry(at, event=_strings(raw["event"]))
        return JournalEntry(at, live=[_strings(c) for c in raw["live"]])
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def _strings(raw: object) -> dict[str, str]:
    if not isinstance(raw, dict):
        raise TypeError("not an object")
    return {str(k): str(v) for k, v in raw.items()}
