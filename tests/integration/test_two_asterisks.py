"""Two Asterisk servers, each with its own daemon, write one PostgreSQL call log: every call
has one record under its Asterisk's node, the report over both counts exactly the calls placed
on both, and each node's report exactly the calls placed on that node."""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
import pytest
from sqlalchemy import create_engine, text

from pbx_bridge.storage import CallLog
from tests.conftest import in_ci
from tests.testbed import record_ami as mix
from tests.testbed import tracking
from tests.testbed.asterisk import Testbed
from tests.testbed.callcenter import CallCenter
from tests.testbed.postgres import ADMIN_URL, connect_admin, own_database
from tests.testbed.sipp import Call

pytestmark = pytest.mark.asterisk

NUMBERS = (mix.GIFHORN_CENTRAL, mix.WARDENBURG_CENTRAL, mix.UNKNOWN, mix.GIFHORN_KFZ)


@pytest.fixture(scope="module")
def pair(
    testbed: Testbed, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[CallCenter, CallCenter]]:
    names = [name for tenant in mix.TENANTS for name in tenant.sounds]
    first = CallCenter.start(testbed, tmp_path_factory.mktemp("ast-a"), names, agents=3)
    try:
        second = CallCenter.start(testbed, tmp_path_factory.mktemp("ast-b"), names, agents=3)
    except BaseException:
        first.stop()
        raise
    yield first, second
    second.stop()
    first.stop()


@pytest.fixture
def call_log_url() -> Iterator[str]:
    try:
        admin = connect_admin()
    except psycopg.OperationalError as exc:
        if in_ci():
            pytest.fail(f"PostgreSQL at {ADMIN_URL} unreachable: {exc}")
        pytest.skip(f"PostgreSQL at {ADMIN_URL} unreachable: {exc}")
    with admin, own_database(admin, f"pbxb_two_{secrets.token_hex(4)}") as url:
        log = CallLog(url)
        log.upgrade()  # before either daemon starts: they would race to create it
        log.close()
        yield url


def report(config: Path, day: str, node: str = "all") -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "pbx_bridge", "report", "--config", str(config),
         "--from", day, "--to", day, "--node", node, "--format", "json"],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    data: dict[str, Any] = json.loads(done.stdout)
    return data


def test_the_report_over_two_asterisks_counts_every_call_placed_on_either(
    pair: tuple[CallCenter, CallCenter], call_log_url: str, tmp_path: Path
) -> None:
    services: list[tracking.Service] = []
    configs: list[Path] = []
    placed: dict[str, list[Call]] = {}
    try:
        for node, center in zip(("ast-a", "ast-b"), pair, strict=True):
            bridge = center.configure(mix.TENANTS)
            tracked = tracking.enable(
                center, bridge, tmp_path / node,
                {"database": {"url": call_log_url}, "ami": {"node": node}},
            )  # fmt: skip
            services.append(tracking.start_service(center, tracked, tmp_path / f"{node}.log"))
            configs.append(tracked.config)
            placed[node] = [Call(number) for number in NUMBERS * 2]
        running = [
            center.place(placed[node], hold_ms=mix.HANGS_UP_AFTER_TALK, rate=2)
            for node, center in zip(("ast-a", "ast-b"), pair, strict=True)
        ]
        for callers in running:
            assert callers.wait(90).ok
        engine = create_engine(call_log_url)
        count = "SELECT node, count(*) AS n, count(DISTINCT call_id) AS d FROM calls GROUP BY node"
        expected = {node: len(calls) for node, calls in placed.items()}

        def counted() -> dict[str, int] | None:
            with engine.connect() as connection:
                rows = connection.execute(text(count)).all()
            found = {row.node: row.n for row in rows}
            assert all(row.n == row.d for row in rows), rows
            return found if found == expected else None

        tracking.poll(counted, 30, f"records {expected}")
        with engine.connect() as connection:
            tenants = Counter(
                (row.node, row.tenant)
                for row in connection.execute(text("SELECT node, tenant FROM calls"))
            )
        engine.dispose()
    finally:
        for service in services:
            service.stop()

    for node in expected:
        assert tenants[(node, "gifhorn")] == 4 and tenants[(node, "wardenburg")] == 2
    day = datetime.now(ZoneInfo("Europe/Berlin")).date().isoformat()
    whole = report(configs[0], day)
    assert whole["total_calls"] == sum(expected.values())
    assert report(configs[1], day) == whole
    parts = {node: report(configs[0], day, node) for node in expected}
    for node, part in parts.items():
        assert part["total_calls"] == expected[node], (node, part)
        assert part["tenants"] == {"gifhorn": 4, "wardenburg": 2, "(unrouted)": 2}, part
    for outcome, share in whole["outcomes"].items():
        assert share["calls"] == sum(p["outcomes"][outcome]["calls"] for p in parts.values())
