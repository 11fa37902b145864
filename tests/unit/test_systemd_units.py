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


def installed_copy(tmp_path: Path, name: str) -> Path:
    return next(p for p in installed_copies(tmp_path) if p.name == name)


def security_exposure(unit: Path) -> tuple[float, str, str]:
    """`systemd-analyze security`'s overall exposure level and rating for the unit, and its
    whole report (for the failure message)."""
    assert ANALYZE is not None
    done = subprocess.run(
        [ANALYZE, "security", "--offline=true", str(unit)],
        capture_output=True,
        text=True,
        check=False,
    )
    match = re.search(r"Overall exposure level for \S+: ([0-9.]+) (\w+)", done.stdout)
    assert match, done.stdout + done.stderr
    return float(match.group(1)), match.group(2), done.stdout


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
    exposure, rating, report = security_exposure(installed_copy(tmp_path, name))
    assert exposure <= 2.0, report
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


def test_report_unit_is_hardened_like_the_daemon(tmp_path: Path) -> None:
    service = installed_copy(tmp_path, "pbx-bridge-report.service")
    exposure, _rating, report = security_exposure(service)
    assert exposure <= 2.0, report
    assert "ExecStart=/usr/local/bin/pbx-bridge report send" in service.read_text().replace(
        str(Path(sys.prefix) / "bin" / "pbx-bridge"), "/usr/local/bin/pbx-bridge"
    )


def test_report_timer_sends_on_the_first_at_six_and_retries() -> None:
    timer = (UNITS / "pbx-bridge-report.timer").read_text()
    assert "OnCalendar=*-*-01 06:00:00" in timer
    assert "OnCalendar=*-*-01..05 07..20:00:00" in timer  # retries of failed addresses
    assert "Persistent=true" in timer  # a server down on the 1st sends when it is back
    assert ANALYZE is not None
    done = subprocess.run(
        [
            ANALYZE,
            "calendar",
            "--iterations=3",
            "--base-time=2026-11-15 12:00 UTC",
            "*-*-01 06:00:00",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert "Mon 2026-12-01 06:00:00" in done.stdout or "2026-12-01 06:00:00" in done.stdout
