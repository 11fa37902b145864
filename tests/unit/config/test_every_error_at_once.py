"""An admin sees every error of the whole tree in one run, sorted by file and line."""

from __future__ import annotations

from pathlib import Path

from tests.unit.config.tree import findings, tenant

# Its number is Gifhorn's, written another way: the clash is reported at line 7.
WOLFSBURG_CLAIMING_GIFHORN = tenant("wolfsburg", numbers=["+49 5371 820"])


def test_errors_in_several_files_are_all_reported_sorted(tmp_path: Path) -> None:
    bridge = """\
        service_center:
          name: Service Center Wolfsburg
          timezone: Europe/Berlin
          queue: servicecenter
          unrouted_greeting: servicecenter
        tenants_dir: tenants
        agi:
          listen: "localhost"
    """
    wolfsburg = tenant(
        "wolfsburg",
        holidays="NS",
        then="""\
            hours:
              mon-fri: "07:00-18:00"
              sat: "25:00-12:00"
        """,
    )
    gifhorn = tenant(
        then="""\
            hours:
              mon-fir: "07:00-18:00"
            closed:
              action: forward
        """
    )
    broken = """\
        id: uetze
          name: Gemeinde Uetze
    """
    found = findings(
        tmp_path, {"wolfsburg": wolfsburg, "gifhorn": gifhorn, "uetze": broken}, bridge
    )
    assert [(file, line) for file, line, _ in found] == [
        ("bridge.yaml", 8),
        ("tenants/gifhorn.yaml", 9),
        ("tenants/gifhorn.yaml", 11),
        ("tenants/uetze.yaml", 2),
        ("tenants/wolfsburg.yaml", 5),
        ("tenants/wolfsburg.yaml", 10),
    ]
    messages = [message for _, _, message in found]
    assert "agi.listen 'localhost'" in messages[0]
    assert "unknown weekday 'fir'" in messages[1]
    assert "forward_to is missing" in messages[2]
    assert messages[3].startswith("YAML syntax error")
    assert "unknown state code 'NS'" in messages[4]
    assert "'25:00' is not a time of day" in messages[5]


def test_structural_error_in_bridge_does_not_hide_tenant_errors(tmp_path: Path) -> None:
    bridge = """\
        service_center:
          name: Service Center Wolfsburg
          timezone: Europe/Berlin
          queue: servicecenter
          unrouted_greetings: servicecenter
        tenants_dir: tenants
    """
    found = findings(tmp_path, {"gifhorn": tenant(numbers=["Rathaus"])}, bridge)
    assert [(file, line) for file, line, _ in found] == [
        ("bridge.yaml", 1),
        ("bridge.yaml", 5),
        ("tenants/gifhorn.yaml", 7),
    ]


def test_every_clash_of_a_number_is_reported(tmp_path: Path) -> None:
    found = findings(
        tmp_path,
        {
            "a": tenant("a", numbers=["05371 82-0"]),
            "b": tenant("b", numbers=["+495371820"]),
            "c": tenant("c", numbers=["0049 5371 82 0"]),
        },
    )
    assert [(file, line) for file, line, _ in found] == [
        ("tenants/b.yaml", 7),
        ("tenants/c.yaml", 7),
    ]
    assert all("already claimed by tenant 'a'" in message for _, _, message in found)


def test_typo_in_a_tenant_does_not_hide_its_bad_hours(tmp_path: Path) -> None:
    gifhorn = tenant(
        then="""\
            hours:
              mon-fri: "18:00-07:00"
            exeptions: []
        """
    )
    found = findings(tmp_path, {"gifhorn": gifhorn})
    assert [(file, line) for file, line, _ in found] == [
        ("tenants/gifhorn.yaml", 9),
        ("tenants/gifhorn.yaml", 10),
    ]


def test_typo_in_bridge_does_not_hide_a_bad_timezone(tmp_path: Path) -> None:
    bridge = """\
        service_center:
          name: Service Center Wolfsburg
          timezone: Europe/Wolfsburg
          queue: servicecenter
          unrouted_greeting: servicecenter
          queue_timout: 300
        tenants_dir: tenants
    """
    found = findings(tmp_path, {"gifhorn": tenant()}, bridge)
    assert [(file, line) for file, line, _ in found] == [
        ("bridge.yaml", 3),
        ("bridge.yaml", 6),
    ]


def test_number_clash_with_a_tenant_that_has_other_errors_is_reported(tmp_path: Path) -> None:
    gifhorn = tenant(holidays="XX")
    found = findings(tmp_path, {"gifhorn": gifhorn, "wolfsburg": WOLFSBURG_CLAIMING_GIFHORN})
    assert [(file, line) for file, line, _ in found] == [
        ("tenants/gifhorn.yaml", 5),
        ("tenants/wolfsburg.yaml", 7),
    ]


def test_number_clash_with_a_tenant_file_that_has_a_typo_is_reported(tmp_path: Path) -> None:
    gifhorn = tenant(then="queu: servicecenter\n")
    found = findings(tmp_path, {"gifhorn": gifhorn, "wolfsburg": WOLFSBURG_CLAIMING_GIFHORN})
    assert [(file, line) for file, line, _ in found] == [
        ("tenants/gifhorn.yaml", 8),
        ("tenants/wolfsburg.yaml", 7),
    ]
    assert "unknown key 'queu'" in found[0][2]
    assert "already claimed by tenant 'gifhorn'" in found[1][2]


def test_number_clash_is_reported_when_the_second_file_has_a_typo(tmp_path: Path) -> None:
    wolfsburg = WOLFSBURG_CLAIMING_GIFHORN.replace("holidays: NI", "holiday: NI")
    found = findings(tmp_path, {"gifhorn": tenant(), "wolfsburg": wolfsburg})
    lines = [(file, line) for file, line, _ in found]
    assert ("tenants/wolfsburg.yaml", 7) in lines, found
    assert any("already claimed by tenant 'gifhorn'" in message for _, _, message in found)
