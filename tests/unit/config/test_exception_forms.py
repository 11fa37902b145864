"""Exceptions every year (MM-DD), date ranges and the center's own, and their errors by line."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from tests.unit.config.tree import BRIDGE, GIFHORN, findings, load_tree, single_finding

WITH_CENTER_EXCEPTIONS = BRIDGE.replace(
    "      unrouted_greeting: servicecenter\n",
    "      unrouted_greeting: servicecenter\n"
    "      exceptions:\n"
    '        - {date: "12-24", hours: "07:00-12:00", reason: Heiligabend}\n'
    "        - {from: 2026-12-27, to: 2026-12-30, hours: closed, reason: Betriebsferien}\n",
)


def gifhorn_with(exceptions: str) -> str:
    return GIFHORN + "    exceptions:\n" + exceptions


def test_a_yearly_date_and_a_range_apply_as_written(tmp_path: Path) -> None:
    tenant = gifhorn_with(
        '      - {date: "12-31", hours: closed, reason: Silvester}\n'
        "      - {from: 2027-07-19, to: 2027-07-23, hours: closed, reason: Umzug}\n"
    )
    schedule = load_tree(tmp_path, {"gifhorn": tenant}).directory.tenant("gifhorn").schedule  # type: ignore[union-attr]
    assert schedule.plan_for(date(2026, 12, 31)).reason == "exception: Silvester"
    assert schedule.plan_for(date(2031, 12, 31)).reason == "exception: Silvester"
    assert schedule.plan_for(date(2027, 7, 21)).reason == "exception: Umzug"
    assert schedule.plan_for(date(2027, 7, 24)).reason == "hours"


def test_center_exceptions_apply_to_every_tenant_and_yield_to_its_own(tmp_path: Path) -> None:
    own = gifhorn_with("      - {date: 2026-12-24, hours: closed, reason: Betriebsversammlung}\n")
    meinersen = GIFHORN.replace("gifhorn", "meinersen").replace("05371 82-0", "05372 89-0")
    config = load_tree(tmp_path, {"gifhorn": own, "meinersen": meinersen}, WITH_CENTER_EXCEPTIONS)
    gifhorn = config.directory.tenant("gifhorn").schedule  # type: ignore[union-attr]
    other = config.directory.tenant("meinersen").schedule  # type: ignore[union-attr]
    assert gifhorn.plan_for(date(2026, 12, 24)).reason == "exception: Betriebsversammlung"
    assert other.plan_for(date(2026, 12, 24)).reason == "exception: Heiligabend"
    assert other.plan_for(date(2027, 12, 24)).source.value == "center exception"
    assert gifhorn.plan_for(date(2026, 12, 28)).reason == "exception: Betriebsferien"


def test_february_29_as_a_yearly_date_is_an_error_at_its_line(tmp_path: Path) -> None:
    tenant = gifhorn_with('      - {date: "02-29", hours: closed, reason: Schalttag}\n')
    file, line, message = single_finding(tmp_path, {"gifhorn": tenant})
    assert (file, line) == ("tenants/gifhorn.yaml", 11)
    assert "'02-29' as a yearly date falls only in leap years" in message


def test_a_range_that_ends_before_it_starts_is_an_error_at_to(tmp_path: Path) -> None:
    tenant = gifhorn_with(
        "      - from: 2026-12-30\n"
        "        to: 2026-12-27\n"
        "        hours: closed\n"
        "        reason: Betriebsferien\n"
    )
    finding = single_finding(tmp_path, {"gifhorn": tenant})
    assert finding == (
        "tenants/gifhorn.yaml",
        12,
        "exception range ends (2026-12-27) before it starts (2026-12-30)",
    )


def test_overlapping_ranges_of_one_tenant_are_an_error_naming_both_lines(tmp_path: Path) -> None:
    tenant = gifhorn_with(
        "      - {from: 2026-12-27, to: 2026-12-30, hours: closed, reason: Betriebsferien}\n"
        "      - {from: 2026-12-30, to: 2027-01-02, hours: closed, reason: Umzug}\n"
    )
    file, line, message = single_finding(tmp_path, {"gifhorn": tenant})
    assert (file, line) == ("tenants/gifhorn.yaml", 12)
    assert "2026-12-30..2027-01-02 overlaps range 2026-12-27..2026-12-30 (line 11)" in message


def test_center_exception_errors_name_bridge_yaml_and_the_line(tmp_path: Path) -> None:
    bridge = BRIDGE.replace(
        "      unrouted_greeting: servicecenter\n",
        "      unrouted_greeting: servicecenter\n"
        "      exceptions:\n"
        '        - {date: "02-29", hours: closed, reason: Schalttag}\n'
        "        - {from: 2026-12-30, to: 2026-12-27, hours: closed, reason: Ferien}\n",
    )
    found = findings(tmp_path, {"gifhorn": GIFHORN}, bridge)
    assert [(file, line) for file, line, _ in found] == [("bridge.yaml", 8), ("bridge.yaml", 9)]
    assert "falls only in leap years" in found[0][2]
    assert "ends (2026-12-27) before it starts" in found[1][2]


@pytest.mark.parametrize(
    ("exceptions", "reported"),
    [
        pytest.param(
            "      - {hours: closed, reason: Irgendwann}\n"
            "      - {date: 2026-12-24, from: 2026-12-24, to: 2026-12-25,"
            " hours: closed, reason: X}\n"
            "      - {from: 2026-12-24, hours: closed, reason: Y}\n",
            [(11, "needs date:"), (12, "not both"), (13, "to: is missing")],
            id="each-needs-exactly-one-form",
        ),
        pytest.param(
            '      - {date: "02-29", hours: closed, reason: Schalttag}\n'
            "      - {from: 2026-12-27, to: 2026-12-30, hours: closed, reason: Ferien}\n"
            "      - {from: 2026-12-29, to: 2027-01-02, hours: closed, reason: Umzug}\n"
            "    queu: servicecenter\n",
            [(11, "falls only in leap years"), (13, "overlaps"), (14, "unknown key 'queu'")],
            id="a-structural-error-hides-none-of-them",
        ),
    ],
)
def test_every_bad_exception_is_reported_at_its_line(
    tmp_path: Path, exceptions: str, reported: list[tuple[int, str]]
) -> None:
    found = findings(tmp_path, {"gifhorn": gifhorn_with(exceptions)})
    assert [line for _, line, _ in found] == [line for line, _ in reported]
    for (_, _, message), (_, fragment) in zip(found, reported, strict=True):
        assert fragment in message


def test_a_bad_day_of_the_year_is_an_error(tmp_path: Path) -> None:
    tenant = gifhorn_with('      - {date: "13-01", hours: closed, reason: X}\n')
    _, line, message = single_finding(tmp_path, {"gifhorn": tenant})
    assert line == 11
    assert "'13-01' is not a day of the year (MM-DD)" in message
