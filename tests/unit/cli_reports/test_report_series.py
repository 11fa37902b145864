"""`report --by month|week|day`: the series in JSON and one row per period in the table;
every key the report had before is still there."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.cli_reports.console import pbx_bridge, write_config
from tests.unit.cli_reports.test_db_commands import open_log
from tests.unit.storage.databases import sqlite_url
from tests.unit.storage.known_month import known_month

NOVEMBER = ("--tenant", "gifhorn", "--from", "2019-11", "--to", "2019-11")
EXISTING_KEYS = {
    "tenant",
    "from",
    "to",
    "timezone",
    "total_calls",
    "months",
    "monthly_average",
    "tenants",
    "departments",
    "outcomes",
    "service_level",
    "asa_s",
    "answered",
    "abandon_rate",
    "tickets",
    "weekdays",
    "hours",
    "notes",
}


@pytest.fixture
def center(tmp_path: Path) -> Path:
    config = write_config(
        tmp_path, sqlite_url(tmp_path), "reports:\n  service_level_thresholds_s: [30, 20]\n"
    )
    log = open_log(config)
    log.write_records(known_month())
    log.close()
    return config


def test_json_keeps_every_key_and_adds_the_115_figures(
    capsys: pytest.CaptureFixture[str], center: Path
) -> None:
    figures = pbx_bridge(capsys, center, "report", *NOVEMBER, "--format", "json").json()
    assert set(figures) >= EXISTING_KEYS
    assert "series" not in figures  # only when asked for with --by
    assert figures["service_level"] == figures["service_levels"][0]
    assert figures["service_levels"] == [
        {"threshold_s": 30, "percent": 75.0, "answered_within": 150, "offered": 200},
        {"threshold_s": 20, "percent": 60.0, "answered_within": 120, "offered": 200},
    ]
    assert figures["first_contact_resolution"] == {
        "percent": 65.0,
        "resolved": 104,
        "answered": 160,
    }


def test_series_by_week_has_a_row_per_week(
    capsys: pytest.CaptureFixture[str], center: Path
) -> None:
    figures = pbx_bridge(
        capsys, center, "report", *NOVEMBER, "--by", "week", "--format", "json"
    ).json()
    assert figures["by"] == "week"
    weeks = {row["period"]: row for row in figures["series"]}
    assert list(weeks) == ["2019-W44", "2019-W45", "2019-W46", "2019-W47", "2019-W48"]
    week = weeks["2019-W46"]
    assert (week["total_calls"], week["offered"], week["answered"]) == (105, 100, 80)
    assert [level["percent"] for level in week["service_levels"]] == [75.0, 60.0]
    assert week["asa_s"] == 15.0
    assert week["abandon_rate"]["percent"] == 20.0
    assert week["first_contact_resolution"]["percent"] == 65.0
    assert week["outcomes"]["closed"] == {"calls": 5, "percent": 4.8}
    assert weeks["2019-W44"]["service_levels"][0]["percent"] is None


def test_the_table_shows_one_row_per_period(
    capsys: pytest.CaptureFixture[str], center: Path
) -> None:
    run = pbx_bridge(capsys, center, "report", *NOVEMBER, "--by", "day")
    assert run.code == 0, run.err
    assert "Service level (30 s): 75.0 % (150 of 200 offered)" in run.out
    assert "Service level (20 s): 60.0 % (120 of 200 offered)" in run.out
    assert "First-contact resolution: 65.0 % (104 of 160 answered)" in run.out
    lines = run.out.splitlines()
    header = next(line for line in lines if line.startswith("day "))
    assert header.split() == [
        "day",
        "calls",
        "offered",
        "answered",
        "SL",
        "30",
        "s",
        "%",
        "SL",
        "20",
        "s",
        "%",
        "ASA",
        "s",
        "abandon",
        "%",
        "FCR",
        "%",
    ]
    (row,) = [line for line in lines if line.startswith("2019-11-12")]
    assert row.split() == ["2019-11-12", "105", "100", "80", "75.0", "60.0", "15.0", "20.0", "65.0"]
    assert sum(1 for line in lines if line.startswith("2019-11-")) == 30


def test_csv_names_each_period_and_threshold(
    capsys: pytest.CaptureFixture[str], center: Path
) -> None:
    run = pbx_bridge(capsys, center, "report", *NOVEMBER, "--by", "month", "--format", "csv")
    assert run.code == 0
    assert "service_levels.percent,30,75.0" in run.out
    assert "series.service_levels.20.percent,2019-11,60.0" in run.out
    assert "series.first_contact_resolution.percent,2019-11,65.0" in run.out


def test_report_without_a_period_is_refused(
    capsys: pytest.CaptureFixture[str], center: Path
) -> None:
    run = pbx_bridge(capsys, center, "report", "--tenant", "gifhorn")
    assert run.code == 2 and "needs --from and --to" in run.err
