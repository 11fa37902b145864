"""Meaning errors in tenant files: holidays, numbers, ids and the closed policy."""

from __future__ import annotations

from pathlib import Path

import pytest

from pbx_bridge.config.errors import ConfigInvalidError
from tests.unit.config.tree import load_tree, single_finding, tenant

# Closed, Meinersen forwards its callers to Gifhorn's number (line 10: forward_to).
MEINERSEN_FORWARDING_TO_GIFHORN = tenant(
    "meinersen",
    then="""\
        closed:
          action: forward
          forward_to: "05371 82-0"
    """,
)


def test_unknown_state_code_lists_the_known_ones(tmp_path: Path) -> None:
    file, line, message = single_finding(tmp_path, {"gifhorn": tenant(holidays="NDS")})
    assert (file, line) == ("tenants/gifhorn.yaml", 5)
    assert message.startswith("unknown state code 'NDS' for holidays (use one of BB, BE,")
    assert "NI, NW" in message
    assert message.endswith(", or none)")


@pytest.mark.parametrize("number", ["Rathaus", "+49", "0"])
def test_unreadable_number_is_reported_at_its_item(tmp_path: Path, number: str) -> None:
    gifhorn = tenant(numbers=["05371 82-0", number])
    file, line, message = single_finding(tmp_path, {"gifhorn": gifhorn})
    assert (file, line) == ("tenants/gifhorn.yaml", 8)
    assert message.startswith(f"cannot read number: '{number}' is not a ")


def test_same_number_twice_in_one_file_is_reported_at_the_second(tmp_path: Path) -> None:
    gifhorn = tenant(numbers=["05371 82-0", "05371/820"])
    file, line, message = single_finding(tmp_path, {"gifhorn": gifhorn})
    assert (file, line) == ("tenants/gifhorn.yaml", 8)
    assert message == "number '05371/820' is listed twice in this file (+495371820)"


def test_number_claimed_by_two_tenants_in_other_notation_names_both_files(
    tmp_path: Path,
) -> None:
    wolfsburg = tenant("wolfsburg", numbers=["05361 0999-0", "+49 5371 820"])
    file, line, message = single_finding(tmp_path, {"gifhorn": tenant(), "wolfsburg": wolfsburg})
    assert (file, line) == ("tenants/wolfsburg.yaml", 8)
    first_claim = tmp_path / "tenants" / "gifhorn.yaml"
    assert message == (
        f"number '+49 5371 820' (+495371820) is already claimed by tenant 'gifhorn' "
        f"({first_claim}:7)"
    )


def test_duplicate_tenant_id_names_the_other_file(tmp_path: Path) -> None:
    copy = tenant("meinersen").replace(
        "id: meinersen", "# copied from gifhorn.yaml, id not changed yet\nid: gifhorn"
    )
    file, line, message = single_finding(tmp_path, {"gifhorn": tenant(), "meinersen": copy})
    assert (file, line) == ("tenants/meinersen.yaml", 2)
    assert message == f"duplicate tenant id 'gifhorn' (also in {tmp_path / 'tenants/gifhorn.yaml'})"


def test_forward_without_forward_to_is_reported_at_the_action(tmp_path: Path) -> None:
    geseke = tenant(
        "geseke",
        then="""\
            closed:
              announcement: geseke-closed
              action: forward
        """,
    )
    finding = single_finding(tmp_path, {"geseke": geseke})
    assert finding == (
        "tenants/geseke.yaml",
        10,
        "closed.action is 'forward' but closed.forward_to is missing",
    )


def test_forward_to_without_forward_is_reported_at_forward_to(tmp_path: Path) -> None:
    geseke = tenant(
        "geseke",
        then="""\
            closed:
              forward_to: "02942 500-0"
        """,
    )
    finding = single_finding(tmp_path, {"geseke": geseke})
    assert finding == (
        "tenants/geseke.yaml",
        9,
        "closed.forward_to is set but closed.action is not 'forward'",
    )


def test_unreadable_forward_to_is_reported_at_forward_to(tmp_path: Path) -> None:
    geseke = tenant(
        "geseke",
        then="""\
            closed:
              action: forward
              forward_to: Zentrale
        """,
    )
    file, line, message = single_finding(tmp_path, {"geseke": geseke})
    assert (file, line) == ("tenants/geseke.yaml", 10)
    assert message.startswith("cannot read closed.forward_to: 'Zentrale'")


def test_unknown_closed_action_is_reported_at_the_action(tmp_path: Path) -> None:
    gifhorn = tenant(then="closed:\n  action: voicemail\n")
    file, line, message = single_finding(tmp_path, {"gifhorn": gifhorn})
    assert (file, line) == ("tenants/gifhorn.yaml", 9)
    assert message == "closed.action: Input should be 'hangup' or 'forward'"


def test_tenant_without_numbers_is_an_error(tmp_path: Path) -> None:
    file, line, message = single_finding(tmp_path, {"gifhorn": tenant(numbers=[])})
    assert (file, line) == ("tenants/gifhorn.yaml", 6)
    assert message.startswith("numbers: List should have at least 1 item")


def test_forward_to_another_tenants_number_warns_naming_that_tenant(tmp_path: Path) -> None:
    config = load_tree(
        tmp_path, {"gifhorn": tenant(), "meinersen": MEINERSEN_FORWARDING_TO_GIFHORN}
    )
    [warning] = config.warnings
    assert warning.file == tmp_path / "tenants" / "meinersen.yaml"
    assert warning.message.startswith("warning: closed.forward_to +495371820 is answered by")
    assert "tenant 'gifhorn'" in warning.message


def test_forward_loop_warning_points_at_forward_to(tmp_path: Path) -> None:
    config = load_tree(
        tmp_path, {"gifhorn": tenant(), "meinersen": MEINERSEN_FORWARDING_TO_GIFHORN}
    )
    [warning] = config.warnings
    assert warning.line == 10


def test_uppercase_tenant_id_is_told_to_be_lowercase(tmp_path: Path) -> None:
    gifhorn = tenant().replace("id: gifhorn", "id: Gifhorn")
    file, line, message = single_finding(tmp_path, {"gifhorn": gifhorn})
    assert (file, line) == ("tenants/gifhorn.yaml", 1)
    assert "lowercase" in message
    assert "'.'" not in message


def test_invalid_sound_name_is_reported_at_its_key(tmp_path: Path) -> None:
    gifhorn = tenant().replace("greeting: gifhorn", "greeting: ../gifhorn")
    file, line, message = single_finding(tmp_path, {"gifhorn": gifhorn})
    assert (file, line) == ("tenants/gifhorn.yaml", 3)
    assert message.startswith("greeting: a name here is letters, digits")
    assert "slashes" in message


def test_loader_error_lists_issues_as_file_line_message(tmp_path: Path) -> None:
    with pytest.raises(ConfigInvalidError) as caught:
        load_tree(tmp_path, {"gifhorn": tenant(holidays="XX")})
    assert str(caught.value).startswith(f"{tmp_path / 'tenants/gifhorn.yaml'}:5: unknown state")
