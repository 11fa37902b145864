"""Errors in bridge.yaml: timezone, country, agi.listen and the tenants folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.config.tree import GIFHORN, findings_of, load_tree, single_finding


@pytest.mark.parametrize("zone", ["Europe/Berlinn", "Berlin", "CET+1", "../../etc/passwd"])
def test_unknown_timezone_is_reported_at_its_line(tmp_path: Path, zone: str) -> None:
    bridge = f"""\
        service_center:
          name: Service Center Wolfsburg
          queue: servicecenter
          unrouted_greeting: servicecenter
          timezone: {zone}
        tenants_dir: tenants
    """
    finding = single_finding(tmp_path, {"gifhorn": GIFHORN}, bridge)
    assert finding == ("bridge.yaml", 5, f"unknown timezone {zone!r}")


def test_unknown_country_is_reported_at_its_line(tmp_path: Path) -> None:
    bridge = """\
        service_center:
          name: Service Center Wolfsburg
          timezone: Europe/Berlin
          country: XX
          queue: servicecenter
          unrouted_greeting: servicecenter
    """
    finding = single_finding(tmp_path, {"gifhorn": GIFHORN}, bridge)
    assert finding == ("bridge.yaml", 4, "unknown country code 'XX'")


@pytest.mark.parametrize(
    "listen", ["localhost", "127.0.0.1:", ":4573", "127.0.0.1:0", "127.0.0.1:65536", "host:agi"]
)
def test_bad_agi_listen_is_reported_at_its_line(tmp_path: Path, listen: str) -> None:
    bridge = f"""\
        service_center:
          name: Service Center Wolfsburg
          timezone: Europe/Berlin
          queue: servicecenter
          unrouted_greeting: servicecenter
        agi:
          listen: "{listen}"
    """
    finding = single_finding(tmp_path, {"gifhorn": GIFHORN}, bridge)
    assert finding == ("bridge.yaml", 7, f"agi.listen {listen!r} is not HOST:PORT")


@pytest.mark.parametrize(
    ("listen", "host", "port"),
    [("0.0.0.0:4573", "0.0.0.0", 4573), ("[::1]:4574", "::1", 4574)],
)
def test_good_agi_listen_is_read(tmp_path: Path, listen: str, host: str, port: int) -> None:
    bridge = f"""\
        service_center:
          name: Service Center Wolfsburg
          timezone: Europe/Berlin
          queue: servicecenter
          unrouted_greeting: servicecenter
        agi:
          listen: "{listen}"
          allow: ["192.0.2.10"]
    """
    config = load_tree(tmp_path, {"gifhorn": GIFHORN}, bridge)
    assert (config.agi_listen.host, config.agi_listen.port) == (host, port)


def test_agi_on_the_network_without_allowlist_is_refused(tmp_path: Path) -> None:
    bridge = """\
        service_center:
          name: Service Center Wolfsburg
          timezone: Europe/Berlin
          queue: servicecenter
          unrouted_greeting: servicecenter
        agi:
          listen: "0.0.0.0:4573"
    """
    file, line, message = single_finding(tmp_path, {"gifhorn": GIFHORN}, bridge)
    assert (file, line) == ("bridge.yaml", 7)
    assert "agi.allow" in message


def test_metrics_allowlist_must_be_addresses(tmp_path: Path) -> None:
    bridge = """\
        service_center:
          name: Service Center Wolfsburg
          timezone: Europe/Berlin
          queue: servicecenter
          unrouted_greeting: servicecenter
        metrics:
          listen: "0.0.0.0:9464"
          allow: ["prometheus.example"]
    """
    file, line, message = single_finding(tmp_path, {"gifhorn": GIFHORN}, bridge)
    assert (file, line) == ("bridge.yaml", 8)
    assert message.startswith("metrics.allow:")


def test_tenants_dir_that_does_not_exist_is_reported_at_its_line(tmp_path: Path) -> None:
    bridge = """\
        service_center:
          name: Service Center Wolfsburg
          timezone: Europe/Berlin
          queue: servicecenter
          unrouted_greeting: servicecenter
        tenants_dir: mandanten
    """
    file, line, message = single_finding(tmp_path, {"gifhorn": GIFHORN}, bridge)
    assert (file, line) == ("bridge.yaml", 6)
    assert message == f"tenants_dir {str(tmp_path / 'mandanten')!r} is not a folder"


def test_default_tenants_dir_missing_is_reported_at_the_top(tmp_path: Path) -> None:
    bridge = tmp_path / "bridge.yaml"
    bridge.write_text(
        "service_center:\n"
        "  name: Service Center Wolfsburg\n"
        "  timezone: Europe/Berlin\n"
        "  queue: servicecenter\n"
        "  unrouted_greeting: servicecenter\n"
    )
    [(file, line, message)] = findings_of(bridge)
    assert (file, line) == ("bridge.yaml", 1)
    assert message == f"tenants_dir {str(tmp_path / 'tenants')!r} is not a folder"


def test_tenants_dir_without_tenant_files_is_reported_at_its_line(tmp_path: Path) -> None:
    bridge = """\
        service_center:
          name: Service Center Wolfsburg
          timezone: Europe/Berlin
          queue: servicecenter
          unrouted_greeting: servicecenter
        tenants_dir: tenants
    """
    file, line, message = single_finding(tmp_path, {}, bridge)
    assert (file, line) == ("bridge.yaml", 6)
    assert message == f"no tenant files (*.yaml) in {tmp_path / 'tenants'}"


def test_service_center_as_a_list_is_reported_at_its_line(tmp_path: Path) -> None:
    bridge = """\
        tenants_dir: tenants
        service_center:
          - name: Service Center Wolfsburg
    """
    finding = single_finding(tmp_path, {"gifhorn": GIFHORN}, bridge)
    assert finding == ("bridge.yaml", 2, "service_center: expected a mapping of keys (key: value)")
