"""`config check` finds what would stop the daemon at start, as one line each and exit 2."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import yaml

from tests.unit.cli.console import pbx_bridge
from tests.unit.cli.test_config_check_command import with_sounds
from tests.unit.config.tree import BILLION_LAUGHS, GIFHORN, write_tree


def _bridge(tmp_path: Path, **extra: object) -> Path:
    path = write_tree(tmp_path, {"gifhorn": GIFHORN})
    data = yaml.safe_load(path.read_text())
    data.update(extra)
    path.write_text(yaml.safe_dump(data))
    return with_sounds(path)


@pytest.mark.parametrize(
    "tenant",
    [BILLION_LAUGHS, "x: &a [*a]\n", "x: " + "[" * 3000 + "]" * 3000 + "\n"],
    ids=["alias bomb", "cyclic alias", "3000 deep"],
)
def test_a_hostile_tenant_file_is_one_error_line_and_exit_2_within_seconds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tenant: str
) -> None:
    path = _bridge(tmp_path)
    (tmp_path / "tenants" / "hostile.yaml").write_text(tenant.replace("    ", ""))
    started = time.monotonic()
    run = pbx_bridge(capsys, "config", "check", "--config", str(path))
    assert time.monotonic() - started < 5
    assert run.code == 2
    lines = run.err.splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith(f"{tmp_path / 'tenants' / 'hostile.yaml'}:")
    assert "Traceback" not in run.err


def test_an_ami_secret_that_is_not_utf8_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "ami.secret"
    secret.write_bytes(b"s3cr\xe9t\n")
    secret.chmod(0o600)
    ami = {"host": "127.0.0.1", "port": 5038, "username": "u", "secret_file": str(secret)}
    path = _bridge(tmp_path, ami=ami)
    run = pbx_bridge(capsys, "config", "check", "--config", str(path))
    assert run.code == 2
    assert run.err == f"{path}: ami: AMI secret file {secret} is not UTF-8 text\n"


def test_a_database_url_with_a_bad_port_fails_the_check_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _bridge(tmp_path)
    with path.open("a") as bridge:
        bridge.write("database:\n  url: postgresql://pbx:pw@db:notaport/calls\n")
    run = pbx_bridge(capsys, "config", "check", "--config", str(path))
    assert run.code == 2
    assert "database.url: the port is not a number" in run.err.splitlines()[0]
    assert "pw" not in run.err


def test_connect_reports_a_database_that_does_not_answer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _bridge(tmp_path, database={"url": "postgresql://pbx:pw@127.0.0.1:1/calls"})
    assert pbx_bridge(capsys, "config", "check", "--config", str(path)).code == 0
    run = pbx_bridge(capsys, "config", "check", "--connect", "--config", str(path))
    assert run.code == 2
    assert "database postgresql://pbx:***@127.0.0.1:1/calls unavailable:" in run.err
    assert "Traceback" not in run.err


def test_connect_passes_with_a_database_that_answers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _bridge(tmp_path, database={"url": f"sqlite:///{tmp_path / 'calls.sqlite3'}"})
    run = pbx_bridge(capsys, "config", "check", "--connect", "--config", str(path))
    assert (run.code, run.err) == (0, "")


def test_connect_creates_no_sqlite_file_and_reports_one_that_is_no_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "var" / "calls.sqlite3"
    path = _bridge(tmp_path, database={"url": f"sqlite:///{database}"})
    run = pbx_bridge(capsys, "config", "check", "--connect", "--config", str(path))
    assert (run.code, run.err) == (0, "")
    assert not database.parent.exists()  # created by the daemon, as its own user
    database.parent.mkdir()
    database.write_bytes(b"not a database, but long enough to have a header" * 4)
    run = pbx_bridge(capsys, "config", "check", "--connect", "--config", str(path))
    assert run.code == 2
    assert f"database {database} unreadable:" in run.err
