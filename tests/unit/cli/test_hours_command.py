"""`pbx-bridge hours`: a tenant's effective hours for each day of a week, with reasons named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.unit.cli.console import SOEST, WOLFSBURG, pbx_bridge
from tests.unit.config.tree import tenant, write_tree

ON_WOLFSBURG = ("--config", str(WOLFSBURG))


def day_lines(out: str) -> dict[str, str]:
    """'2026-10-31' -> the rest of that day's line, whitespace collapsed."""
    days: dict[str, str] = {}
    for line in out.splitlines()[1:]:
        _weekday, day, *rest = line.split()
        days[day] = " ".join(rest)
    return days


def test_gifhorn_week_44_names_reformationstag_on_saturday(
    capsys: pytest.CaptureFixture[str],
) -> None:
    run = pbx_bridge(capsys, "hours", "gifhorn", "--week", "2026-W44", *ON_WOLFSBURG)
    assert run.code == 0
    header, *lines = run.out.splitlines()
    assert header == "Landkreis Gifhorn (gifhorn), week 2026-W44, Europe/Berlin, holidays NI"
    assert [line[:14] for line in lines] == [
        "Mon 2026-10-26",
        "Tue 2026-10-27",
        "Wed 2026-10-28",
        "Thu 2026-10-29",
        "Fri 2026-10-30",
        "Sat 2026-10-31",
        "Sun 2026-11-01",
    ]
    days = day_lines(run.out)
    assert days["2026-10-30"] == "07:00-18:00 weekly hours"
    assert days["2026-10-31"] == "closed holiday: Reformationstag"
    assert days["2026-11-01"] == "closed weekly hours"


def test_christmas_week_names_exceptions_and_holidays(capsys: pytest.CaptureFixture[str]) -> None:
    run = pbx_bridge(capsys, "hours", "gifhorn", "--week", "2026-W52", *ON_WOLFSBURG)
    days = day_lines(run.out)
    assert days["2026-12-24"] == "07:00-12:00 exception: Heiligabend"
    assert days["2026-12-25"] == "closed holiday: Erster Weihnachtstag"


def test_week_53_exists_in_2026_and_reaches_into_2027(capsys: pytest.CaptureFixture[str]) -> None:
    run = pbx_bridge(capsys, "hours", "gifhorn", "--week", "2026-W53", *ON_WOLFSBURG)
    days = day_lines(run.out)
    assert days["2026-12-31"] == "closed exception: Silvester"
    assert days["2027-01-01"] == "closed holiday: Neujahr"


def test_geseke_split_days_and_fronleichnam_in_nw(capsys: pytest.CaptureFixture[str]) -> None:
    run = pbx_bridge(capsys, "hours", "geseke", "--week", "2026-W23", "--config", str(SOEST))
    days = day_lines(run.out)
    assert days["2026-06-03"] == "08:00-12:00, 13:00-16:00 weekly hours"
    assert days["2026-06-04"] == "closed holiday: Fronleichnam"
    assert days["2026-06-05"] == "08:00-13:00 weekly hours"


def test_exception_on_a_holiday_names_the_holiday_it_replaces(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gifhorn = tenant(
        then="""\
            hours:
              mon-fri: "07:00-18:00"
            exceptions:
              - {date: 2026-10-31, hours: "07:00-18:00", reason: Sonderöffnung}
        """
    )
    path = write_tree(tmp_path, {"gifhorn": gifhorn})
    run = pbx_bridge(capsys, "hours", "gifhorn", "--week", "2026-W44", "--config", str(path))
    days = day_lines(run.out)
    assert days["2026-10-31"] == (
        "07:00-18:00 exception: Sonderöffnung (instead of holiday Reformationstag)"
    )


def test_json_lists_seven_days_with_hours_and_reason(capsys: pytest.CaptureFixture[str]) -> None:
    run = pbx_bridge(capsys, "hours", "gifhorn", "--week", "2026-w44", "--json", *ON_WOLFSBURG)
    assert run.code == 0
    week = json.loads(run.out)
    assert (week["tenant"], week["week"]) == ("gifhorn", "2026-W44")
    assert [d["date"] for d in week["days"]][::6] == ["2026-10-26", "2026-11-01"]
    assert len(week["days"]) == 7
    assert week["days"][0] == {
        "date": "2026-10-26",
        "hours": ["07:00-18:00"],
        "reason": "hours",
        "rule": "hours",
        "overridden_holiday": None,
        "closures": [],
    }
    assert week["days"][5]["hours"] == []
    assert week["days"][5]["reason"] == "holiday: Reformationstag"


def test_without_week_shows_the_current_week_from_monday(
    capsys: pytest.CaptureFixture[str],
) -> None:
    run = pbx_bridge(capsys, "hours", "wolfsburg", *ON_WOLFSBURG)
    assert run.code == 0
    lines = run.out.splitlines()[1:]
    assert [line[:3] for line in lines] == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def test_unknown_tenant_exits_2_listing_the_known_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    run = pbx_bridge(capsys, "hours", "celle", "--week", "2026-W44", *ON_WOLFSBURG)
    assert (run.code, run.out) == (2, "")
    assert run.err.startswith("unknown tenant 'celle' (known: abfallwirtschaft, gifhorn,")


@pytest.mark.parametrize(
    "week", ["2026-44", "W44", "2026-W", "2026-W00", "2026-W54", "2027-W53", "next week"]
)
def test_malformed_or_impossible_week_exits_2(
    capsys: pytest.CaptureFixture[str], week: str
) -> None:
    run = pbx_bridge(capsys, "hours", "gifhorn", "--week", week, *ON_WOLFSBURG)
    assert (run.code, run.out) == (2, "")
    assert run.err.strip()


def test_broken_config_exits_2_with_its_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    gifhorn = tenant(then='hours:\n  mon-fri: "18:00-07:00"\n')
    path = write_tree(tmp_path, {"gifhorn": gifhorn})
    run = pbx_bridge(capsys, "hours", "gifhorn", "--week", "2026-W44", "--config", str(path))
    assert (run.code, run.out) == (2, "")
    assert run.err.startswith(f"{tmp_path / 'tenants/gifhorn.yaml'}:9: hours mon-fri: ")
