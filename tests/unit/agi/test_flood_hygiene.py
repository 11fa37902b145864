"""A flood of refused FastAGI peers costs the daemon neither garbage nor log lines per peer.

A closed connection left as a reference cycle waits for the cyclic garbage collector, whose
pauses then stall every call (fault scenario 6); a scanner's connections must not each write
a log line either. The peers here use plain sockets, so every transport is the listener's.
"""

from __future__ import annotations

import asyncio
import gc
import socket
import struct
from collections.abc import Iterator

import pytest

from pbx_bridge.agi.server import AgiLimits, AgiServer
from pbx_bridge.agi.session_link import SessionLink
from tests.unit.agi.peer import environment, run_session

# The event loop's clock runs fast when the loop idles (looptime): timeouts and sleeps
# take their full loop time but no real time.
pytestmark = pytest.mark.looptime


@pytest.fixture
def limits() -> AgiLimits:
    return AgiLimits(header_timeout=0.2, command_timeout=1.0, session_timeout=2.0, slot_wait=0.2)


@pytest.fixture
def saved_garbage() -> Iterator[list[object]]:
    """Collection off, and what a collection would free kept in gc.garbage to be looked at."""
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        yield gc.garbage
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()


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


async def test_refused_and_finished_connections_leave_no_transport_cycle(
    agi_port: int, saved_garbage: list[object]
) -> None:
    peers = [
        _peer(agi_port, b"", eof=False),  # idle until the header timeout
        _peer(agi_port, b"GET / HTTP/1.1\r\n\r\n", eof=False),
        _peer(agi_port, b"agi_network: yes\n", eof=True),  # half-closed
        _peer(agi_port, b"agi_network_script: nosuch\n\n", eof=False),
        _peer(agi_port, b"", reset=True),
        _peer(agi_port, b"agi_network: yes\n", reset=True),
    ]
    await asyncio.gather(*(p for p in peers for _ in range(10)))
    await run_session(agi_port, environment())  # a call too (its client is a transport)
    await asyncio.sleep(0.3)  # the reset ones are closed by then
    gc.collect()
    assert not [o for o in saved_garbage if isinstance(o, SessionLink)]
    transports = [o for o in saved_garbage if isinstance(o, asyncio.Transport)]
    assert len(transports) <= 1  # at most the one of run_session's own client


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
