"""Gifhorn's published 2019 figures come out of `pbx-bridge report` (domain.md)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.unit.cli_reports.console import pbx_bridge
from tests.unit.cli_reports.gifhorn import KFZ, ORDNUNG

ARGS = ("report", "--tenant", "gifhorn", "--from", "2019-04-01", "--to", "2019-12-31")


def test_report_reproduces_the_published_figures(
    capsys: pytest.CaptureFixture[str], gifhorn_config: Path
) -> None:
    figures = pbx_bridge(capsys, gifhorn_config, *ARGS, "--format", "json").json()
    assert figures["total_calls"] == 35_559
    assert figures["monthly_average"] == 3_951
    assert list(figures["months"]) == [f"2019-{m:02d}" for m in range(4, 13)]
    assert sum(figures["months"].values()) == 35_559
    assert figures["departments"][ORDNUNG] == {"calls": 19_057, "percent": 53.6}
    # Published as "28 % of all calls"; 9,323 of 35,559 is 26.2 %.
    assert figures["departments"][KFZ] == {"calls": 9_323, "percent": 26.2}
    outcomes = figures["outcomes"]
    assert outcomes["resolved"]["percent"] == 58.0
    assert outcomes["transferred"]["percent"] == 15.0
    assert outcomes["callback"]["percent"] == 15.0
    assert sum(o["calls"] for o in outcomes.values()) == 35_559
    assert figures["tenants"] == {"gifhorn": 35_559}


def test_json_has_every_key_supervisors_rely_on(
    capsys: pytest.CaptureFixture[str], gifhorn_config: Path
) -> None:
    figures = pbx_bridge(capsys, gifhorn_config, *ARGS, "--format", "json").json()
    for key in ("total_calls", "months", "departments", "outcomes", "asa_s", "abandon_rate"):
        assert key in figures
    assert figures["service_level"]["threshold_s"] == 20
    assert 0 < figures["service_level"]["percent"] <= 100
    assert set(figures["tickets"]) >= {"on_time", "late", "open"}
    assert figures["asa_s"] > 0
    assert sum(figures["hours"].values()) == sum(figures["weekdays"].values()) == 35_559
    assert figures["weekdays"]["sat"] == figures["weekdays"]["sun"] == 0


def test_all_tenants_include_the_others(
    capsys: pytest.CaptureFixture[str], gifhorn_config: Path
) -> None:
    figures = pbx_bridge(
        capsys, gifhorn_config, "report", "--from", "2019-04", "--to", "2019-12", "--format", "json"
    ).json()
    assert figures["total_calls"] == 35_559 + 3_000
    assert figures["tenants"] == {"gifhorn": 35_559, "meinersen": 3_000}
    assert figures["departments"][f"gifhorn / {KFZ}"]["calls"] == 9_323


def test_csv_and_table_show_the_same_figures(
    capsys: pytest.CaptureFixture[str], gifhorn_config: Path
) -> None:
    out = pbx_bridge(capsys, gifhorn_config, *ARGS, "--format", "csv").out
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["metric", "key", "value"]
    assert ["total_calls", "", "35559"] in rows
    assert ["departments.calls", KFZ, "9323"] in rows
    assert ["outcomes.percent", "resolved", "58.0"] in rows
    table = pbx_bridge(capsys, gifhorn_config, *ARGS).out
    assert "Calls: 35559, monthly average 3951.0" in table
    assert KFZ in table
