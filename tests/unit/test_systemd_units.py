"""The shipped systemd units verify, and the daemon's unit is rated well hardened."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

UNITS = Path(__file__).resolve().parents[2] / "systemd"
ANALYZE = shutil.which("systemd-analyze")
pytestmark = pytest.mark.skipif(ANALYZE is None, reason="systemd-analyze is not installed")


def installed_copies(tmp_path: Path) -> list[Path]:
    """The units with ExecStart pointing at this virtualenv (verify checks the binary exists)."""
    binary = Path(sys.prefix) / "bin" / "pbx-bridge"
    copies = []
    for unit in sorted(UNITS.iterdir()):
        text = unit.read_text().replace("/usr/local/bin/pbx-bridge", str(binary))
        copy = tmp_path / unit.name
        copy.write_text(text)
        copies.append(copy)
    return copies


def test_units_verify(tmp_path: Path) -> None:
    assert ANALYZE is not None
    done = subprocess.run(
        [ANALYZE, "verify", *map(str, installed_copies(tmp_path))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "", done.stderr


@pytest.mark.parametrize("name", ["pbx-bridge.service", "pbx-bridge-web.service"])
def test_services_are_rated_ok_by_systemd_analyze_security(tmp_path: Path, name: str) -> None:
    assert ANALYZE is not None
    service = next(p for p in installed_copies(tmp_path) if p.name == name)
    done = subprocess.run(
        [ANALYZE, "security", "--offline=true", str(service)],
        capture_output=True,
        text=True,
        check=False,
    )
    match = re.search(r"Overall exposure level for \S+: ([0-9.]+) (\w+)", done.stdout)
    assert match, done.stdout + done.stderr
    exposure, rating = float(match.group(1)), match.group(2)
    assert exposure <= 2.0, done.stdout
    assert rating in {"OK", "SAFE"}


def test_daemon_unit_has_what_operations_needs() -> None:
    unit = (UNITS / "pbx-bridge.service").read_text()
    for line in (
        "Type=notify",
        "WatchdogSec=",
        "ExecReload=/bin/kill -HUP $MAINPID",
        "Restart=on-failure",
        "User=pbx-bridge",
        "ProtectSystem=strict",
        "NoNewPrivileges=yes",
        "CapabilityBoundingSet=\n",
        "PrivateTmp=yes",
        "ProtectHome=yes",
        "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
    ):
        assert line in unit, line


def test_web_unit_runs_the_console_apart_from_the_daemon() -> None:
    unit = (UNITS / "pbx-bridge-web.service").read_text()
    for line in (
        "ExecStart=/usr/local/bin/pbx-bridge web --config /etc/pbx-bridge/bridge.yaml",
        "User=pbx-bridge",
        "ProtectSystem=strict",
        "ReadWritePaths=/var/lib/pbx-bridge",
        "NoNewPrivileges=yes",
        "Nice=5",
    ):
        assert line in unit, line
