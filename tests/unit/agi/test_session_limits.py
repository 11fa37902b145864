"""The listener's limits: a session slot is for a call, never for a peer that sends nothing.

Beyond its session limit the listener refuses at once, so the dialplan's failsafe runs. A
connection only takes a slot once its AGI headers are complete, so idle sockets cannot hold
the slots Asterisk needs; those still owing their headers are bounded too.
"""

from __future__ import annotations

import asyncio

import pytest

from pbx_bridge.agi.server import UNHEARD_PER_SESSION, AgiLimits, AgiServer
from tests.unit.agi.peer import environment, run_session

# The event loop's clock runs fast when the loop idles (looptime): timeouts and sleeps
# take their full loop time but no real time.
pytestmark = pytest.mark.looptime


@pytest.fixture
def limits() -> AgiLimits:
    return AgiLimits(
        max_sessions=2, header_timeout=2.0, command_timeout=2.0, session_timeout=5.0, slot_wait=0.2
    )


async def _stalled_session(port: int) -> asyncio.StreamWriter:
    """A peer that sends its headers, then never answers a command: it holds a slot."""
    _reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(environment())
    await writer.drain()
    return writer


async def test_third_session_is_refused_while_two_stalled_ones_hold_the_slots(
    agi_port: int, refused: list[str]
) -> None:
    stalled = [await _stalled_session(agi_port) for _ in range(2)]
    await asyncio.sleep(0.1)
    session = await run_session(agi_port, environment())
    assert session.commands == []
    assert session.closed_by_server
    assert "busy" in refused
    for writer in stalled:
        writer.close()
    await asyncio.sleep(0.2)  # their sessions see the close and free the slots
    session = await run_session(agi_port, environment())
    assert session.variables()["PBXB_ACTION"] == "queue"


async def test_idle_sockets_without_headers_take_no_slot(agi_port: int, refused: list[str]) -> None:
    idle = [await asyncio.open_connection("127.0.0.1", agi_port) for _ in range(5)]
    await asyncio.sleep(0.05)
    session = await run_session(agi_port, environment())
    assert session.variables()["PBXB_ACTION"] == "queue"
    assert refused == []
    for _reader, writer in idle:
        writer.close()


async def test_beyond_the_bound_the_longest_waiting_idle_socket_is_dropped(
    agi_port: int, refused: list[str]
) -> None:
    bound = UNHEARD_PER_SESSION * 2  # max_sessions=2 in this module
    first_reader, first_writer = await asyncio.open_connection("127.0.0.1", agi_port)
    await asyncio.sleep(0.05)
    others = [await asyncio.open_connection("127.0.0.1", agi_port) for _ in range(bound)]
    assert await asyncio.wait_for(first_reader.read(), 2.0) == b""  # closed by the listener
    await asyncio.sleep(0.05)
    assert refused.count("crowded") == 1
    session = await run_session(agi_port, environment())
    assert session.variables()["PBXB_ACTION"] == "queue"
    for _reader, writer in [*others, (first_reader, first_writer)]:
        writer.close()


async def test_idle_sockets_hold_no_task(agi_port: int) -> None:
    """Until its headers are complete a connection is a protocol and a timer, no task and no
    streams: 1,000 idle sockets must not fill the garbage collector's young generation."""
    tasks_before = len(asyncio.all_tasks())
    idle = [await asyncio.open_connection("127.0.0.1", agi_port) for _ in range(50)]
    await asyncio.sleep(0.05)
    assert len(asyncio.all_tasks()) - tasks_before <= 0
    for _reader, writer in idle:
        writer.close()


async def test_a_connection_is_no_longer_waited_for_once_its_headers_came(
    agi_server: AgiServer, limits: AgiLimits, refused: list[str]
) -> None:
    for _ in range(3 * UNHEARD_PER_SESSION * limits.max_sessions):
        session = await run_session(agi_server.port, environment())
        assert session.variables()["PBXB_ACTION"] == "queue"
    _reader, idle = await asyncio.open_connection("127.0.0.1", agi_server.port)
    await asyncio.sleep(0.05)
    assert agi_server.waiting_for_headers == 1  # the idle one, none of the calls
    assert refused == []
    idle.close()
