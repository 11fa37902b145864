"""What callers and the call log go through when something breaks: the six fault scenarios of
`tests/system/faults.py` in their short CI versions, against the real Asterisk.

One load-sized testbed (`tests.system.soak_bed.Bed`: 60 agents on a shared SIPp, REFER agents,
a clerk, a switchboard) serves the module; each scenario starts its own daemon(s) and places
its own callers. The scenario functions hold the pass conditions; a failure names every
condition it missed and the figures measured.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from tests.system import fault_steps, faults
from tests.system.soak_bed import Bed
from tests.testbed.asterisk import Testbed
from tests.testbed.postgres import ADMIN_URL, connect_admin


@pytest.fixture(scope="module")
def bed(testbed: Testbed, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bed]:
    started = Bed.start(testbed, tmp_path_factory.mktemp("faults") / "bed")
    yield started
    started.stop()


def run_scenario(bed: Bed, tmp_path: Path, number: int) -> fault_steps.FaultResult:
    result = faults.run(bed, tmp_path, number, fault_steps.CI, catch=False)
    print(result.report())
    assert result.checked >= 5, f"fault {number} checked too little:\n{result.report()}"
    assert result.passed, result.report()
    return result


def test_kill_9_of_the_daemon_leaves_no_caller_in_silence_and_every_call_recorded(
    bed: Bed, tmp_path: Path
) -> None:
    run_scenario(bed, tmp_path, 1)


def test_asterisk_restart_is_followed_by_an_ami_login_within_5_s_and_one_record_per_call(
    bed: Bed, tmp_path: Path
) -> None:
    run_scenario(bed, tmp_path, 2)


def test_a_silent_ami_peer_is_dropped_within_15_s_and_the_daemon_logs_in_again(
    bed: Bed, tmp_path: Path
) -> None:
    run_scenario(bed, tmp_path, 3)


def test_records_of_a_database_outage_are_spooled_and_all_written_afterwards(
    bed: Bed, tmp_path: Path
) -> None:
    try:
        connect_admin().close()
    except psycopg.OperationalError as exc:  # in CI (CI=true) this skip fails the run
        pytest.skip(f"PostgreSQL at {ADMIN_URL} unreachable: {exc}")
    run_scenario(bed, tmp_path, 4)


def test_a_configuration_reload_every_second_fails_no_call(bed: Bed, tmp_path: Path) -> None:
    run_scenario(bed, tmp_path, 5)


def test_hostile_fastagi_peers_leave_every_call_decided_by_the_daemon(
    bed: Bed, tmp_path: Path
) -> None:
    # The p99 limit (20 ms) is judged by the full run, `python -m tests.system.faults --only 6`:
    # speed targets belong to the benchmark scripts, not to a timed test on a shared machine.
    run_scenario(bed, tmp_path, 6)
