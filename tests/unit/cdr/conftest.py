"""Reconciliation tests run against SQLite and the real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pbx_bridge.storage import CallLog
from tests.unit.core.factories import wolfsburg_directory
from tests.unit.storage.databases import BACKENDS, database, postgres_run_database

__all__ = ["postgres_run_database"]  # the session's PostgreSQL database, for `database()`


@pytest.fixture(params=BACKENDS)
def log_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database(request.param, tmp_path, request) as found:
        yield found


@pytest.fixture
def call_log(log_url: str) -> Iterator[CallLog]:
    log = CallLog(log_url, directory=wolfsburg_directory())
    log.upgrade()
    yield log
    log.close()
