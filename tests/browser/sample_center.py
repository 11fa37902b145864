"""A console with a year of sample calls, run as `pbx-bridge web` in a process of its own.

The calls are generated from a fixed seed around `now` (a weekday profile with a morning
peak), so pages and screenshots show realistic figures. Callers waiting now come from a
metrics endpoint that serves the daemon's own registry with fixed waiting callers.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from prometheus_client import generate_latest

from pbx_bridge.config.loader import load_config
from pbx_bridge.core.calls import CallbackTicket, CallRecord, Outcome
from pbx_bridge.core.console_access import Role
from pbx_bridge.metrics.registry import Metrics
from pbx_bridge.storage.opening import open_call_log
from pbx_bridge.web.auth.store import AccountStore
from tests.testbed.ports import free_port
from tests.testbed.web_console import web_console
from tests.unit.cli_reports.console import write_config

PASSWORD = "Demo-Passwort-2026"
ACCOUNTS = {
    "leitung": (Role.CENTER, ()),
    "gifhorn": (Role.SUPERVISOR, ("gifhorn",)),
    "agent": (Role.AGENT, ("gifhorn", "meinersen")),
}
DEPARTMENTS = {
    "gifhorn": ("Zentrale", "Kfz-Zulassung", "Bauamt"),
    "meinersen": ("Zentrale", "Bürgerbüro"),
    "wolfsburg": ("Zentrale", "115"),
}
OUTCOMES = (
    (Outcome.RESOLVED, 62),
    (Outcome.TRANSFERRED, 14),
    (Outcome.CALLBACK, 6),
    (Outcome.ABANDONED, 8),
    (Outcome.OVERFLOW, 2),
    (Outcome.CLOSED, 8),
)
HOUR_WEIGHTS = [0] * 7 + [6, 10, 9, 8, 7, 4, 6, 7, 5, 3, 1] + [0] * 6


def sample_calls(now: datetime, days: int = 330, per_day: int = 30) -> list[CallRecord]:
    rng = random.Random(2026)
    records: list[CallRecord] = []
    outcomes, weights = zip(*OUTCOMES, strict=True)
    today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    for back in range(days, -1, -1):
        day = today - timedelta(days=back)
        if day.weekday() >= 5:
            continue
        for tenant, departments in DEPARTMENTS.items():
            for n in range(rng.randint(per_day // 2, per_day)):
                hour = rng.choices(range(24), HOUR_WEIGHTS)[0] - 1  # UTC, Berlin is +1/+2
                started = day + timedelta(hours=hour, minutes=rng.randint(0, 59))
                if started > now - timedelta(minutes=5):
                    continue
                outcome = rng.choices(outcomes, weights)[0]
                records.append(_call(rng, tenant, rng.choice(departments), outcome, started, n=n))
    return records


def _call(
    rng: random.Random, tenant: str, department: str, outcome: Outcome, started: datetime, *, n: int
) -> CallRecord:
    answered = outcome in (Outcome.RESOLVED, Outcome.TRANSFERRED, Outcome.CALLBACK)
    queued = None if outcome is Outcome.CLOSED else started + timedelta(seconds=8)
    wait = None if queued is None else round(rng.expovariate(1 / 14), 1)
    talk = round(rng.uniform(40, 420), 1) if answered else None
    ended = started + timedelta(seconds=8 + (wait or 0) + (talk or 0) + 5)
    return CallRecord(
        call_id=f"{tenant}-{started:%Y%m%d%H%M}-{n}",
        node="asterisk-1",
        started=started,
        ended=ended,
        outcome=outcome,
        tenant=tenant,
        department=department,
        dialled="+49537182" + str(rng.randint(0, 9)),
        caller=f"+49999{rng.randint(10000, 99999)}xxx",
        queue=None if queued is None else "servicecenter",
        queued=queued,
        answered=queued + timedelta(seconds=wait or 0) if answered and queued else None,
        wait_s=wait,
        talk_s=talk,
        detail="hours" if outcome is Outcome.CLOSED else None,
    )


def sample_tickets(now: datetime) -> list[CallbackTicket]:
    notes = ("Rückfrage Bauantrag", "Termin Kfz-Zulassung", "Sperrmüll abholen", "Wohngeld")
    tickets = []
    for n in range(8):
        tenant = ("gifhorn", "meinersen")[n % 2]
        created = now - timedelta(hours=6 + 9 * n)
        tickets.append(
            CallbackTicket(
                call_id=f"ticket-{n}",
                node="asterisk-1",
                tenant=tenant,
                department=DEPARTMENTS[tenant][n % 2],
                caller_full=f"+4999982000{n:02d}",
                note=notes[n % len(notes)],
                created=created,
                due=created + timedelta(hours=30),
            )
        )
    return tickets


class _Metrics(BaseHTTPRequestHandler):
    body = b""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *_args: object) -> None:
        pass


@contextmanager
def metrics_endpoint(port: int) -> Iterator[None]:
    metrics = Metrics()
    metrics.watch_waiting(lambda: {"gifhorn": (3, 74.0), "meinersen": (1, 18.0)})
    handler = type("Handler", (_Metrics,), {"body": generate_latest(metrics.registry)})
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()


@dataclass(frozen=True)
class RunningConsole:
    url: str
    config: Path
    database: str


def prepare(directory: Path, now: datetime) -> tuple[Path, str, int, int]:
    """Config, database with sample data and accounts; (config, url, web port, metrics port)."""
    web_port, metrics_port = free_port(), free_port()
    database = f"sqlite:///{directory / 'calls.sqlite3'}"
    extra = (
        f'metrics:\n  listen: "127.0.0.1:{metrics_port}"\nweb:\n  listen: "127.0.0.1:{web_port}"\n'
    )
    config_path = write_config(directory, database, extra)
    log = open_call_log(load_config(config_path))
    log.upgrade()
    log.write_records(sample_calls(now))
    for ticket in sample_tickets(now):
        log.create_ticket(ticket)
    accounts = AccountStore(log.engine)
    for name, (role, tenants) in ACCOUNTS.items():
        accounts.add_user(name, role, tenants, PASSWORD, now)
    log.close()
    return config_path, database, web_port, metrics_port


@contextmanager
def running_console(directory: Path) -> Iterator[RunningConsole]:
    config, database, web_port, metrics_port = prepare(directory, datetime.now(UTC))
    url = f"http://127.0.0.1:{web_port}"
    with metrics_endpoint(metrics_port), web_console(config, url, directory / "web.log"):
        yield RunningConsole(url, config, database)
