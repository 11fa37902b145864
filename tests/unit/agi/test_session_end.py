"""Asterisk's AGI() returns on the daemon's FIN, so the daemon sends it as soon as the last
reply is in, before what it still does for the call (its log line, closing the connection)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from pbx_bridge.agi.protocol import AgiChannel
from pbx_bridge.agi.server import AgiLimits, AgiServer
from tests.unit.agi.peer import environment

# The event loop's clock runs fast when the loop idles (looptime): timeouts and sleeps
# take their full loop time but no real time.
pytestmark = pytest.mark.looptime

STILL_BUSY_S = 1.0


async def _handler(_env: dict[str, str], channel: AgiChannel) -> None:
    await channel.command('EXEC MSet "PBXB_ACTION=queue"')
    channel.end()
    await asyncio.sleep(STILL_BUSY_S)  # e.g. a slow log write after the decision


@pytest.fixture
async def port() -> AsyncIterator[int]:
    server = AgiServer({"route": _handler}, AgiLimits(session_timeout=5.0))
    _host, port = await server.start("127.0.0.1", 0)
    yield port
    await server.stop(grace=2.0)


async def test_the_peer_sees_the_end_before_the_session_is_done(port: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(environment())
    assert (await reader.readline()).startswith(b"EXEC MSet")
    writer.write(b"200 result=0\n")
    started = asyncio.get_running_loop().time()
    assert await asyncio.wait_for(reader.read(), STILL_BUSY_S) == b""  # end of stream
    assert asyncio.get_running_loop().time() - started < STILL_BUSY_S / 2
    writer.close()
