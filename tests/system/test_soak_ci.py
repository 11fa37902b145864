"""The soak of issue 6 at CI size: 500 calls of the realistic mix at 20 per second (about 25 s of
traffic, a minute in all) through the real Asterisk, tracked into SQLite by the daemon.

`python -m tests.system.soak` (`make soak`) runs the same with 5,000 calls.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.system.soak import RSS_GROWTH_LIMIT, run_soak
from tests.system.soak_bed import Bed
from tests.testbed.asterisk import Testbed

CALLS = 500
RATE = 20.0


@dataclass(frozen=True)
class DaemonLog:
    """So that a failing test prints the soak daemon's log (see conftest)."""

    path: Path

    def log_files(self) -> list[tuple[str, Path]]:
        return [(f"pbx-bridge daemon ({self.path})", self.path)]


@pytest.fixture
def soak_bed(testbed: Testbed, tmp_path: Path) -> Iterator[Bed]:
    bed = Bed.start(testbed, tmp_path / "bed")
    yield bed
    bed.stop()


@pytest.fixture
def daemon_log(tmp_path: Path) -> DaemonLog:
    return DaemonLog(tmp_path / "daemon" / "daemon.log")


def test_500_calls_of_the_mix_leave_one_right_record_each_and_a_clean_flat_daemon(
    soak_bed: Bed, daemon_log: DaemonLog
) -> None:
    run = run_soak(soak_bed, daemon_log.path.parent, CALLS, RATE)
    report = run.report()
    print(report)

    # Every caller's call completed, was decided by the daemon, and heard its greeting.
    assert run.callers.ok, report
    assert (run.callers.successful, run.callers.failed) == (CALLS, 0), report
    assert run.decided == {"daemon": CALLS}, report
    assert run.unheard == [], report
    assert run.wrapup_failures == [], report
    # Exactly one record per call placed, with the planned tenant and outcome.
    assert run.check.stored == CALLS, report
    assert run.check.missing == [], report
    assert run.check.duplicated == [], report
    assert run.check.unexpected == [], report
    assert run.check.wrong == [], report
    assert run.check.got_counts == run.check.expected_counts, report
    assert {outcome for _, outcome in run.check.got_counts} == {
        "resolved", "transferred", "callback", "abandoned", "overflow", "closed", "unrouted",
    }  # fmt: skip
    # One callback ticket per callback call.
    assert run.callbacks > 0
    assert run.tickets == run.callbacks, report
    # The daemon: no error line, memory flat over the traffic.
    assert run.errors == [], report
    assert run.rss is not None, report
    assert run.rss.growth < RSS_GROWTH_LIMIT, report
    assert run.passed, report
