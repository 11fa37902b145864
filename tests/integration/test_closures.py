"""A supervisor closes the center now (`pbx-bridge close`) and opens it again: what callers
hear through the real Asterisk, with the daemon running and with the daemon killed (the
failsafe reads the same closures). Every assertion reads Asterisk's own AMI events."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.testbed import center, sounds
from tests.testbed.callcenter import CallCenter, Daemons
from tests.testbed.daemon import DAEMON
from tests.testbed.sipp import Call

STORM = "storm"
# The daemon checks the closures file every second: the next call after this is closed.
EFFECTIVE_WITHIN_S = 5.0


@pytest.fixture
def state_dir(call_center: CallCenter) -> Iterator[Path]:
    """The state_dir of the written configuration (its default, next to the config folder),
    with no closures left behind for the next test."""
    path = (call_center.config_dir / ".." / "var").resolve()
    sounds.make_tone(call_center.sounds_dir / sounds.LANGUAGE / f"{STORM}.wav", seconds=0.6)
    yield path
    (path / "closures.json").unlink(missing_ok=True)


def pbx_bridge(call_center: CallCenter, *argv: str) -> subprocess.CompletedProcess[str]:
    config = call_center.config_dir / "bridge.yaml"
    return subprocess.run(
        [str(DAEMON), *argv, "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_closing_gifhorn_on_the_running_daemon_closes_the_next_call_and_open_restores_it(
    call_center: CallCenter, daemons: Daemons, state_dir: Path
) -> None:
    daemons.start()
    [before] = call_center.run_calls([Call(center.GIFHORN_CENTRAL)])
    assert before.var("PBXB_ACTION") == "queue", before.describe()

    closed = pbx_bridge(
        call_center, "close", "gifhorn", "--reason", "Sturm", "--for", "2h",
        "--announcement", STORM,
    )  # fmt: skip
    assert closed.returncode == 0, closed.stderr
    time.sleep(EFFECTIVE_WITHIN_S)
    during = call_center.run_calls(
        [Call(center.GIFHORN_CENTRAL), Call(center.GIFHORN_KFZ), Call(center.MEINERSEN_CENTRAL)]
    )
    for trace in during[:2]:
        assert trace.var("PBXB_DECIDED_BY") == "daemon", trace.describe()
        assert trace.var("PBXB_ACTION") == "closed", trace.describe()
        assert trace.var("PBXB_REASON") == "closure: Sturm", trace.describe()
        assert trace.heard == [f"pbx-bridge/{STORM}"], trace.describe()
        assert trace.queues_joined == [], trace.describe()
    assert during[2].var("PBXB_ACTION") == "queue", during[2].describe()  # Meinersen stays open

    opened = pbx_bridge(call_center, "open", "gifhorn")
    assert opened.returncode == 0, opened.stderr
    time.sleep(EFFECTIVE_WITHIN_S)
    [after] = call_center.run_calls([Call(center.GIFHORN_CENTRAL)])
    assert after.var("PBXB_ACTION") == "queue", after.describe()
    assert after.heard[:1] == ["pbx-bridge/gifhorn"], after.describe()


def test_with_the_daemon_killed_the_failsafe_honours_a_closure_of_the_whole_center(
    call_center: CallCenter, daemons: Daemons, state_dir: Path
) -> None:
    daemon = daemons.start()
    closed = pbx_bridge(call_center, "close", "--all", "--reason", "Stromausfall")
    assert closed.returncode == 0, closed.stderr
    assert daemon.process is not None
    os.killpg(daemon.process.pid, signal.SIGKILL)
    daemon.process.wait(10)
    [gifhorn, unrouted] = call_center.run_calls(
        [Call(center.GIFHORN_CENTRAL), Call(center.UNKNOWN_NUMBER)]
    )
    for trace in (gifhorn, unrouted):
        assert trace.var("PBXB_DECIDED_BY") == "fallback", trace.describe()
        assert trace.var("PBXB_ACTION") == "closed", trace.describe()
        assert trace.var("PBXB_REASON") == "closure: Stromausfall", trace.describe()
        assert trace.queues_joined == [], trace.describe()
    assert gifhorn.heard == ["pbx-bridge/gifhorn-closed"], gifhorn.describe()
    assert unrouted.heard == ["pbx-bridge/closed"], unrouted.describe()

    opened = pbx_bridge(call_center, "open", "--all")
    assert opened.returncode == 0, opened.stderr
    [after] = call_center.run_calls([Call(center.GIFHORN_CENTRAL)])
    assert after.var("PBXB_DECIDED_BY") == "fallback", after.describe()
    assert after.var("PBXB_ACTION") == "queue", after.describe()
