"""Every console test runs against SQLite and the real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.unit.storage.databases import BACKENDS, database, postgres_run_database
from tests.unit.web.console_bed import Console, console_on

__all__ = ["postgres_run_database"]  # the session's PostgreSQL database, for `database()`


@pytest.fixture(scope="module", params=BACKENDS)
def bed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Console]:
    """A console shared by a module's tests (tests that write use their own rows)."""
    tmp_path = tmp_path_factory.mktemp("console")
    with database(request.param, tmp_path, request) as url, console_on(url, tmp_path) as found:
        yield found
