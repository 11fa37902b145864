"""Unknown keys (typos, with a suggestion) and missing required keys, at the line of the key."""

from __future__ import annotations

from pathlib import Path

from tests.unit.config.tree import GIFHORN, findings, single_finding


def test_typo_at_top_level_of_bridge_suggests_the_key(tmp_path: Path) -> None:
    bridge = """\
        service_center:
          name: Service Center Wolfsburg
          timezone: Europe/Berlin
          queue: servicecenter
          unrouted_greeting: servicecenter
        tenant_dir: tenants
    """
    file, line, message = single_finding(tmp_path, {"gifhorn": GIFHORN}, bridge)
    assert (file, line) == ("bridge.yaml", 6)
    assert "unknown key 'tenant_dir' (did you mean 'tenants_dir'?)" in message


def test_typo_inside_service_center_names_the_section(tmp_path: Path) -> None:
    bridge = """\
        service_center:
          name: Service Center Wolfsburg
          timezone: Europe/Berlin
          queue: servicecenter
          unrouted_greeting: servicecenter
          queue_timout: 300
        tenants_dir: tenants
    """
    file, line, message = single_finding(tmp_path, {"gifhorn": GIFHORN}, bridge)
    assert (file, line) == ("bridge.yaml", 6)
    assert message == (
        "in service_center: unknown key 'queue_timout' (did you mean 'queue_timeout'?)"
    )


def test_typo_at_top_level_of_tenant_suggests_the_key(tmp_path: Path) -> None:
    tenant = """\
        id: gifhorn
        name: Landkreis Gifhorn
        greeting: gifhorn
        greeting_text: "Service Center Landkreis Gifhorn, guten Tag."
        holidays: NI
        numbers:
          - {number: "05371 82-0"}
        exeptions: []
    """
    file, line, message = single_finding(tmp_path, {"gifhorn": tenant})
    assert (file, line) == ("tenants/gifhorn.yaml", 8)
    assert "unknown key 'exeptions' (did you mean 'exceptions'?)" in message


def test_typo_of_a_required_key_is_unknown_and_the_key_missing(tmp_path: Path) -> None:
    tenant = """\
        id: gifhorn
        name: Landkreis Gifhorn
        greeting: gifhorn
        greeting_text: "Guten Tag."
        holiday: NI
        numbers:
          - {number: "05371 82-0"}
    """
    assert findings(tmp_path, {"gifhorn": tenant}) == [
        ("tenants/gifhorn.yaml", 1, "missing required key 'holidays'"),
        ("tenants/gifhorn.yaml", 5, "unknown key 'holiday' (did you mean 'holidays'?)"),
    ]


def test_typo_inside_a_numbers_item_names_the_item(tmp_path: Path) -> None:
    tenant = """\
        id: gifhorn
        name: Landkreis Gifhorn
        greeting: gifhorn
        greeting_text: "Guten Tag."
        holidays: NI
        numbers:
          - {number: "05371 82-0", department: Zentrale}
          - number: "05371 82-370"
            departement: Kfz-Zulassung
    """
    file, line, message = single_finding(tmp_path, {"gifhorn": tenant})
    assert (file, line) == ("tenants/gifhorn.yaml", 9)
    assert message == ("in numbers[1]: unknown key 'departement' (did you mean 'department'?)")


def test_typo_inside_closed_names_the_section(tmp_path: Path) -> None:
    tenant = """\
        id: gifhorn
        name: Landkreis Gifhorn
        greeting: gifhorn
        greeting_text: "Guten Tag."
        holidays: NI
        numbers:
          - {number: "05371 82-0"}
        closed:
          anouncement: gifhorn-closed
          action: hangup
    """
    file, line, message = single_finding(tmp_path, {"gifhorn": tenant})
    assert (file, line) == ("tenants/gifhorn.yaml", 9)
    assert message == "in closed: unknown key 'anouncement' (did you mean 'announcement'?)"


def test_unknown_key_unlike_any_field_gets_no_suggestion(tmp_path: Path) -> None:
    tenant = """\
        id: gifhorn
        name: Landkreis Gifhorn
        greeting: gifhorn
        greeting_text: "Guten Tag."
        holidays: NI
        numbers:
          - {number: "05371 82-0"}
        zzz: 1
    """
    file, line, message = single_finding(tmp_path, {"gifhorn": tenant})
    assert (file, line, message) == ("tenants/gifhorn.yaml", 8, "unknown key 'zzz'")


def test_missing_tenant_name_is_reported_at_the_top_of_the_file(tmp_path: Path) -> None:
    tenant = """\
        id: gifhorn
        greeting: gifhorn
        greeting_text: "Guten Tag."
        holidays: NI
        numbers:
          - {number: "05371 82-0"}
    """
    finding = single_finding(tmp_path, {"gifhorn": tenant})
    assert finding == ("tenants/gifhorn.yaml", 1, "missing required key 'name'")


def test_missing_service_center_queue_is_reported_at_the_section(tmp_path: Path) -> None:
    bridge = """\
        # the center
        service_center:
          name: Service Center Wolfsburg
          timezone: Europe/Berlin
          unrouted_greeting: servicecenter
        tenants_dir: tenants
    """
    finding = single_finding(tmp_path, {"gifhorn": GIFHORN}, bridge)
    assert finding == ("bridge.yaml", 2, "in service_center: missing required key 'queue'")


def test_missing_number_in_a_numbers_item_is_reported_at_the_item(tmp_path: Path) -> None:
    tenant = """\
        id: gifhorn
        name: Landkreis Gifhorn
        greeting: gifhorn
        greeting_text: "Guten Tag."
        holidays: NI
        numbers:
          - {number: "05371 82-0"}
          - {department: Kfz-Zulassung}
    """
    finding = single_finding(tmp_path, {"gifhorn": tenant})
    assert finding == ("tenants/gifhorn.yaml", 8, "in numbers[1]: missing required key 'number'")
