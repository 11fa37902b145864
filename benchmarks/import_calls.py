"""Time `pbx-bridge import calls` on a generated CSV of 1,000,000 calls (target: < 60 s), with
its peak memory beside that of a 100,000-row import: flat memory means the two are alike.

    python -m benchmarks.import_calls [--rows 1000000] [--dir var/import-bench]

Each import runs as its own `pbx-bridge` process into a fresh SQLite call log, so the peak
RSS printed is the importer's alone (the generator streams the file and holds nothing).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pbx_bridge.core.calls import Outcome
from pbx_bridge.history.calls_csv import COLUMNS

TENANTS = Path(__file__).resolve().parents[1] / "config" / "tenants"
_OUTCOMES = [
    (Outcome.RESOLVED, 0.58),
    (Outcome.TRANSFERRED, 0.15),
    (Outcome.CALLBACK, 0.15),
    (Outcome.ABANDONED, 0.06),
    (Outcome.OVERFLOW, 0.01),
    (Outcome.CLOSED, 0.05),
]
_DEPARTMENTS = {"gifhorn": ["Zentrale", "Kfz-Zulassung"], "meinersen": ["Zentrale"]}


@dataclass(frozen=True)
class Run:
    rows: int
    seconds: float
    peak_rss_mib: float


def generate(path: Path, rows: int, seed: int = 19) -> None:
    """`rows` calls over the years before 2026, streamed to `path`."""
    rng = random.Random(seed)
    outcomes, weights = zip(*_OUTCOMES, strict=True)
    start = datetime(2016, 1, 4, 7, 0, tzinfo=UTC)
    step = timedelta(days=365 * 10) / rows
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for index in range(rows):
            outcome = rng.choices(outcomes, weights)[0]
            tenant = rng.choice(("gifhorn", "meinersen"))
            answered = outcome in (Outcome.RESOLVED, Outcome.TRANSFERRED, Outcome.CALLBACK)
            queued = outcome is not Outcome.CLOSED
            writer.writerow(
                (
                    (start + index * step).isoformat(timespec="seconds"),
                    tenant,
                    rng.choice(_DEPARTMENTS[tenant]),
                    outcome.value,
                    f"{rng.uniform(0, 90):.1f}" if queued else "",
                    f"{rng.uniform(30, 600):.0f}" if answered else "",
                    f"05371 {rng.randrange(10_000, 99_999)}xxx",
                    "05371 82-0",
                    f"hist-{index}",
                )
            )


def write_config(directory: Path) -> Path:
    path = directory / "bridge.yaml"
    path.write_text(
        f"""service_center:
  name: Import benchmark
  timezone: Europe/Berlin
  queue: servicecenter
  unrouted_greeting: servicecenter
tenants_dir: {TENANTS}
state_dir: {directory / "var"}
database:
  url: "sqlite:///{directory / "calls.sqlite3"}"
""",
        encoding="utf-8",
    )
    return path


def import_once(directory: Path, rows: int) -> Run:
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("calls.sqlite3*"):
        stale.unlink()
    csv_path = directory / f"history-{rows}.csv"
    if not csv_path.exists():
        generate(csv_path, rows)
    config = write_config(directory)
    # Schema first, so the timed run measures the import alone.
    command = [sys.executable, "-m", "pbx_bridge.cli.main"]
    subprocess.run([*command, "db", "upgrade", "--config", str(config)], check=True)
    log_path = directory / "import.log"
    started = time.perf_counter()
    with (
        log_path.open("w") as log,
        subprocess.Popen(
            [*command, "import", "calls", str(csv_path), "--config", str(config)],
            stdout=log,
            stderr=subprocess.STDOUT,
        ) as child,
    ):
        # wait4: this child's own peak RSS, not the largest of every child so far.
        _pid, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
    output = log_path.read_text().strip()
    if child.returncode != 0:
        raise SystemExit(f"import failed ({child.returncode}): {output}")
    print(output)
    peak = usage.ru_maxrss  # KiB on Linux
    return Run(rows, seconds, peak / 1024)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dir", type=Path, default=Path("var/import-bench"))
    args = parser.parse_args(argv)
    small = import_once(args.dir / "small", args.rows // 10)
    large = import_once(args.dir / "large", args.rows)
    for run in (small, large):
        print(
            f"import calls: {run.rows:,} rows in {run.seconds:.1f} s "
            f"({run.rows / run.seconds:,.0f} rows/s), peak RSS {run.peak_rss_mib:.0f} MiB"
        )
    verdict = "ok" if large.seconds < 60 else "SLOWER than the 60 s target"
    print(f"{verdict}: {args.rows:,} rows in {large.seconds:.1f} s (target < 60 s)")
    return 0 if large.seconds < 60 else 1


if __name__ == "__main__":
    sys.exit(main())
