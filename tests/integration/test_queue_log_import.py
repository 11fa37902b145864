"""A center's queue_log imports to the outcomes the daemon recorded for the same calls.

The traffic mix runs through the real Asterisk 22 with the daemon tracking over AMI; then
Asterisk's own queue_log of that run is imported into a second, empty call log with
`pbx-bridge import queue-log`, and each call's outcome is compared by call id (the caller's
uniqueid in the queue_log is the call's Linkedid, the daemon's key).
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from tests.testbed import record_ami as mix
from tests.testbed.asterisk import Testbed
from tests.testbed.callcenter import TRANSFER_QUEUE, CallCenter
from tests.testbed.mix_run import Scenario, run_mix, start_center
from tests.unit.cli_reports.console import write_config

pytestmark = pytest.mark.asterisk

# The calls that reach a queue: only those are in the queue_log.
SCENARIOS: Sequence[Scenario] = (
    mix.resolved,
    mix.agent_hangs_up,
    mix.blind_transfer,
    mix.abandoned,
    mix.overflow,
)


@pytest.fixture(scope="module")
def center(testbed: Testbed, tmp_path_factory: pytest.TempPathFactory) -> Iterator[CallCenter]:
    pbx = start_center(testbed, tmp_path_factory.mktemp("queue-log"))
    yield pbx
    pbx.stop()


def outcomes(database: Path) -> dict[str, str]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as db:
        return dict(db.execute("SELECT call_id, outcome FROM calls").fetchall())


def test_the_queue_log_of_real_calls_imports_to_the_daemons_outcomes(
    center: CallCenter, tmp_path: Path
) -> None:
    tracked, planned = run_mix(center, SCENARIOS, tmp_path)
    recorded = outcomes(tracked.database)
    assert sorted(recorded.values()) == sorted(
        ["resolved", "resolved", "transferred", "abandoned", "overflow"]
    ), recorded

    history = write_config(tmp_path / "history", f"sqlite:///{tmp_path / 'history.sqlite3'}")
    queue_map = f"servicecenter=gifhorn,{TRANSFER_QUEUE}=isenbuettel"
    done = subprocess.run(
        [sys.executable, "-m", "pbx_bridge", "import", "queue-log", str(center.asterisk.queue_log),
         "--queue-map", queue_map, "--config", str(history)],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    imported = outcomes(tmp_path / "history.sqlite3")
    assert imported == recorded

    # Into the daemon's own call log the same file adds nothing: the calls are recorded.
    again = subprocess.run(
        [sys.executable, "-m", "pbx_bridge", "import", "queue-log", str(center.asterisk.queue_log),
         "--queue-map", queue_map, "--config", str(tracked.config)],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert f"{len(planned)} skipped (recorded by the daemon)" in again.stdout
    assert len(tracked.records()) == len(planned)
