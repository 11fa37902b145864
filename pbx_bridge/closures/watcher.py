"""The daemon's view of the closures file: re-read when it changes, checked every second.

The check is a stat() in a worker thread, so the event loop never waits for the disk; a
call decided meanwhile uses the closures read last. A changed file is in force for the next
call within about a second (the interval), well inside the five seconds promised.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path

import structlog

from pbx_bridge.closures.store import ClosuresUnreadableError, closures_path, read_closures
from pbx_bridge.core.closures import NO_CLOSURES, Closure, Closures

log = structlog.get_logger("pbx_bridge.closures")

CHECK_INTERVAL_S = 1.0
_Stamp = tuple[int, int, int] | None  # inode, size, mtime in ns; None: no file


class ClosuresWatcher:
    def __init__(self, state_dir: Callable[[], Path]) -> None:
        self._state_dir = state_dir
        self._stamp: _Stamp = None
        self.closures: Closures = NO_CLOSURES  # replaced whole, never changed in place

    def current(self) -> Closures:
        return self.closures

    def refresh(self) -> bool:
        """Read the file again if it changed; True when the closures changed."""
        path = closures_path(self._state_dir())
        stamp = _stamp_of(path)
        if stamp == self._stamp:
            return False
        try:
            new = read_closures(path.parent) if stamp is not None else NO_CLOSURES
        except ClosuresUnreadableError as exc:
            # The closures read last stay in force; an admin fixes or removes the file.
            log.error("closures_unreadable", error=str(exc), kept=len(self.closures.items))
            self._stamp = stamp
            return False
        self._stamp = stamp
        old, self.closures = self.closures, new
        _log_changes(old, new)
        return old != new

    async def run(self, interval: float = CHECK_INTERVAL_S) -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                await asyncio.to_thread(self.refresh)
            except OSError as exc:
                log.error("closures_check_failed", error=str(exc))


def _stamp_of(path: Path) -> _Stamp:
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return None
    return (info.st_ino, info.st_size, info.st_mtime_ns)


def _log_changes(old: Closures, new: Closures) -> None:
    before = {c.scope: c for c in old.items}
    after = {c.scope: c for c in new.items}
    for scope, closure in after.items():
        if before.get(scope) != closure:
            log.warning("closure_in_force", **_fields(closure))
    for scope, closure in before.items():
        if scope not in after:
            log.warning("closure_lifted", **_fields(closure))


def _fields(closure: Closure) -> dict[str, object]:
    return {
        "scope": closure.scope,
        "reason": closure.reason,
        "by": closure.by,
        "since": closure.since.isoformat(),
        "until": closure.until.isoformat() if closure.until else None,
        "announcement": closure.announcement,
    }
