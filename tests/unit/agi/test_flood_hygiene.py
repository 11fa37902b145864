"""A flood of refused FastAGI peers costs the daemon no log line per peer.

A scanner's connections must not each write a log line. The peers here use plain sockets, so
every transport is the listener's.
"""

from __future__ import annotations

import asyncio
import socket
import struct

import pytest

from pbx_bridge.agi.server import AgiLimits, AgiServer

# The event loop's clock runs fast when the loop idles (looptime): timeouts and sleeps
# take their full loop time but no real time.
pytestmark = pytest.mark.looptime


@pytest.fixture
def limits() -> AgiLimits:
    return AgiLimits(header_timeout=0.2, command_timeout=1.0, session_timeout=2.0, slot_wait=0.2)


async def _peer(port: int, payload: bytes, *, eof: bool = False, reset: bool = False) -> None:
    loop = asyncio.get_running_loop()
    with socket.socket() as sock:
        sock.setblocking(False)
        await loop.sock_connect(sock, ("127.0.0.1", port))
        if payload:
            await loop.sock_sendall(sock, payload)
        if reset:  # close with RST: the listener reads a ConnectionResetError
            await asyncio.sleep(0.02)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return
        if eof:
            sock.shutdown(socket.SHUT_WR)
        while await loop.sock_recv(sock, 4096):  # until the listener closes
            pass


async def test_a_flood_of_garbage_peers_writes_a_bounded_number_of_lines(
    agi_port: int, refused: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    await asyncio.gather(*(_peer(agi_port, b"\x16\x03\x01garbage\n", eof=False) for _ in range(50)))
    assert refused.count("protocol") == 50  # the metric counts every one
    lines = [line for line in capsys.readouterr().out.splitlines() if "agi_not_agi" in line]
    assert 1 <= len(lines) <= 5


async def test_the_summary_counts_what_was_not_logged(capsys: pytest.CaptureFixture[str]) -> None:
    server = AgiServer({}, AgiLimits(header_timeout=0.2))
    _host, port = await server.start("127.0.0.1", 0)
    await asyncio.gather(*(_peer(port, b"SSH-2.0-x\r\n", eof=False) for _ in range(12)))
    await server.stop(0.1)  # stopping writes the summary of the interval so far
    out = capsys.readouterr().out
    summary = [line for line in out.splitlines() if "agi_refusals_not_logged" in line]
    assert len(summary) == 1 and "count=7" in summary[0] and "protocol" in summary[0]
