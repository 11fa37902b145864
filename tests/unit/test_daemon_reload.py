"""SIGHUP reloads: parsed off the event loop, every outcome answered with READY=1, the old
configuration serving whenever the new one is refused."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from pbx_bridge import daemon as daemon_module
from pbx_bridge.config.loader import BridgeConfig, load_config
from pbx_bridge.daemon import Daemon
from pbx_bridge.gil_turns import SHORT_TURN_S
from pbx_bridge.systemd_notify import SystemdNotifier
from tests.testbed import center
from tests.unit.config.tree import BILLION_LAUGHS


class RecordingNotifier(SystemdNotifier):
    def __init__(self) -> None:
        super().__init__(address="")
        self.sent: list[str] = []

    def send(self, *lines: str) -> bool:
        self.sent.append(lines[0])
        return True


def start(tmp_path: Path) -> tuple[Daemon, RecordingNotifier, Path]:
    path = center.write_center(
        tmp_path / "config", center.EXAMPLE_TENANTS, agi_port=4573, sounds_dir=tmp_path / "s"
    )
    notifier = RecordingNotifier()
    return Daemon(load_config(path), notifier=notifier), notifier, path


def reloads(daemon: Daemon, result: str) -> float:
    value: float = daemon.metrics.config_reloads.labels(result)._value.get()
    return value


async def answered(daemon: Daemon, sighups: int = 1) -> None:
    for _ in range(sighups):
        daemon.reload()
    assert daemon._reloader is not None
    await asyncio.wait_for(daemon._reloader, 10)


async def test_an_alias_bomb_sent_by_sighup_is_rejected_and_the_old_config_serves(
    tmp_path: Path,
) -> None:
    daemon, notifier, path = start(tmp_path)
    before = daemon.config.current().generation
    (path.parent / "tenants" / "bomb.yaml").write_text(BILLION_LAUGHS)
    with capture_logs() as logs:
        started = time.monotonic()
        await answered(daemon)
    assert time.monotonic() - started < 5
    assert daemon.config.current().generation == before
    assert notifier.sent == ["RELOADING=1", "READY=1"]
    assert reloads(daemon, "failed") == 1
    events = [entry["event"] for entry in logs]
    assert events[-1] == "config_reload_rejected"
    assert "config_reload_error" in events


async def test_a_loader_bug_is_a_rejected_reload_not_a_loop_callback_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    daemon, notifier, _path = start(tmp_path)

    def broken(_path: Path) -> BridgeConfig:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(daemon_module, "load_config", broken)
    with capture_logs() as logs:
        await answered(daemon)
    assert notifier.sent == ["RELOADING=1", "READY=1"]
    assert reloads(daemon, "failed") == 1
    rejected = [entry for entry in logs if entry["event"] == "config_reload_rejected"]
    assert rejected and rejected[0]["errors"] == 1


async def test_the_event_loop_keeps_running_while_a_reload_parses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    daemon, _notifier, _path = start(tmp_path)
    real_load = load_config

    def slow(path: Path) -> BridgeConfig:
        time.sleep(0.5)  # a large configuration being parsed
        return real_load(path)

    monkeypatch.setattr(daemon_module, "load_config", slow)
    daemon.reload()
    ticks = 0
    worst = 0.0
    assert daemon._reloader is not None
    while not daemon._reloader.done():
        before = time.monotonic()
        await asyncio.sleep(0.01)
        worst = max(worst, time.monotonic() - before)
        ticks += 1
    assert ticks >= 10  # on the loop, the half-second load would have allowed none
    assert worst < 0.25
    assert reloads(daemon, "ok") == 1


async def test_every_sighup_gets_its_own_reload_one_after_the_other(tmp_path: Path) -> None:
    daemon, notifier, _path = start(tmp_path)
    await answered(daemon, sighups=3)
    assert reloads(daemon, "ok") == 3
    assert notifier.sent == ["RELOADING=1", "READY=1"] * 3


async def test_the_worker_gets_short_gil_turns_only_while_a_reload_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    daemon, _notifier, _path = start(tmp_path)
    real_load = load_config
    seen: list[float] = []

    def watched(path: Path) -> BridgeConfig:
        seen.append(sys.getswitchinterval())
        return real_load(path)

    monkeypatch.setattr(daemon_module, "load_config", watched)
    before = sys.getswitchinterval()
    await answered(daemon)
    assert seen == [SHORT_TURN_S]
    assert sys.getswitchinterval() == before
