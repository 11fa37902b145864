"""CPU cost of writing call records through the daemon's real writer into SQLite.

    python -m benchmarks.record_writer_bench [--records 5000] [--rate 100 --paced 1000]

Each run writes through a fresh `RecordWorker` (→ `SpoolingWriter` → `CallLog`, SQLite WAL in
a temp dir) and measures from the worker's start to its flushed stop: records/s and process
CPU seconds per 1,000 records. "one at a time" caps a transaction at one record, as every
record was written before batching; "batched" is the worker's default. "backlog" queues all
records before the worker starts (its fastest); "paced" hands them over at `--rate` per second
as hang-ups would, where the CPU per record is what the daemon pays. Half of the records are
written twice (the tracker's resync), so the upsert's update path is timed too.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pbx_bridge.core.calls import CallRecord, Outcome
from pbx_bridge.storage import CallLog, SpoolingWriter
from pbx_bridge.storage.worker import RecordWorker

_START = datetime(2019, 4, 1, 7, 0, tzinfo=UTC)


def records(count: int) -> list[CallRecord]:
    made = []
    for index in range(count // 2 + count % 2):
        begin = _START + timedelta(seconds=index)
        made.append(
            CallRecord(
                call_id=f"1554102000.{index}",
                node="ast1",
                started=begin,
                ended=begin + timedelta(seconds=140),
                outcome=Outcome.RESOLVED,
                tenant="gifhorn",
                department="Zentrale",
                queued=begin + timedelta(seconds=5),
                answered=begin + timedelta(seconds=15),
                wait_s=10.0,
                talk_s=125.0,
                agent="agent07",
                caller="+49537112xxx",
            )
        )
    return (made + made)[:count]


@dataclass(frozen=True)
class Figures:
    records_per_s: float
    cpu_s_per_1000: float


def _feed(worker: RecordWorker, batch: list[CallRecord], rate: float) -> None:
    start = time.perf_counter()
    for index, record in enumerate(batch):
        time.sleep(max(0.0, start + index / rate - time.perf_counter()))
        worker.record(record)


def measure(batch: int, count: int, rate: float | None = None) -> Figures:
    """`rate` None: all queued up front."""
    with tempfile.TemporaryDirectory(prefix="pbxb-record-bench-") as folder:
        call_log = CallLog(f"sqlite:///{Path(folder) / 'calls.sqlite3'}")
        call_log.upgrade()
        writer = SpoolingWriter(call_log, Path(folder) / "spool")
        worker = RecordWorker(call_log, writer, "ast1", max_batch=batch)
        feeder = None
        if rate is None:
            for record in records(count):
                worker.record(record)
        else:
            feeder = threading.Thread(target=_feed, args=(worker, records(count), rate))
        cpu, wall = time.process_time(), time.perf_counter()
        worker.start()
        if feeder is not None:
            feeder.start()
            feeder.join()
        if not worker.stop(timeout=600):
            raise SystemExit("the worker did not flush within 600 s")
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        if worker.written != count or writer.pending:
            raise SystemExit(f"wrote {worker.written} of {count}, {writer.pending} spooled")
        call_log.close()
    return Figures(count / wall, cpu / count * 1000)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=5000, help="records in a backlog run")
    parser.add_argument("--paced", type=int, default=1000, help="records in a paced run")
    parser.add_argument("--rate", type=float, default=100.0, help="records/s in a paced run")
    args = parser.parse_args()
    batch = RecordWorker.DEFAULT_MAX_BATCH
    measure(1, 200)  # warm-up: imports, the compiled cache, the file system
    runs = {
        "backlog, one at a time": measure(1, args.records),
        "backlog, batched": measure(batch, args.records),
        f"paced {args.rate:g}/s, one at a time": measure(1, args.paced, args.rate),
        f"paced {args.rate:g}/s, batched": measure(batch, args.paced, args.rate),
    }
    for label, figures in runs.items():
        print(
            f"{label:<30} {figures.records_per_s:>9,.0f} records/s"
            f"  {figures.cpu_s_per_1000:.3f} CPU s per 1,000 records"
        )
    one, batched = list(runs.values())[2:]
    print(
        f"paced {args.rate:g}/s: batched uses {one.cpu_s_per_1000 / batched.cpu_s_per_1000:.1f}x"
        " less CPU per record than one at a time"
    )


if __name__ == "__main__":
    main()
