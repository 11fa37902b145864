"""The daemon follows the closures file: a change is read at the next check, not before."""

from __future__ import annotations

import os
from pathlib import Path

from pbx_bridge.closures.store import change_closures, close, closures_path, reopen
from pbx_bridge.closures.watcher import ClosuresWatcher
from pbx_bridge.core.closures import WHOLE_CENTER, Closure
from tests.unit.core.factories import at

NOW = at("2026-12-03T09:30")
STORM = Closure(WHOLE_CENTER, "Sturm", NOW, None, None, "admin")


def test_a_new_closure_is_seen_at_the_next_check(tmp_path: Path) -> None:
    watcher = ClosuresWatcher(lambda: tmp_path)
    assert watcher.refresh() is False
    change_closures(tmp_path, NOW, lambda c: close(c, ["gifhorn"], STORM))
    assert not watcher.current()  # not before the check
    assert watcher.refresh() is True
    assert [c.scope for c in watcher.current().items] == ["gifhorn"]
    assert watcher.refresh() is False  # unchanged file: not read again


def test_an_opened_tenant_is_seen_at_the_next_check(tmp_path: Path) -> None:
    change_closures(tmp_path, NOW, lambda c: close(c, ["gifhorn"], STORM))
    watcher = ClosuresWatcher(lambda: tmp_path)
    watcher.refresh()
    change_closures(tmp_path, NOW, lambda c: reopen(c, None, "admin", NOW))
    assert watcher.refresh() is True
    assert not watcher.current()


def test_a_broken_file_keeps_the_closures_read_last(tmp_path: Path) -> None:
    change_closures(tmp_path, NOW, lambda c: close(c, ["gifhorn"], STORM))
    watcher = ClosuresWatcher(lambda: tmp_path)
    watcher.refresh()
    closures_path(tmp_path).write_text("[]", encoding="utf-8")
    assert watcher.refresh() is False
    assert [c.scope for c in watcher.current().items] == ["gifhorn"]


def test_a_removed_file_means_nothing_is_closed(tmp_path: Path) -> None:
    change_closures(tmp_path, NOW, lambda c: close(c, ["gifhorn"], STORM))
    watcher = ClosuresWatcher(lambda: tmp_path)
    watcher.refresh()
    os.remove(closures_path(tmp_path))
    assert watcher.refresh() is True
    assert not watcher.current()
