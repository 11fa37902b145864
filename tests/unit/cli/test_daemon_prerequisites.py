"""What the daemon needs before it starts: a current schema and a safe AMI secret."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
import yaml

from pbx_bridge.cli.main import main

SHIPPED = Path(__file__).resolve().parents[3] / "config"


def test_outdated_schema_is_reported_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copytree(SHIPPED / "tenants", tmp_path / "tenants")
    bridge = yaml.safe_load((SHIPPED / "bridge.yaml").read_text())
    database = tmp_path / "old.sqlite3"
    with sqlite3.connect(database) as db:
        db.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        db.execute("INSERT INTO alembic_version VALUES ('r0000_older')")
    bridge |= {
        "sounds_dir": str(SHIPPED.parent / "sounds"),
        "state_dir": str(tmp_path / "state"),
        "database": {"url": f"sqlite:///{database}"},
        "ami": {"secret_env": "PBXB_UNUSED"},
        "agi": {"listen": "127.0.0.1:45731"},  # never bound: the schema check comes first
        "metrics": {"listen": "127.0.0.1:45732"},
    }
    config = tmp_path / "bridge.yaml"
    config.write_text(yaml.safe_dump(bridge))
    assert main(["run", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "r0000_older" in err and "pbx-bridge db upgrade" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(("mode", "fragment"), [(0o644, "chmod 600"), (None, "cannot read")])
def test_config_check_refuses_an_unsafe_or_missing_ami_secret(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], mode: int | None, fragment: str
) -> None:
    shutil.copytree(SHIPPED / "tenants", tmp_path / "tenants")
    bridge = yaml.safe_load((SHIPPED / "bridge.yaml").read_text())
    secret = tmp_path / "ami.secret"
    if mode is not None:
        secret.write_text("s3cret")
        secret.chmod(mode)
    bridge |= {"sounds_dir": str(SHIPPED.parent / "sounds"), "ami": {"secret_file": "ami.secret"}}
    config = tmp_path / "bridge.yaml"
    config.write_text(yaml.safe_dump(bridge))
    assert main(["config", "check", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert fragment in err and "s3cret" not in err
