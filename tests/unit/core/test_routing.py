"""The routing decision: tenant by redirecting then dialled number, open or closed, unrouted."""

from __future__ import annotations

import json

import pytest

from pbx_bridge.core.routing import Action, CallRequest, MatchedBy, decide
from pbx_bridge.core.tenants import ClosedAction
from tests.unit.core.factories import at, wolfsburg_directory

DIRECTORY = wolfsburg_directory()


def test_gifhorn_kfz_number_in_hours_is_queued_for_gifhorn() -> None:
    d = decide(DIRECTORY, CallRequest("0537182370"), at("2026-11-23T10:00"))
    assert d.action is Action.QUEUE
    assert (d.tenant, d.department, d.open, d.reason) == ("gifhorn", "Kfz-Zulassung", True, "hours")
    assert (d.greeting, d.queue, d.priority) == ("gifhorn", "servicecenter", 0)
    assert d.matched_by is MatchedBy.DIALLED


@pytest.mark.parametrize(
    "dialled", ["+49537182370", "0049537182370", "05371/82-370", "05371 82-370"]
)
def test_any_notation_of_the_dialled_number_matches(dialled: str) -> None:
    assert decide(DIRECTORY, CallRequest(dialled), at("2026-11-23T10:00")).tenant == "gifhorn"


def test_redirecting_number_wins_over_dialled_number() -> None:
    call = CallRequest(dialled="05361 0999-0", redirecting="+495372890")
    d = decide(DIRECTORY, call, at("2026-11-23T10:00"))
    assert (d.tenant, d.matched_by) == ("meinersen", MatchedBy.REDIRECTING)
    assert d.number == "+495372890"


def test_unknown_redirecting_number_falls_back_to_dialled() -> None:
    call = CallRequest(dialled="05371 82-0", redirecting="0999 1234567")
    d = decide(DIRECTORY, call, at("2026-11-23T10:00"))
    assert (d.tenant, d.department, d.matched_by) == ("gifhorn", "Zentrale", MatchedBy.DIALLED)
    assert d.redirecting == "+499991234567"


def test_unknown_number_is_unrouted_with_center_greeting() -> None:
    d = decide(DIRECTORY, CallRequest("0999 1234567"), at("2026-11-23T10:00"))
    assert d.action is Action.UNROUTED
    assert (d.tenant, d.greeting, d.queue) == (None, "servicecenter", "servicecenter")
    assert "0999 1234567" in d.reason


def test_call_without_any_number_is_unrouted() -> None:
    d = decide(DIRECTORY, CallRequest(None, None, "anonymous"), at("2026-11-23T10:00"))
    assert d.action is Action.UNROUTED
    assert d.dialled is None


def test_closed_on_holiday_names_it_and_the_announcement() -> None:
    d = decide(DIRECTORY, CallRequest("05371 82-0"), at("2026-12-25T10:00"))
    assert d.action is Action.CLOSED
    assert (d.open, d.reason) == (False, "holiday: Erster Weihnachtstag")
    assert d.closed_announcement == "gifhorn-closed"
    assert d.closed_action is ClosedAction.HANGUP
    assert d.forward_to is None
    assert d.next_opening == "2026-12-28T07:00:00+01:00"


def test_closed_tenant_without_own_announcement_gets_the_generic_one() -> None:
    d = decide(DIRECTORY, CallRequest("05372 89-0"), at("2026-11-23T20:00"))
    assert (d.action, d.closed_announcement) == (Action.CLOSED, "closed")


def test_closed_geseke_forwards_to_its_switchboard() -> None:
    d = decide(DIRECTORY, CallRequest("02942 500-0"), at("2026-11-23T12:30"))  # lunch break
    assert d.action is Action.CLOSED
    assert d.closed_action is ClosedAction.FORWARD
    assert (d.forward_to, d.forward_dial) == ("+4929425000", "029425000")


def test_exception_half_day_decides_by_the_minute() -> None:
    assert decide(DIRECTORY, CallRequest("05371 82-0"), at("2026-12-24T11:59")).open
    d = decide(DIRECTORY, CallRequest("05371 82-0"), at("2026-12-24T12:00"))
    assert (d.open, d.reason) == (False, "exception: Heiligabend")


def test_priority_comes_from_the_tenant() -> None:
    d = decide(DIRECTORY, CallRequest("115"), at("2026-11-23T10:00"))
    assert (d.tenant, d.department, d.priority) == ("wolfsburg", "115", 5)


def test_decision_serialises_to_json() -> None:
    d = decide(DIRECTORY, CallRequest("02942 500-0"), at("2026-11-23T20:00"))
    data = json.loads(json.dumps(d.to_dict()))
    assert data["action"] == "closed"
    assert data["closed_action"] == "forward"
    assert {"tenant", "department", "open", "action", "reason", "greeting", "queue"} <= set(data)
