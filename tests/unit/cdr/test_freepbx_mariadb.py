"""FreePBX's CDR table on a real MariaDB (asteriskcdrdb.cdr's shape), read by schema.table."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from pbx_bridge.cdr.db_source import DatabaseSource
from pbx_bridge.core.cdr_outcomes import records_of
from pbx_bridge.core.privacy import PrivacyPolicy
from tests.unit.cdr.cdr_tables import fill
from tests.unit.cdr.fixture import BERLIN, EVER, EXPECTED

SERVER = os.environ.get("PBX_BRIDGE_TEST_MARIADB", "mysql+pymysql://root@127.0.0.1:3306")


@pytest.fixture
def cdr_database() -> Iterator[str]:
    """A fresh database on the MariaDB server, named like FreePBX's; dropped afterwards."""
    name = f"asteriskcdrdb_{secrets.token_hex(4)}"
    admin = create_engine(f"{SERVER}/?connect_timeout=2")
    try:
        with admin.begin() as connection:
            connection.execute(text(f"CREATE DATABASE {name}"))
    except OperationalError as exc:
        admin.dispose()
        pytest.skip(f"MariaDB at {SERVER} unreachable: {str(exc).splitlines()[0]}")
    try:
        yield name
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP DATABASE {name}"))
        admin.dispose()


def test_freepbx_asteriskcdrdb_cdr_gives_every_call_of_the_mix(cdr_database: str) -> None:
    fill(f"{SERVER}/{cdr_database}", "freepbx")
    # The daemon's URL names no database: the table is given as asteriskcdrdb.cdr.
    rows = list(DatabaseSource(f"{SERVER}/", f"{cdr_database}.cdr", BERLIN).rows(*EVER))
    records = records_of(rows, "pbx1", PrivacyPolicy())
    assert sorted(r.outcome.value for r in records) == sorted(o for _t, o, _d in EXPECTED.values())
    assert {r.tenant for r in records} == {t for t, _o, _d in EXPECTED.values()}
