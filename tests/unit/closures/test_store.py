"""The closures file in state_dir: written whole, changed under a lock, every change audited."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from pbx_bridge.closures.store import (
    AUDIT_FILE,
    ClosuresUnreadableError,
    change_closures,
    close,
    closures_path,
    read_closures,
    reopen,
)
from pbx_bridge.core.closures import WHOLE_CENTER, Closure
from tests.unit.core.factories import at

NOW = at("2026-12-03T09:30")


def storm(until: str | None = "2026-12-03T14:00", by: str = "admin") -> Closure:
    return Closure(WHOLE_CENTER, "Sturm", NOW, at(until) if until else None, "storm", by)


def audit(state_dir: Path) -> list[dict[str, object]]:
    lines = (state_dir / AUDIT_FILE).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_without_a_file_nothing_is_closed(tmp_path: Path) -> None:
    assert not read_closures(tmp_path)


def test_a_closure_written_is_read_back_the_same(tmp_path: Path) -> None:
    change_closures(tmp_path, NOW, lambda c: close(c, ["gifhorn", "meinersen"], storm()))
    closures = read_closures(tmp_path)
    assert [c.scope for c in closures.items] == ["gifhorn", "meinersen"]
    assert closures.items[0] == Closure(
        "gifhorn", "Sturm", NOW, at("2026-12-03T14:00"), "storm", "admin"
    )
    assert closures_path(tmp_path).stat().st_mode & 0o777 == 0o644


def test_every_change_is_appended_to_the_audit_trail(tmp_path: Path) -> None:
    change_closures(tmp_path, NOW, lambda c: close(c, ["gifhorn"], storm()))
    change_closures(tmp_path, NOW, lambda c: reopen(c, ["gifhorn"], "phone:201", NOW))
    first, second = audit(tmp_path)
    assert (first["what"], first["scope"], first["who"], first["reason"]) == (
        "close",
        "gifhorn",
        "admin",
        "Sturm",
    )
    assert first["until"] == "2026-12-03T13:00:00+00:00"
    assert (second["what"], second["who"], second["reason"]) == ("open", "phone:201", "Sturm")
    assert not read_closures(tmp_path)


def test_opening_everything_removes_the_centers_and_each_tenants_closure(tmp_path: Path) -> None:
    change_closures(tmp_path, NOW, lambda c: close(c, [WHOLE_CENTER, "gifhorn"], storm()))
    changes = change_closures(tmp_path, NOW, lambda c: reopen(c, None, "admin", NOW))
    assert {c.scope for c in changes} == {WHOLE_CENTER, "gifhorn"}
    assert not read_closures(tmp_path)


def test_opening_what_is_not_closed_writes_nothing(tmp_path: Path) -> None:
    assert change_closures(tmp_path, NOW, lambda c: reopen(c, ["gifhorn"], "admin", NOW)) == []
    assert not (tmp_path / AUDIT_FILE).exists()


def test_ended_closures_are_dropped_at_the_next_change(tmp_path: Path) -> None:
    change_closures(tmp_path, NOW, lambda c: close(c, ["gifhorn"], storm("2026-12-03T10:00")))
    later = at("2026-12-03T11:00")
    template = Closure(WHOLE_CENTER, "Streik", later, None, None, "admin")
    change_closures(tmp_path, later, lambda c: close(c, ["meinersen"], template))
    assert [c.scope for c in read_closures(tmp_path).items] == ["meinersen"]


def test_two_writers_at_once_lose_neither_change(tmp_path: Path) -> None:
    def close_one(scope: str) -> None:
        for _ in range(20):
            change_closures(tmp_path, NOW, lambda c: close(c, [scope], storm()))

    writers = [threading.Thread(target=close_one, args=(s,)) for s in ("a", "b", "c")]
    for w in writers:
        w.start()
    for w in writers:
        w.join()
    assert [c.scope for c in read_closures(tmp_path).items] == ["a", "b", "c"]
    assert len(audit(tmp_path)) == 60


def test_an_unreadable_file_is_reported_and_never_overwritten(tmp_path: Path) -> None:
    closures_path(tmp_path).write_text("{not json", encoding="utf-8")
    with pytest.raises(ClosuresUnreadableError):
        read_closures(tmp_path)
    with pytest.raises(ClosuresUnreadableError):
        change_closures(tmp_path, NOW, lambda c: close(c, ["gifhorn"], storm()))
    assert closures_path(tmp_path).read_text(encoding="utf-8") == "{not json"
