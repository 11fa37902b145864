"""The daemon's snapshot keeps what the storage worker had not written, and a restarted
daemon hands it over again: kill -9 while the database is slow loses no record.

The composition root's own tracking part on a real state directory and SQLite file; AMI is
configured but never connected (nothing here starts the link).
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from pbx_bridge.config.loader import load_config
from pbx_bridge.core.calls import Outcome
from pbx_bridge.daemon import _Tracking
from pbx_bridge.metrics.registry import Metrics
from tests.testbed import center
from tests.unit.storage.builders import answered, wrapup


def bridge_config(tmp_path: Path) -> Path:
    path = center.write_center(
        tmp_path / "config", center.EXAMPLE_TENANTS, agi_port=4573, sounds_dir=tmp_path / "s"
    )
    secret = tmp_path / "ami.secret"
    secret.write_text("not-used\n")
    secret.chmod(0o600)
    bridge = yaml.safe_load(path.read_text())
    bridge["state_dir"] = str(tmp_path / "state")
    bridge["database"] = {"url": f"sqlite:///{tmp_path / 'calls.sqlite3'}"}
    bridge["ami"] = {"host": "127.0.0.1", "port": 5038, "username": "u", "secret_file": str(secret)}
    path.write_text(yaml.safe_dump(bridge))
    return path


def tracking(path: Path) -> _Tracking:
    return _Tracking(load_config(path), Metrics())


def test_records_not_written_before_a_kill_are_handed_over_by_the_restarted_daemon(
    tmp_path: Path,
) -> None:
    path = bridge_config(tmp_path)
    first = tracking(path)
    node = first.node
    calls = [answered(f"1554102000.{index}", node=node) for index in range(40, 43)]
    for call in calls:
        first.worker.record(call)  # the worker never ran: a database slower than the kill
    callback = wrapup(calls[0], Outcome.CALLBACK)
    first.worker.wrapup(callback)
    first.persistence.save()  # the 2 s snapshot; then kill -9
    saved = json.loads((tmp_path / "state" / "tracker-state.json").read_text())
    assert len(saved["unwritten"]) == 4

    second = tracking(path)
    assert second.worker.unwritten() == [*calls, callback]
    second.worker.start()
    assert second.worker.stop(timeout=10)
    for call in calls:
        assert second.worker._log.get_record(node, call.call_id) is not None
    stored = second.worker._log.get_record(node, calls[0].call_id)
    assert stored is not None and stored.outcome is Outcome.CALLBACK


def test_after_a_clean_stop_nothing_is_handed_over_twice(tmp_path: Path) -> None:
    path = bridge_config(tmp_path)
    first = tracking(path)
    first.worker.record(answered("1554102000.44", node=first.node))
    first.worker.start()
    assert first.worker.stop(timeout=10)
    first.persistence.save()  # as the daemon's stop does: after the worker's flush
    assert tracking(path).worker.unwritten() == []
