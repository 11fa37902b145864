"""Beyond its session limit the listener refuses at once, so the dialplan's failsafe runs."""

from __future__ import annotations

import asyncio

import pytest

from pbx_bridge.agi.server import AgiLimits
from tests.unit.agi.peer import environment, run_session


@pytest.fixture
def limits() -> AgiLimits:
    return AgiLimits(
        max_sessions=2, header_timeout=2.0, command_timeout=2.0, session_timeout=5.0, slot_wait=0.2
    )


async def test_third_session_is_refused_while_two_idle_ones_hold_the_slots(
    agi_port: int, refused: list[str]
) -> None:
    idle = [await asyncio.open_connection("127.0.0.1", agi_port) for _ in range(2)]
    await asyncio.sleep(0.05)
    session = await run_session(agi_port, environment())
    assert session.commands == []
    assert "busy" in refused
    for _reader, writer in idle:
        writer.close()
    await asyncio.sleep(2.2)  # the idle ones time out and free their slots
    session = await run_session(agi_port, environment())
    assert session.variables()["PBXB_ACTION"] == "queue"
