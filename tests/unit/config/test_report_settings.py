"""`reports:` and `smtp:` in bridge.yaml: thresholds, per-tenant overrides, deliveries."""

from __future__ import annotations

from pathlib import Path

from tests.unit.config.tree import GIFHORN, findings, load_tree

HEAD = """\
    service_center:
      name: Service Center Wolfsburg
      timezone: Europe/Berlin
      queue: servicecenter
      unrouted_greeting: servicecenter
"""


def test_thresholds_overrides_and_deliveries_are_read(tmp_path: Path) -> None:
    bridge = (
        HEAD
        + """\
    reports:
      service_level_thresholds_s: [30, 20, 30]
      tenants:
        gifhorn: {service_level_thresholds_s: [45]}
      deliveries:
        - {tenant: gifhorn, to: [leitung@gifhorn.example], format: [pdf, csv]}
        - {tenant: all, to: [servicecenter@wolfsburg.example]}
    smtp: {host: mail.example, password_file: smtp.secret}
"""
    )
    config = load_tree(tmp_path, {"gifhorn": GIFHORN}, bridge)
    reports = config.reports
    assert reports.service_level_thresholds_s == (30, 20)  # repeated ones once
    assert reports.thresholds().service_level_s == 30
    assert reports.tenant_thresholds()["gifhorn"].service_levels_s == (45,)
    (gifhorn, center) = reports.deliveries
    assert (gifhorn.tenant, gifhorn.formats) == ("gifhorn", ("pdf", "csv"))
    assert (center.tenant, center.formats) == (None, ("pdf", "csv", "xlsx"))
    assert reports.smtp is not None
    assert (reports.smtp.port, reports.smtp.starttls) == (587, True)
    assert reports.smtp.password_file == (tmp_path / "smtp.secret").resolve()


def test_the_older_single_threshold_still_reads(tmp_path: Path) -> None:
    bridge = HEAD + "    reports: {service_level_threshold_s: 30}\n"
    assert load_tree(tmp_path, {"gifhorn": GIFHORN}, bridge).reports.service_level_thresholds_s == (
        30,
    )


def test_every_report_setting_error_is_named_at_its_line(tmp_path: Path) -> None:
    bridge = (
        HEAD
        + """\
    reports:
      service_level_thresholds_s: [20, 30]
      service_level_threshold_s: 20
      tenants:
        atlantis: {service_level_thresholds_s: [30]}
      deliveries:
        - {tenant: meinersen, to: [leitung]}
"""
    )
    found = findings(tmp_path, {"gifhorn": GIFHORN}, bridge)
    messages = {(line, message) for _file, line, message in found}
    assert (
        8,
        "give either service_level_threshold_s or service_level_thresholds_s, not both",
    ) in messages
    assert (10, "reports.tenants: unknown tenant 'atlantis'") in messages
    assert (12, "reports.deliveries: unknown tenant 'meinersen' (or 'all')") in messages
    assert (12, "reports.deliveries: 'leitung' is not a mail address") in messages
    assert (11, "reports.deliveries need an smtp: section") in messages


def test_a_threshold_out_of_range_is_refused(tmp_path: Path) -> None:
    bridge = HEAD + "    reports: {service_level_thresholds_s: [0]}\n"
    found = findings(tmp_path, {"gifhorn": GIFHORN}, bridge)
    assert len(found) == 1 and found[0][1] == 6


def test_a_delivery_names_its_node_and_one_address_gets_one_node_per_tenant(
    tmp_path: Path,
) -> None:
    bridge = (
        HEAD
        + """\
    reports:
      deliveries:
        - {tenant: all, to: [technik@wolfsburg.example], node: ast-gifhorn}
        - {tenant: all, to: [leitung@wolfsburg.example]}
        - {tenant: all, to: [technik@wolfsburg.example], node: ast-wolfsburg}
    smtp: {host: mail.example}
"""
    )
    found = findings(tmp_path, {"gifhorn": GIFHORN}, bridge)
    assert [(line, message) for _file, line, message in found] == [
        (
            10,
            "reports.deliveries: 'technik@wolfsburg.example' gets 'all' for two nodes; "
            "give each node's report its own address",
        )
    ]
    fixed = bridge.replace(
        "technik@wolfsburg.example], node: ast-wolfsburg", "it@x.example], node: ast-wolfsburg"
    )
    nodes = [d.node for d in load_tree(tmp_path, {"gifhorn": GIFHORN}, fixed).reports.deliveries]
    assert nodes == ["ast-gifhorn", None, "ast-wolfsburg"]
