"""Six fault scenarios against the real Asterisk testbed, each with a pass condition.

    python -m tests.system.faults [--only 1 4] [--ci] [--keep]

1. `kill -9` of the daemon during traffic: every caller completes and hears a greeting (the
   dialplan's fallback decides while the daemon is down); the restarted daemon restores its
   saved calls, resyncs, and every call has exactly one record.
2. Asterisk restarted during traffic: the daemon is logged in again within 5 s of Asterisk's
   manager port accepting; every call Asterisk took has exactly one record.
3. An AMI peer that stays connected but goes silent (a proxy between daemon and Asterisk
   stops passing anything): the watchdog drops it within 15 s of the last byte; the daemon
   logs in again.
4. The database unavailable (SQLite: another writer holds the lock; PostgreSQL: the daemon's
   connection path is cut; both at once, one daemon each): records go to the spool and reach
   the database afterwards; none is lost, none doubled.
5. A configuration reload every second during traffic: no call fails, every call is decided
   by the daemon with a valid configuration.
6. Hostile FastAGI peers (1,000 idle sockets, half-open, half-closed, garbage, resets) during
   traffic: the routing decision (daemon histogram) and the AGI step (Asterisk's timestamps)
   stay under 20 ms at p99; no call fails or falls back.

Each prints its figures and PASS or FAIL; the exit status is 1 when any failed. `--ci` runs the
shorter versions that `tests/system/test_faults.py` runs (e.g. a 10 s database outage
instead of 60 s).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from tests.system.fault_links import kill_daemon, restart_asterisk, silent_ami
from tests.system.fault_service import database_outage, hostile_peers, reload_every_second
from tests.system.fault_steps import CI, FULL, FaultResult, Scale
from tests.system.soak_bed import Bed
from tests.testbed.asterisk import Testbed, provision
from tests.testbed.provenance import code_version

# ---- running them ---------------------------------------------------------------------------

SCENARIOS: dict[int, Callable[[Bed, Path, Scale], FaultResult]] = {
    1: kill_daemon,
    2: restart_asterisk,
    3: silent_ami,
    4: database_outage,
    5: reload_every_second,
    6: hostile_peers,
}


def run(bed: Bed, run_dir: Path, number: int, scale: Scale, *, catch: bool = True) -> FaultResult:
    """One scenario, timed. With `catch`, one that breaks down (a step timed out) is a FAIL
    and the next runs; without, the exception propagates (a test shows its traceback)."""
    started = time.monotonic()
    try:
        result = SCENARIOS[number](bed, run_dir / f"fault{number}", scale)
    except Exception as exc:
        if not catch:
            raise
        result = FaultResult(number, SCENARIOS[number].__name__)
        result.require(False, f"broke down: {type(exc).__name__}: {exc}")
    result.seconds = time.monotonic() - started
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.system.faults", description=__doc__)
    parser.add_argument("--only", type=int, nargs="+", choices=sorted(SCENARIOS))
    parser.add_argument("--ci", action="store_true", help="the shorter CI versions")
    parser.add_argument("--keep", action="store_true", help="keep the run folder")
    args = parser.parse_args(argv)
    scale = CI if args.ci else FULL
    testbed: Testbed = provision()
    run_dir = Path(tempfile.mkdtemp(prefix="pbxb-faults-"))
    print(f"run folder: {run_dir}", file=sys.stderr)
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    print(f"faults ({scale.name}): {stamp}, commit {code_version()}", flush=True)
    started = time.monotonic()
    bed = Bed.start(testbed, run_dir / "bed")
    results: list[FaultResult] = []
    try:
        for number in args.only or sorted(SCENARIOS):
            result = run(bed, run_dir, number, scale)
            print(result.report(), flush=True)
            results.append(result)
    finally:
        bed.stop()
    passed = all(r.passed for r in results)
    print(
        f"faults: {sum(r.passed for r in results)} of {len(results)} passed "
        f"({time.monotonic() - started:.0f} s)"
    )
    if passed and not args.keep:
        shutil.rmtree(run_dir, ignore_errors=True)
    else:
        print(f"logs kept in {run_dir}", file=sys.stderr)
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
