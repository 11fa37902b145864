"""`report` edge cases: empty periods, unknown tenants, reversed ranges."""

from __future__ import annotations

from pathlib import Path

import pytest

from pbx_bridge.cli.common import EXIT_CONFIG
from tests.unit.cli_reports.console import APRIL_2019_JSON, pbx_bridge, write_config
from tests.unit.cli_reports.test_db_commands import open_log
from tests.unit.storage.builders import answered
from tests.unit.storage.databases import sqlite_url


def test_empty_period_prints_no_figures_rather_than_zeros(
    capsys: pytest.CaptureFixture[str], config: Path
) -> None:
    args = ("report", "--tenant", "gifhorn", "--from", "2019-04-01", "--to", "2019-04-30")
    figures = pbx_bridge(capsys, config, *args, "--format", "json").json()
    assert figures["total_calls"] == 0
    assert figures["service_level"]["percent"] is None
    assert figures["asa_s"] is None
    assert figures["abandon_rate"]["percent"] is None
    assert figures["monthly_average"] == 0
    table = pbx_bridge(capsys, config, *args)
    assert table.code == 0 and "Service level (20 s): -" in table.out


def test_thresholds_come_from_bridge_yaml(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = write_config(
        tmp_path,
        sqlite_url(tmp_path),
        "reports:\n  service_level_threshold_s: 30\n  short_abandon_s: 3\n",
    )
    log = open_log(config)
    log.write_record(answered("1", "2019-04-01T09:00", wait_s=25.0))
    log.close()
    figures = pbx_bridge(capsys, config, "report", *APRIL_2019_JSON).json()
    assert figures["service_level"] == {
        "threshold_s": 30,
        "percent": 100.0,
        "answered_within": 1,
        "offered": 1,
    }
    assert figures["abandon_rate"]["short_abandon_s"] == 3


def test_a_tenant_not_in_the_configuration_is_noted(
    capsys: pytest.CaptureFixture[str], config: Path
) -> None:
    log = open_log(config)
    log.write_record(answered("1", "2019-04-01T09:00", tenant="ehemalige-gemeinde"))
    log.close()
    run = pbx_bridge(capsys, config, "report", "--tenant", "ehemalige-gemeinde", *APRIL_2019_JSON)
    assert run.json()["total_calls"] == 1  # billing a former tenant still works
    assert "not in the configuration" in run.err


def test_reversed_range_is_refused(capsys: pytest.CaptureFixture[str], config: Path) -> None:
    run = pbx_bridge(capsys, config, "report", "--from", "2019-05-01", "--to", "2019-04-30")
    assert run.code == EXIT_CONFIG and "before" in run.err


def test_node_keeps_one_asterisks_calls(capsys: pytest.CaptureFixture[str], config: Path) -> None:
    log = open_log(config)
    log.write_record(answered("1", "2019-04-01T09:00", node="ast-a"))
    log.write_record(answered("1", "2019-04-01T09:00", node="ast-b"))
    log.write_record(answered("2", "2019-04-02T09:00", node="ast-b"))
    log.close()
    span = ("report", "--from", "2019-04", "--to", "2019-04")
    every = pbx_bridge(capsys, config, *span, "--format", "json").json()
    assert every["node"] == "all" and every["total_calls"] == 3
    one = pbx_bridge(capsys, config, *span, "--node", "ast-b", "--format", "json").json()
    assert one["node"] == "ast-b" and one["total_calls"] == 2
    table = pbx_bridge(capsys, config, *span, "--node", "ast-a")
    assert table.code == 0 and "node ast-a" in table.out and "Calls: 1," in table.out
