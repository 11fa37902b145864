"""`pbx-bridge db rebuild-counts`: recounts the stored calls, as often as an operator likes."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml
from sqlalchemy import text

from pbx_bridge.cli.main import main
from pbx_bridge.config.loader import load_config
from pbx_bridge.storage.opening import open_call_log
from tests.unit.storage.builders import answered

SHIPPED = Path(__file__).resolve().parents[3] / "config"
NOW = datetime(2019, 5, 1, tzinfo=UTC)


def _config(tmp_path: Path) -> Path:
    shutil.copytree(SHIPPED / "tenants", tmp_path / "tenants")
    bridge = yaml.safe_load((SHIPPED / "bridge.yaml").read_text())
    bridge |= {
        "sounds_dir": str(SHIPPED.parent / "sounds"),
        "state_dir": str(tmp_path / "state"),
        "database": {"url": f"sqlite:///{tmp_path / 'calls.sqlite3'}"},
    }
    config = tmp_path / "bridge.yaml"
    config.write_text(yaml.safe_dump(bridge))
    return config


def test_rebuild_counts_restores_lost_counts_and_is_idempotent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = _config(tmp_path)
    assert main(["db", "upgrade", "--config", str(config)]) == 0
    log = open_call_log(load_config(config))
    log.write_records([answered(f"c{n}", f"2019-04-0{n}T09:00") for n in range(1, 6)])
    april = (date(2019, 4, 1), date(2019, 4, 30))
    before = log.report(tenant=None, first=april[0], last=april[1], now=NOW)
    with log.engine.begin() as connection:
        connection.execute(text("DELETE FROM call_days"))
    assert log.report(tenant=None, first=april[0], last=april[1], now=NOW).total_calls == 0
    for _ in range(2):
        assert main(["db", "rebuild-counts", "--config", str(config)]) == 0
        assert "counted 5 calls per local day in Europe/Berlin" in capsys.readouterr().out
        after = log.report(tenant=None, first=april[0], last=april[1], now=NOW)
        assert after.total_calls == 5
        assert after.counts == before.counts and after.weekday_hours == before.weekday_hours
    log.close()
