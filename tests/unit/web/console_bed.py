"""A console on a real database: the shipped tenants, calls of gifhorn and meinersen, their
tickets, and one account of each role; with a fixed clock (Thursday 2026-12-03, 10:00)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from httpx import Response
from starlette.testclient import TestClient

from pbx_bridge.config.loader import load_config
from pbx_bridge.core.calls import CallbackTicket, CallRecord, Outcome
from pbx_bridge.core.console_access import Role
from pbx_bridge.storage.opening import open_call_log
from pbx_bridge.web.app import build_app
from pbx_bridge.web.auth.store import AccountStore
from pbx_bridge.web.context import ConsoleContext
from pbx_bridge.web.settings import WebSettings
from pbx_bridge.web.today.live import LiveQueue
from tests.unit.cli_reports.console import write_config
from tests.unit.core.factories import at
from tests.unit.storage.builders import answered, unanswered

NOW = at("2026-12-03T10:00")
PASSWORD = "correct horse battery"
ACCOUNTS = {
    "lead": (Role.CENTER, ()),
    "gif": (Role.SUPERVISOR, ("gifhorn",)),
    "mein": (Role.SUPERVISOR, ("meinersen",)),
    "agent-gif": (Role.AGENT, ("gifhorn",)),
}
# Text that appears only in meinersen's data: no page of another tenant may show it.
MEINERSEN_MARK = "Meinersen-Geheim"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Clock:
    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Console:
    context: ConsoleContext
    config: Path
    clock: Clock
    tokens: dict[str, str] = field(default_factory=dict)
    tickets: dict[str, list[int]] = field(default_factory=dict)  # tenant -> open ticket ids

    def client(self) -> TestClient:
        return TestClient(build_app(self.context), follow_redirects=False)

    def signed_in(self, name: str) -> TestClient:
        client = self.client()
        response = sign_in(client, name, PASSWORD)
        assert response.status_code == 303, response.text
        return client

    def bearer(self, name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[name]}"}


def form_token(html: str) -> str:
    found = CSRF.search(html)
    assert found, html
    return found.group(1)


def sign_in(client: TestClient, name: str, password: str, next_page: str = "/") -> Response:
    page = client.get("/login")
    return client.post(
        "/login",
        data={"name": name, "password": password, "csrf": form_token(page.text), "next": next_page},
    )


def _calls(tenant: str, department: str, mark: str, prefix: str) -> list[CallRecord]:
    today = "2026-12-03"
    return [
        answered(
            f"{prefix}-1", f"{today}T08:00", tenant=tenant, wait_s=10.0, department=department
        ),
        answered(
            f"{prefix}-2", f"{today}T08:30", tenant=tenant, wait_s=40.0, department=department
        ),
        unanswered(
            f"{prefix}-3",
            Outcome.ABANDONED,
            f"{today}T09:00",
            tenant=tenant,
            department=department,
            caller="+49537199xxx",
        ),
        answered(
            f"{prefix}-4", "2026-11-20T11:00", tenant=tenant, department=department, detail=mark
        ),
        answered(f"{prefix}-5", "2026-06-02T14:00", tenant=tenant, department=department),
    ]


def fill(context: ConsoleContext) -> dict[str, list[int]]:
    log = context.call_log
    records = [
        *_calls("gifhorn", "Kfz-Zulassung", "gifhorn-detail", "g"),
        *_calls("meinersen", "Zentrale", MEINERSEN_MARK, "m"),
        unanswered("u-1", Outcome.UNROUTED, "2026-12-03T09:30", tenant=None, wait_s=None),
    ]
    log.write_records(records)
    tickets: dict[str, list[int]] = {"gifhorn": [], "meinersen": []}
    for tenant, ids in tickets.items():
        for number in range(4):
            ticket = log.create_ticket(
                CallbackTicket(
                    call_id=f"{tenant[0]}-t{number}",
                    node="ast1",
                    tenant=tenant,
                    department="Zentrale",
                    caller_full="+4953719900" + str(number),
                    note=MEINERSEN_MARK if tenant == "meinersen" else f"call back {number}",
                    created=NOW - timedelta(days=2),
                    due=NOW + timedelta(days=1 if number % 2 else -1),
                )
            )
            assert ticket.id is not None
            ids.append(ticket.id)
    return tickets


@contextmanager
def console_on(url: str, directory: Path) -> Iterator[Console]:
    config_path = write_config(directory, url)
    config = load_config(config_path)
    log = open_call_log(config)
    log.upgrade()
    clock = Clock()
    accounts = AccountStore(log.engine)
    context = ConsoleContext(
        config=config,
        call_log=log,
        accounts=accounts,
        settings=WebSettings(metrics_url=None),
        clock=clock,
        live=lambda: LiveQueue(
            True, {"gifhorn": 2, "meinersen": 1}, {"gifhorn": 75.0, "meinersen": 12.0}
        ),
    )
    bed = Console(context, config_path, clock)
    for name, (role, tenants) in ACCOUNTS.items():
        accounts.add_user(name, role, tenants, PASSWORD, NOW)
        bed.tokens[name] = accounts.new_api_token(name, NOW)
    bed.tickets = fill(context)
    try:
        yield bed
    finally:
        log.close()


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)
