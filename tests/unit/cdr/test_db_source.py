"""Reading the CDR from a database table, in FreePBX's shape and in cdr_pgsql's."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from pbx_bridge.cdr.db_source import DatabaseSource
from pbx_bridge.cdr.sources import CdrSourceError
from pbx_bridge.core.cdr_outcomes import records_of
from pbx_bridge.core.privacy import PrivacyPolicy
from tests.unit.cdr.cdr_tables import fill
from tests.unit.cdr.fixture import BERLIN, EVER, EXPECTED, mix_rows
from tests.unit.storage.databases import database, postgres_run_database

__all__ = ["postgres_run_database"]


@pytest.fixture
def postgresql_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with database("postgresql", tmp_path, request) as found:
        yield found


def test_freepbx_cdr_table_gives_the_same_calls_as_the_cdr_file(url: str) -> None:
    same_calls_as_the_file(url, "freepbx")


def test_cdr_pgsql_table_gives_the_same_calls_as_the_cdr_file(postgresql_url: str) -> None:
    # cdr_pgsql writes to PostgreSQL only: its times carry their zone there.
    same_calls_as_the_file(postgresql_url, "pgsql")


def same_calls_as_the_file(url: str, shape: str) -> None:
    assert fill(url, shape) == len(mix_rows())
    rows = list(DatabaseSource(url, "cdr", BERLIN).rows(*EVER))
    assert len(rows) == len(mix_rows())
    records = records_of(rows, "pbx1", PrivacyPolicy())
    outcomes = sorted(record.outcome.value for record in records)
    assert outcomes == sorted(outcome for _tenant, outcome, _detail in EXPECTED.values())
    from_file = {r.call_id: r.started for r in records_of(mix_rows(), "pbx1", PrivacyPolicy())}
    for record in records:  # FreePBX's calldate has whole seconds
        assert abs((record.started - from_file[record.call_id]).total_seconds()) < 1


def test_only_calls_of_the_period_are_read(url: str) -> None:
    fill(url)
    starts = sorted(row.start for row in mix_rows())
    rows = list(DatabaseSource(url, "cdr", BERLIN).rows(starts[0], starts[5]))
    assert 0 < len(rows) < len(starts)
    assert all(starts[0] <= row.start < starts[5] for row in rows)


def test_a_missing_table_is_named(url: str) -> None:
    with pytest.raises(CdrSourceError, match="CDR table cdr does not exist"):
        list(DatabaseSource(url, "cdr", BERLIN).rows(*EVER))


def test_a_table_of_another_shape_is_refused(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE cdr (id INTEGER, note TEXT)"))
    engine.dispose()
    with pytest.raises(CdrSourceError, match="no calldate/start or no uniqueid"):
        list(DatabaseSource(url, "cdr", BERLIN).rows(*EVER))


def test_an_unreachable_database_is_reported() -> None:
    url = "postgresql+psycopg://127.0.0.1:1/nothing?connect_timeout=1"
    with pytest.raises(CdrSourceError, match="CDR database unreadable"):
        list(DatabaseSource(url, "cdr", BERLIN).rows(*EVER))
