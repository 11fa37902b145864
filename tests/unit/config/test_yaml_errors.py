"""Files that are not the YAML mapping a tenant or bridge.yaml must be."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.config.tree import GIFHORN, single_finding


def test_yaml_syntax_error_is_reported_at_the_broken_line(tmp_path: Path) -> None:
    tenant = """\
        id: gifhorn
        name: Landkreis Gifhorn
        greeting: gifhorn
        greeting_text: Service Center: Landkreis Gifhorn
        holidays: NI
        numbers:
          - {number: "05371 82-0"}
    """
    finding = single_finding(tmp_path, {"gifhorn": tenant})
    assert finding == (
        "tenants/gifhorn.yaml",
        4,
        "YAML syntax error: mapping values are not allowed here",
    )


def test_unclosed_flow_mapping_is_a_syntax_error_near_it(tmp_path: Path) -> None:
    tenant = """\
        id: gifhorn
        name: Landkreis Gifhorn
        greeting: gifhorn
        greeting_text: "Guten Tag."
        holidays: NI
        numbers:
          - {number: "05371 82-0", department: Zentrale
        hours:
          mon-fri: "07:00-18:00"
    """
    file, line, message = single_finding(tmp_path, {"gifhorn": tenant})
    assert (file, line) == ("tenants/gifhorn.yaml", 8)
    assert message == "YAML syntax error: expected ',' or '}', but got ':'"


def test_tab_indentation_is_a_syntax_error(tmp_path: Path) -> None:
    tenant = GIFHORN.replace('      mon-fri: "07:00-18:00"', '    \tmon-fri: "07:00-18:00"')
    file, line, message = single_finding(tmp_path, {"gifhorn": tenant})
    assert (file, line) == ("tenants/gifhorn.yaml", 9)
    assert message.startswith("YAML syntax error: found character '\\t'")


def test_unclosed_quote_on_the_last_line_is_reported_on_that_line(tmp_path: Path) -> None:
    tenant = """\
        id: gifhorn
        name: Landkreis Gifhorn
        greeting: gifhorn
        greeting_text: "Guten Tag."
        holidays: NI
        numbers:
          - {number: "05371 82-0"}
        hours:
          mon-fri: "07:00-18:00
    """
    file, line, _ = single_finding(tmp_path, {"gifhorn": tenant})
    assert (file, line) == ("tenants/gifhorn.yaml", 9)


def test_duplicate_key_is_reported_at_the_second_with_the_first_line(tmp_path: Path) -> None:
    tenant = """\
        id: gifhorn
        name: Landkreis Gifhorn
        greeting: gifhorn
        greeting_text: "Guten Tag."
        holidays: NI
        numbers:
          - {number: "05371 82-0"}
        hours:
          mon-fri: "07:00-18:00"
          mon-fri: "08:00-16:00"
    """
    finding = single_finding(tmp_path, {"gifhorn": tenant})
    assert finding == ("tenants/gifhorn.yaml", 10, "duplicate key 'mon-fri' (first at line 9)")


@pytest.mark.parametrize("text", ["", "\n\n", "# Gifhorn, to be filled in\n", "---\n"])
def test_empty_tenant_file_is_reported(tmp_path: Path, text: str) -> None:
    finding = single_finding(tmp_path, {"gifhorn": GIFHORN, "isenbuettel": text})
    assert finding == ("tenants/isenbuettel.yaml", 1, "the file is empty")


def test_empty_bridge_file_is_reported(tmp_path: Path) -> None:
    finding = single_finding(tmp_path, {"gifhorn": GIFHORN}, bridge="")
    assert finding == ("bridge.yaml", 1, "the file is empty")


def test_tenant_written_as_a_list_is_reported(tmp_path: Path) -> None:
    tenant = """\
        - id: gifhorn
        - name: Landkreis Gifhorn
    """
    finding = single_finding(tmp_path, {"gifhorn": tenant})
    assert finding == ("tenants/gifhorn.yaml", 1, "(file): expected a mapping of keys (key: value)")


def test_hours_written_as_a_list_are_reported_at_hours(tmp_path: Path) -> None:
    tenant = """\
        id: gifhorn
        name: Landkreis Gifhorn
        greeting: gifhorn
        greeting_text: "Guten Tag."
        holidays: NI
        numbers:
          - {number: "05371 82-0"}
        hours:
          - mon-fri: "07:00-18:00"
    """
    finding = single_finding(tmp_path, {"gifhorn": tenant})
    assert finding == ("tenants/gifhorn.yaml", 8, "hours: expected a mapping of keys (key: value)")


def test_key_that_is_not_a_word_is_reported(tmp_path: Path) -> None:
    tenant = """\
        id: gifhorn
        name: Landkreis Gifhorn
        greeting: gifhorn
        greeting_text: "Guten Tag."
        holidays: NI
        numbers:
          - {number: "05371 82-0"}
        [mon, tue]: "07:00-18:00"
    """
    finding = single_finding(tmp_path, {"gifhorn": tenant})
    assert finding == ("tenants/gifhorn.yaml", 8, "a key must be a plain word")
