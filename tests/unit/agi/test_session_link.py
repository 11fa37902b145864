"""One session's connection after its headers, over a real socket pair."""

from __future__ import annotations

import asyncio
import socket
import struct
from collections.abc import AsyncIterator

import pytest

from pbx_bridge.agi.protocol import MAX_LINE, AgiHangupError, AgiProtocolError
from pbx_bridge.agi.session_link import PAUSE_AT, SessionLink

# The event loop's clock runs fast when the loop idles (looptime): timeouts and sleeps
# take their full loop time but no real time.
pytestmark = pytest.mark.looptime


@pytest.fixture
async def pair() -> AsyncIterator[tuple[SessionLink, socket.socket]]:
    """The listener's link and the peer's plain socket."""
    ours, peer = socket.socketpair()
    peer.setblocking(False)
    loop = asyncio.get_running_loop()
    transport, link = await loop.connect_accepted_socket(lambda: SessionLink(b"200 resu"), ours)
    yield link, peer
    transport.abort()
    peer.close()


async def test_lines_come_whole_whatever_the_pieces(
    pair: tuple[SessionLink, socket.socket],
) -> None:
    link, peer = pair
    peer.send(b"lt=0\r\n200 result=1 (x\xff)\n2")
    assert await link.readline(1.0) == "200 result=0"  # the part read with the headers first
    assert await link.readline(1.0) == "200 result=1 (x\ufffd)"
    reading = asyncio.ensure_future(link.readline(1.0))
    await asyncio.sleep(0.05)
    assert not reading.done()
    peer.send(b"00 result=2\n")
    assert await reading == "200 result=2"


async def test_no_line_in_time_is_a_protocol_error(pair: tuple[SessionLink, socket.socket]) -> None:
    link, _peer = pair
    with pytest.raises(AgiProtocolError, match=r"no complete line within 0\.1 s"):
        await link.readline(0.1)


async def test_a_line_over_the_bound_is_refused_before_its_end(
    pair: tuple[SessionLink, socket.socket],
) -> None:
    link, peer = pair
    peer.send(b"x" * MAX_LINE)
    with pytest.raises(AgiProtocolError, match="line too long"):
        await link.readline(1.0)


async def test_the_peer_closing_or_resetting_is_a_hangup(
    pair: tuple[SessionLink, socket.socket],
) -> None:
    link, peer = pair
    peer.send(b"ts=0\n")
    peer.shutdown(socket.SHUT_WR)
    assert await link.readline(1.0) == "200 resuts=0"
    with pytest.raises(AgiHangupError, match="connection closed"):
        await link.readline(1.0)
    link.send(b"still allowed: only the peer's half is closed\n")
    peer.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    peer.close()
    link.send(b"EXEC MSet\n")  # the transport learns of the reset here, and closes
    await asyncio.sleep(0.05)
    with pytest.raises(AgiHangupError, match="connection lost"):
        await link.readline(1.0)
    with pytest.raises(AgiHangupError, match="cannot send: connection lost"):
        link.send(b"EXEC MSet\n")


async def test_a_flooding_peer_is_read_no_further_than_the_bound(
    pair: tuple[SessionLink, socket.socket],
) -> None:
    link, peer = pair
    flood = b"200 result=0\n" * (4 * PAUSE_AT // 13)
    sent = 0
    for _ in range(200):  # until the kernel's buffers are full too
        try:
            sent += peer.send(flood)
        except BlockingIOError:
            break
        await asyncio.sleep(0.005)
    assert sent > PAUSE_AT + MAX_LINE
    assert len(link._buffer) <= PAUSE_AT + 256 * 1024  # one read past the bound at most
    lines = 0
    while True:  # reading on resumes the transport: every line arrives
        try:
            await link.readline(0.2)
        except AgiProtocolError:
            break
        lines += 1
    assert lines == sent // 13  # the last send may have ended mid-line


async def test_end_sends_the_fin_and_close_does_not_wait(
    pair: tuple[SessionLink, socket.socket],
) -> None:
    link, peer = pair
    link.send(b"EXEC MSet x\n")
    link.end()
    await asyncio.sleep(0.05)
    assert peer.recv(100) == b"EXEC MSet x\n"
    assert peer.recv(100) == b""  # the FIN
    link.close()
    await asyncio.sleep(0.05)
    with pytest.raises(AgiHangupError):
        await link.readline(1.0)
