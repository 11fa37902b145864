"""Reading the CDR file: only the period asked for, and a bad file is a clear error."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from pbx_bridge.cdr.csv_source import CsvSource
from pbx_bridge.cdr.settings import CUSTOM_COLUMNS
from pbx_bridge.cdr.sources import CdrSourceError
from tests.unit.cdr.fixture import BERLIN, EVER, MIX, mix_rows

CDR_CSV_COLUMNS = (
    "accountcode", "src", "dst", "dcontext", "clid", "channel", "dstchannel", "lastapp",
    "lastdata", "start", "answer", "end", "duration", "billsec", "disposition", "amaflags",
    "uniqueid", "userfield",
)  # fmt: skip


def test_only_rows_that_started_in_the_period_are_read() -> None:
    rows = mix_rows()
    middle = sorted(row.start for row in rows)[len(rows) // 2]
    later = list(CsvSource(MIX, CUSTOM_COLUMNS, BERLIN).rows(middle, EVER[1]))
    assert later and all(row.start >= middle for row in later)
    assert len(later) < len(rows)


def test_cdr_csv_master_file_with_local_times_and_no_linkedid_is_read(tmp_path: Path) -> None:
    path = tmp_path / "Master.csv"
    path.write_text(
        '"gifhorn","0999123456","05371820","pbx-bridge-inbound","""Eva"" <0999123456>",'
        '"PJSIP/trunk-1","PJSIP/agent1-2","Queue","servicecenter","2026-07-01 10:00:00",'
        '"2026-07-01 10:00:01","2026-07-01 10:03:00","180","179","ANSWERED","DOCUMENTATION",'
        '"1782900000.1","pbxb:action=queue&tenant=gifhorn"\n',
        encoding="utf-8",
    )
    (row,) = CsvSource(path, CDR_CSV_COLUMNS, BERLIN).rows(*EVER)
    assert row.linkedid == row.uniqueid == "1782900000.1"
    assert row.start == datetime(2026, 7, 1, 8, 0, tzinfo=UTC)  # CEST
    assert row.answer == datetime(2026, 7, 1, 8, 0, 1, tzinfo=UTC)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(CdrSourceError, match="does not exist"):
        list(CsvSource(tmp_path / "nope.csv", CUSTOM_COLUMNS, BERLIN).rows(*EVER))


def test_a_directory_instead_of_a_file_is_unreadable(tmp_path: Path) -> None:
    with pytest.raises(CdrSourceError, match="unreadable"):
        list(CsvSource(tmp_path, CUSTOM_COLUMNS, BERLIN).rows(*EVER))


def test_a_line_with_other_columns_is_named_by_its_line_number(tmp_path: Path) -> None:
    path = tmp_path / "cdr.csv"
    lines = MIX.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([lines[0], '"just","three","fields"', *lines[1:]]) + "\n")
    with pytest.raises(CdrSourceError, match=r"cdr\.csv:2: 3 fields, the cdr columns name 18"):
        list(CsvSource(path, CUSTOM_COLUMNS, BERLIN).rows(*EVER))


def test_a_time_that_is_no_time_is_named(tmp_path: Path) -> None:
    path = tmp_path / "cdr.csv"
    fields = MIX.read_text(encoding="utf-8").splitlines()[0].split('","')
    fields[3] = "yesterday"
    path.write_text('","'.join(fields) + "\n", encoding="utf-8")
    with pytest.raises(CdrSourceError, match=r"cdr\.csv:1: not a time: 'yesterday'"):
        list(CsvSource(path, CUSTOM_COLUMNS, BERLIN).rows(*EVER))


def test_columns_without_uniqueid_or_start_are_refused() -> None:
    with pytest.raises(CdrSourceError, match="lack start, uniqueid"):
        CsvSource(MIX, ("src", "dst"), BERLIN)
