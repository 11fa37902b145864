"""Configurations pointing at a fresh database: SQLite always, PostgreSQL for the figures."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pbx_bridge.storage import CallLog
from tests.unit.cli_reports.console import write_config
from tests.unit.cli_reports.gifhorn import fill_gifhorn_2019
from tests.unit.storage.databases import BACKENDS, database, postgres_run_database, sqlite_url

__all__ = ["postgres_run_database"]  # the session's PostgreSQL database, for `database()`


@pytest.fixture
def config(tmp_path: Path) -> Path:
    """bridge.yaml with an empty SQLite call log."""
    return write_config(tmp_path / "center", sqlite_url(tmp_path, "center.sqlite3"))


@pytest.fixture(scope="module", params=BACKENDS)
def gifhorn_config(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Path]:
    """bridge.yaml whose call log holds Gifhorn's 2019 (shared by a module's tests: read only)."""
    tmp_path = tmp_path_factory.mktemp("gifhorn")
    with database(request.param, tmp_path, request) as url:
        log = CallLog(url)
        log.upgrade()
        fill_gifhorn_2019(log.engine)
        log.close()
        yield write_config(tmp_path / "center", url)
