"""Time the web console's Reports page (goal < 1 s) and Today page (goal < 200 ms) for a
tenant-year of 1.5 million calls, through the real application (routing, auth, queries,
templates), not a timed test.

    python -m benchmarks.web_pages [--url sqlite:///var/bench-web.sqlite3] [--runs 5]

Fills the database once (the year up to today, in monthly bulk inserts) and reuses it after.
Every request computes its report: the console keeps no reports, so each run builds a fresh
application and the first request of a fresh process is timed like any other.
Today's callers waiting come from no daemon here, so the page is timed without that request
(it is bounded at 250 ms by the console when the daemon is slow).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from starlette.testclient import TestClient

from benchmarks.figures import best_and_median
from pbx_bridge.config.loader import load_config
from pbx_bridge.core.console_access import Role
from pbx_bridge.storage.models import calls
from pbx_bridge.storage.opening import open_call_log
from pbx_bridge.web.app import build_app
from pbx_bridge.web.auth.store import AccountStore
from pbx_bridge.web.context import ConsoleContext
from pbx_bridge.web.settings import WebSettings
from pbx_bridge.web.today.live import LiveQueue
from tests.load.generate_calls import BERLIN, TenantMix, exact_counts, generate

TENANT = "gifhorn"
DEPARTMENTS = ("Zentrale", "Kfz-Zulassung", "Ordnung, Verkehr und Veterinärwesen")
REPORT_GOAL_S = 1.0
TODAY_GOAL_S = 0.2
TENANTS_DIR = Path(__file__).resolve().parents[1] / "config" / "tenants"


def _config(directory: Path, url: str) -> Path:
    path = directory / "bridge.yaml"
    path.write_text(
        f"""service_center:
  name: Service Center Wolfsburg
  timezone: Europe/Berlin
  queue: servicecenter
  unrouted_greeting: servicecenter
tenants_dir: {TENANTS_DIR}
sounds_dir: {directory / "sounds"}
state_dir: {directory / "var"}
database:
  url: "{url}"
""",
        encoding="utf-8",
    )
    return path


def _fill(context: ConsoleContext, calls_per_year: int, first: date, last: date) -> None:
    engine = context.call_log.engine
    with engine.connect() as connection:
        present = connection.execute(select(func.count()).select_from(calls)).scalar_one()
    if present:
        print(f"database holds {present:,} calls; not generating")
        return
    started = time.perf_counter()
    total, day, month = 0, first, 0
    while day <= last:
        following = (day.replace(day=1) + timedelta(days=32)).replace(day=1)
        end = min(following - timedelta(days=1), last)
        share = calls_per_year * ((end - day).days + 1) // ((last - first).days + 1)
        per_department = exact_counts(share, dict.fromkeys(DEPARTMENTS, 1.0))  # type: ignore[arg-type]
        mix = TenantMix(TENANT, per_department)  # type: ignore[arg-type]
        total += generate(engine, [mix], day, end, seed=month, zone=BERLIN)
        day, month = following, month + 1
    print(f"generated {total:,} calls of {TENANT} in {time.perf_counter() - started:.1f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="sqlite:///var/bench-web.sqlite3")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--calls", type=int, default=1_500_000)
    args = parser.parse_args(argv)
    now = datetime.now(UTC)
    last = now.astimezone(BERLIN).date()
    first = last - timedelta(days=364)
    with tempfile.TemporaryDirectory() as directory:
        config = load_config(_config(Path(directory), args.url))
        log = open_call_log(config)
        log.upgrade()
        context = ConsoleContext(
            config=config,
            call_log=log,
            accounts=AccountStore(log.engine),
            settings=WebSettings(metrics_url=None),
            clock=lambda: datetime.now(UTC),
            live=lambda: LiveQueue(False),
        )
        _fill(context, args.calls, first, last)
        name = f"bench-{int(now.timestamp())}"
        context.accounts.add_user(name, Role.CENTER, (), "benchmark-password", now)
        token = context.accounts.new_api_token(name, now)
        auth = {"Authorization": f"Bearer {token}"}
        report_query = {"tenant": TENANT, "from": first.isoformat(), "to": last.isoformat()}

        def get(client: TestClient, path: str, query: dict[str, str] | None = None) -> None:
            response = client.get(path, params=query, headers=auth)
            assert response.status_code == 200, response.text[:300]

        def report() -> None:  # a fresh application: nothing of an earlier request is kept
            get(TestClient(build_app(context)), "/reports", report_query)

        client = TestClient(build_app(context))
        started = time.perf_counter()
        report()  # the process's first report: imports, SQLite's page cache, templates
        first_request_s = time.perf_counter() - started
        get(client, "/")
        report_best, report_median = best_and_median(report, args.runs)
        today_best, today_median = best_and_median(lambda: get(client, "/"), args.runs)
        context.accounts.remove_user(name)
        log.close()
    where = args.url.split("://")[0]
    print(f"web_pages on {where}, {args.calls:,} calls of {TENANT} from {first} to {last}:")
    print(f"  Reports page, the year, the process's first request: {first_request_s * 1000:.0f} ms")
    print(
        f"  Reports page, the year: {report_median * 1000:.0f} ms median "
        f"(best {report_best * 1000:.0f} ms), goal < {REPORT_GOAL_S * 1000:.0f} ms: "
        f"{'MET' if report_median < REPORT_GOAL_S else 'MISSED'}"
    )
    print(
        f"  Today page, every tenant: {today_median * 1000:.0f} ms median "
        f"(best {today_best * 1000:.0f} ms), goal < {TODAY_GOAL_S * 1000:.0f} ms: "
        f"{'MET' if today_median < TODAY_GOAL_S else 'MISSED'}"
    )
    return 0 if report_median < REPORT_GOAL_S and today_median < TODAY_GOAL_S else 1


if __name__ == "__main__":
    sys.exit(main())
