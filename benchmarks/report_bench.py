"""Time `report` for one tenant-year on a 1.5-million-call SQLite database (target: < 1 s).

    python -m benchmarks.report_bench [--url sqlite:///var/bench.sqlite3] [--runs 5]

Generates ten years of a 150,000-call center first if the database is empty, then prints the
report's time beside the bare cost of `SELECT count(*)` over the same rows in the same run,
so the ratio says what the report costs beyond reading the rows at all.
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import UTC, date, datetime
from functools import partial

from sqlalchemy import func, select

from benchmarks.figures import best_and_median
from benchmarks.targets import TargetResult
from pbx_bridge.storage import CallLog
from pbx_bridge.storage.models import calls
from pbx_bridge.storage.reports import ReportQuery
from tests.load.generate_calls import center_year, generate


def _fill(log: CallLog, years: int, first_year: int, calls_per_year: int) -> None:
    with log.engine.connect() as connection:
        present = connection.execute(select(func.count()).select_from(calls)).scalar_one()
    if present:
        print(f"database holds {present:,} calls; not generating")
        return
    started = time.perf_counter()
    total = sum(
        generate(log.engine, center_year(calls_per_year), date(y, 1, 1), date(y, 12, 31), seed=y)
        for y in range(first_year, first_year + years)
    )
    print(f"generated {total:,} calls in {time.perf_counter() - started:.1f} s")


def _count_rows(log: CallLog, tenant: str | None, first: date, last: date) -> int:
    start, end = ReportQuery(tenant, first, last, log.zone, log.kpis.of(tenant), _NOW).bounds()
    where = [calls.c.started >= start, calls.c.started < end]
    if tenant is not None:
        where.append(calls.c.tenant == tenant)
    with log.engine.connect() as connection:
        count: int = connection.execute(select(func.count()).where(*where)).scalar_one()
        return count


_NOW = datetime(2025, 1, 1, tzinfo=UTC)
TARGET_S = 1.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="sqlite:///var/bench.sqlite3")
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--first-year", type=int, default=2015)
    parser.add_argument("--calls-per-year", type=int, default=150_000)
    parser.add_argument("--tenant", default="gifhorn")
    parser.add_argument("--year", type=int, default=2019)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    log = CallLog(args.url)
    log.upgrade()
    _fill(log, args.years, args.first_year, args.calls_per_year)
    with log.engine.connect() as connection:
        total = connection.execute(select(func.count()).select_from(calls)).scalar_one()
    first, last = date(args.year, 1, 1), date(args.year, 12, 31)
    print(f"database: {log.engine.url.render_as_string()}, {total:,} calls")
    reports: dict[str, float] = {}  # median report time by label
    counts: dict[str, float] = {}  # median SELECT count(*) time by label
    for tenant in (args.tenant, None):
        label = f"tenant {tenant}" if tenant else "all tenants"
        rows = _count_rows(log, tenant, first, last)
        report_best, report_median = best_and_median(
            partial(log.report, tenant=tenant, first=first, last=last, now=_NOW), args.runs
        )
        count_best, count_median = best_and_median(
            partial(_count_rows, log, tenant, first, last), args.runs
        )
        print(
            f"{label}, {args.year} ({rows:,} calls): report {report_median * 1000:.0f} ms "
            f"(best {report_best * 1000:.0f} ms), SELECT count(*) {count_median * 1000:.1f} ms "
            f"(best {count_best * 1000:.1f} ms), ratio {report_median / count_median:.1f}x"
        )
        reports[label], counts[label] = report_median, count_median
    log.close()
    slowest = max(reports, key=reports.__getitem__)
    target = TargetResult(
        target=f"a year's report under {TARGET_S:g} s",
        figure=f"slowest {reports[slowest] * 1000:.0f} ms ({slowest}, median of {args.runs})",
        baseline=f"SELECT count(*) over the same rows {counts[slowest] * 1000:.1f} ms",
        met=reports[slowest] < TARGET_S,
    )
    print(target.line())
    return 0


if __name__ == "__main__":
    sys.exit(main())
