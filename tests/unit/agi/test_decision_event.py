"""The daemon hands the call tracker each decision Asterisk took, as the tracker reads events."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

import pytest

from pbx_bridge import channel_vars as cv
from pbx_bridge.agi.decision_event import decision_event, withheld
from pbx_bridge.agi.route_handler import RouteHandler
from pbx_bridge.agi.server import AgiServer
from pbx_bridge.agi.variables import call_request
from pbx_bridge.ami.call_events import DECISION_EVENT
from pbx_bridge.config.loader import load_config
from tests.unit.agi.conftest import CONFIG, OPEN_INSTANT
from tests.unit.agi.peer import always_ok, environment, run_session


@pytest.mark.parametrize(
    ("callingpres", "expected"),
    [
        ("0", False),  # allowed, not screened
        ("3", False),  # allowed, network number
        ("67", False),  # number not available
        ("32", True),  # prohibited, not screened
        ("35", True),  # prohibited, network number
        ("", True),  # missing: not stored, the safe side
        ("garbage", True),
    ],
)
def test_a_withheld_number_is_read_from_the_calling_presentation(
    callingpres: str, expected: bool
) -> None:
    assert withheld({"agi_callingpres": callingpres}) is expected


def test_the_event_says_what_the_newchannel_and_varsets_would_have() -> None:
    env = {"agi_uniqueid": "1700000000.1", "agi_extension": "0537182370",
           "agi_callerid": "0999123456", "agi_callingpres": "0"}  # fmt: skip
    request = call_request(env, "0537182000")
    event = decision_event(env, request, [(cv.TENANT, "gifhorn"), (cv.ACTION, "queue")])
    assert event == {
        "Event": DECISION_EVENT,
        "Uniqueid": "1700000000.1",
        "Linkedid": "1700000000.1",
        "Exten": "0537182370",
        "CallerIDNum": "0999123456",
        cv.REDIRECTING: "0537182000",
        cv.WITHHELD: "0",
        cv.TENANT: "gifhorn",
        cv.ACTION: "queue",
    }


@pytest.fixture
async def decided() -> AsyncIterator[tuple[int, list[dict[str, str]]]]:
    config = load_config(CONFIG)
    seen: list[dict[str, str]] = []
    clock: datetime = OPEN_INSTANT
    handler = RouteHandler(lambda: config, clock=lambda: clock, on_decided=seen.append)
    server = AgiServer({"route": handler})
    _host, port = await server.start("127.0.0.1", 0)
    yield port, seen
    await server.stop(grace=1.0)


async def test_a_decision_asterisk_took_reaches_the_tracker(
    decided: tuple[int, list[dict[str, str]]],
) -> None:
    port, seen = decided
    session = await run_session(port, environment(agi_callingpres="0"), always_ok)
    (event,) = seen
    assert event[cv.ACTION] == session.variables()[cv.ACTION] == "queue"
    assert (event["Uniqueid"], event[cv.TENANT], event[cv.WITHHELD]) == (
        "1700000000.1",
        session.variables()[cv.TENANT],
        "0",
    )


async def test_a_session_cut_before_asterisk_took_the_decision_reports_none(
    decided: tuple[int, list[dict[str, str]]],
) -> None:
    port, seen = decided
    await run_session(port, environment(), lambda _i, _c: b"HANGUP\n200 result=-1\n")
    assert seen == []
