"""`pbx-bridge route`: the decision for a number at an instant, against the shipped configs."""

from __future__ import annotations

import pytest

from tests.unit.cli.console import SOEST, WOLFSBURG, pbx_bridge, route_json

GIFHORN_KFZ = "05371 82-370"
GESEKE = "02942 500-0"
ON_WOLFSBURG = ("--config", str(WOLFSBURG))


def test_json_has_the_documented_keys(capsys: pytest.CaptureFixture[str]) -> None:
    decision = route_json(capsys, "--number", GIFHORN_KFZ, "--at", "2026-10-30T10:00")
    documented = {"tenant", "department", "open", "action", "reason", "greeting", "queue"}
    assert documented <= decision.keys()


def test_gifhorn_kfz_number_in_hours_is_queued_to_kfz_zulassung(
    capsys: pytest.CaptureFixture[str],
) -> None:
    decision = route_json(capsys, "--number", GIFHORN_KFZ, "--at", "2026-10-30T10:00")
    assert decision["tenant"] == "gifhorn"
    assert decision["department"] == "Kfz-Zulassung"
    assert (decision["open"], decision["action"], decision["reason"]) == (True, "queue", "hours")
    assert (decision["greeting"], decision["queue"]) == ("gifhorn", "servicecenter")
    assert decision["matched_by"] == "dialled"


def test_gifhorn_on_reformationstag_is_closed_for_the_holiday(
    capsys: pytest.CaptureFixture[str],
) -> None:
    decision = route_json(capsys, "--number", GIFHORN_KFZ, "--at", "2026-10-31T10:00")
    assert (decision["open"], decision["action"]) == (False, "closed")
    assert decision["reason"] == "holiday: Reformationstag"
    assert decision["closed_announcement"] == "gifhorn-closed"
    assert decision["next_opening"] == "2026-11-02T07:00:00+01:00"


@pytest.mark.parametrize(
    ("time", "is_open", "action"), [("11:00", True, "queue"), ("13:00", False, "closed")]
)
def test_gifhorn_on_heiligabend_follows_the_exception(
    capsys: pytest.CaptureFixture[str], time: str, is_open: bool, action: str
) -> None:
    decision = route_json(capsys, "--number", GIFHORN_KFZ, "--at", f"2026-12-24T{time}")
    assert (decision["open"], decision["action"]) == (is_open, action)
    assert decision["reason"] == "exception: Heiligabend"


def test_forwarded_call_goes_to_the_tenant_of_the_redirecting_number(
    capsys: pytest.CaptureFixture[str],
) -> None:
    decision = route_json(
        capsys,
        *("--number", "05361 0999-0", "--redirecting", "05372 89-0"),
        *("--at", "2026-10-30T10:00"),
    )
    assert (decision["tenant"], decision["department"]) == ("meinersen", "Zentrale")
    assert (decision["matched_by"], decision["greeting"]) == ("redirecting", "meinersen")


def test_unknown_number_is_unrouted_with_the_center_greeting(
    capsys: pytest.CaptureFixture[str],
) -> None:
    decision = route_json(capsys, "--number", "0999 1234567", "--at", "2026-10-30T10:00")
    assert decision["action"] == "unrouted"
    assert (decision["tenant"], decision["department"]) == (None, None)
    assert (decision["greeting"], decision["queue"]) == ("servicecenter", "servicecenter")
    assert decision["reason"] == "no tenant claims 0999 1234567"


def test_unknown_number_in_soest_hears_the_soest_center_greeting(
    capsys: pytest.CaptureFixture[str],
) -> None:
    decision = route_json(
        capsys, "--number", "0999 1234567", "--at", "2026-10-30T10:00", config=SOEST
    )
    assert (decision["action"], decision["greeting"]) == ("unrouted", "servicecenter-soest")


def test_geseke_is_open_on_thursday_afternoon(capsys: pytest.CaptureFixture[str]) -> None:
    decision = route_json(capsys, "--number", GESEKE, "--at", "2026-10-29T17:00", config=SOEST)
    assert (decision["tenant"], decision["open"], decision["action"]) == ("geseke", True, "queue")


