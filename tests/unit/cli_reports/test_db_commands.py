"""`db upgrade`, `calls`, `purge` as an admin runs them."""

from __future__ import annotations

import csv
import io
import sqlite3
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from pbx_bridge.cli.db import EXIT_DATABASE, parse_day
from pbx_bridge.cli.purge import parse_age
from pbx_bridge.storage import CallLog
from pbx_bridge.storage.schema import head_revision
from tests.load.generate_calls import TenantMix, generate
from tests.unit.cli_reports.console import pbx_bridge, write_config
from tests.unit.storage.builders import answered


def open_log(config: Path) -> CallLog:
    url = next(line for line in config.read_text().splitlines() if "url:" in line)
    log = CallLog(url.split('"')[1])
    log.ensure_schema()
    return log


def test_db_upgrade_creates_the_schema_and_can_run_again(
    capsys: pytest.CaptureFixture[str], config: Path
) -> None:
    first = pbx_bridge(capsys, config, "db", "upgrade")
    assert first.code == 0, first.err
    assert f"schema at revision {head_revision()}" in first.out
    assert pbx_bridge(capsys, config, "db", "upgrade").code == 0


def test_unreachable_database_is_reported_not_a_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = write_config(tmp_path, "postgresql+psycopg://pbx:secret@127.0.0.1:1/nowhere")
    run = pbx_bridge(capsys, config, "calls")
    assert run.code == EXIT_DATABASE
    assert "unavailable" in run.err
    assert "secret" not in run.err


def test_locked_database_is_reported(capsys: pytest.CaptureFixture[str], config: Path) -> None:
    pbx_bridge(capsys, config, "db", "upgrade")
    database = config.parent.parent / "center.sqlite3"
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        run = pbx_bridge(capsys, config, "purge", "--older-than", "1d")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert run.code == EXIT_DATABASE
    assert "locked" in run.err


def test_calls_lists_filters_and_formats(capsys: pytest.CaptureFixture[str], config: Path) -> None:
    log = open_log(config)
    log.write_record(answered("c1", "2019-04-01T09:00", department="Kfz-Zulassung"))
    log.write_record(answered("c2", "2019-04-02T09:00", tenant="meinersen"))
    log.write_record(answered("c3", "2019-05-02T09:00"))
    log.close()
    table = pbx_bridge(capsys, config, "calls", "--tenant", "gifhorn")
    assert table.code == 0
    assert "c1" in table.out and "c3" in table.out and "c2" not in table.out
    assert "agent07" not in table.out  # per-agent data is not shown by default
    listed = pbx_bridge(
        capsys, config, "calls", "--from", "2019-04-01", "--to", "2019-04", "--format", "json"
    ).json()
    assert [c["call_id"] for c in listed] == ["c1", "c2"]
    assert listed[0]["started"] == "2019-04-01T09:00:00+02:00"
    assert listed[0]["department"] == "Kfz-Zulassung"
    out = pbx_bridge(
        capsys, config, "calls", "--outcome", "resolved", "--limit", "1", "--format", "csv"
    ).out
    assert len(list(csv.reader(io.StringIO(out)))) == 2


def test_calls_rejects_a_bad_date(capsys: pytest.CaptureFixture[str], config: Path) -> None:
    with pytest.raises(SystemExit):
        pbx_bridge(capsys, config, "calls", "--from", "1.4.2019")
    assert "not a date like 2019-04-01" in capsys.readouterr().err


def test_purge_keeps_the_years_report(capsys: pytest.CaptureFixture[str], config: Path) -> None:
    log = open_log(config)
    generate(
        log.engine, [TenantMix("gifhorn", {"Zentrale": 400})], date(2019, 1, 1), date(2019, 12, 31)
    )
    log.close()
    report = (
        "report",
        "--tenant",
        "gifhorn",
        "--from",
        "2019-01-01",
        "--to",
        "2019-12-31",
        "--format",
        "json",
    )
    before = pbx_bridge(capsys, config, *report).json()
    dry = pbx_bridge(
        capsys, config, "purge", "--older-than", "180d", "--dry-run", "--format", "json"
    ).json()
    assert dry["dry_run"] is True and dry["calls"] == 400
    done = pbx_bridge(capsys, config, "purge")  # retention from bridge.yaml (180 days)
    assert done.code == 0 and "purged details before" in done.out and "400 calls" in done.out
    assert pbx_bridge(capsys, config, "calls", "--format", "json").json() == []
    after = pbx_bridge(capsys, config, *report).json()
    assert after == before


def test_purge_rejects_an_unknown_age(capsys: pytest.CaptureFixture[str], config: Path) -> None:
    run = pbx_bridge(capsys, config, "purge", "--older-than", "6 fortnights")
    assert run.code == 2
    assert "not an age like 180d" in run.err


@pytest.mark.parametrize(
    ("text", "days"),
    [("180d", 180), ("26w", 182), ("6m", 184), ("1y", 366), ("1M", 31)],
)
def test_ages_count_calendar_months_and_years(text: str, days: int) -> None:
    now = datetime(2020, 8, 31, 12, tzinfo=UTC)
    assert parse_age(text, now) == timedelta(days=days)


def test_six_months_before_august_31_is_the_end_of_february() -> None:
    now = datetime(2019, 8, 31, tzinfo=UTC)
    assert now - parse_age("6m", now) == datetime(2019, 2, 28, tzinfo=UTC)


def test_days_and_months_as_command_line_dates() -> None:
    assert parse_day("2019-04") == date(2019, 4, 1)
    assert parse_day("2019-02", last=True) == date(2019, 2, 28)
    assert parse_day("2019-12", last=True) == date(2019, 12, 31)
    assert parse_day("2019-04-15", last=True) == date(2019, 4, 15)
    with pytest.raises(ValueError, match="month"):
        parse_day("2019-13")