def test_geseke_is_closed_over_lunch_on_a_split_day(capsys: pytest.CaptureFixture[str]) -> None:
    decision = route_json(capsys, "--number", GESEKE, "--at", "2026-10-28T12:30", config=SOEST)
    assert (decision["open"], decision["reason"]) == (False, "hours")
    assert decision["next_opening"] == "2026-10-28T13:00:00+01:00"


def test_geseke_friday_afternoon_forwards_to_its_switchboard(
    capsys: pytest.CaptureFixture[str],
) -> None:
    decision = route_json(capsys, "--number", GESEKE, "--at", "2026-10-30T14:00", config=SOEST)
    assert (decision["open"], decision["action"], decision["reason"]) == (False, "closed", "hours")
    assert decision["closed_action"] == "forward"
    assert (decision["forward_to"], decision["forward_dial"]) == ("+4929425000", "029425000")


def test_fronleichnam_closes_geseke_in_nw_but_not_gifhorn_in_ni(
    capsys: pytest.CaptureFixture[str],
) -> None:
    geseke = route_json(capsys, "--number", GESEKE, "--at", "2026-06-04T10:00", config=SOEST)
    gifhorn = route_json(capsys, "--number", GIFHORN_KFZ, "--at", "2026-06-04T10:00")
    assert (geseke["open"], geseke["reason"]) == (False, "holiday: Fronleichnam")
    assert (gifhorn["open"], gifhorn["reason"]) == (True, "hours")


def test_allerheiligen_on_a_monday_closes_geseke_in_nw_but_not_gifhorn_in_ni(
    capsys: pytest.CaptureFixture[str],
) -> None:
    geseke = route_json(capsys, "--number", GESEKE, "--at", "2027-11-01T10:00", config=SOEST)
    gifhorn = route_json(capsys, "--number", GIFHORN_KFZ, "--at", "2027-11-01T10:00")
    assert (geseke["open"], geseke["reason"]) == (False, "holiday: Allerheiligen")
    assert (gifhorn["open"], gifhorn["reason"]) == (True, "hours")


@pytest.mark.parametrize(
    ("at", "local", "is_open"),
    [
        ("2026-10-30T17:30", "2026-10-30T17:30:00+01:00", True),
        ("2026-10-30T17:30+00:00", "2026-10-30T18:30:00+01:00", False),
        ("2026-10-30T16:30Z", "2026-10-30T17:30:00+01:00", True),
        ("2026-06-03T16:30+00:00", "2026-06-03T18:30:00+02:00", False),
        ("2026-10-30", "2026-10-30T00:00:00+01:00", False),
    ],
)
def test_at_without_offset_is_center_time_and_with_offset_is_converted(
    capsys: pytest.CaptureFixture[str], at: str, local: str, is_open: bool
) -> None:
    decision = route_json(capsys, "--number", GIFHORN_KFZ, "--at", at)
    assert (decision["at"], decision["open"]) == (local, is_open)


@pytest.mark.parametrize("at", ["yesterday", "2026-13-01T10:00", "31.10.2026 10:00", ""])
def test_bad_at_exits_2_without_a_decision(capsys: pytest.CaptureFixture[str], at: str) -> None:
    run = pbx_bridge(capsys, "route", "--json", *ON_WOLFSBURG, "--number", "115", "--at", at)
    assert run.code == 2
    assert f"--at {at!r} is not an ISO-8601 date and time" in run.out + run.err
    assert "tenant" not in run.out


def test_bad_at_is_reported_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    run = pbx_bridge(capsys, "route", "--json", *ON_WOLFSBURG, "--number", "115", "--at", "now")
    assert run.out == ""
    assert "--at 'now' is not an ISO-8601 date and time" in run.err


def test_without_json_the_decision_is_explained_in_words(
    capsys: pytest.CaptureFixture[str],
) -> None:
    run = pbx_bridge(
        capsys, "route", *ON_WOLFSBURG, "--number", GIFHORN_KFZ, "--at", "2026-10-31T10:00"
    )
    assert run.code == 0
    lines = run.out.splitlines()
    assert lines[0] == "at        Sat 2026-10-31 10:00 CET"
    assert "tenant    gifhorn (Landkreis Gifhorn), department Kfz-Zulassung" in lines
    assert "decision  closed (holiday: Reformationstag)" in lines
    assert "caller    hears gifhorn-closed, then hang up" in lines
