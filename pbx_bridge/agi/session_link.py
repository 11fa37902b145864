"""A FastAGI connection once its headers are in: a protocol that buffers lines for one reader.

A session reads a handful of short reply lines and writes as many commands. asyncio's
StreamReader and StreamWriter would add a reader, its protocol and a writer, a timeout
context and a drain per line, and a close awaited under one more timeout: about half of the
daemon's CPU per call in a profile of the saturated listener, and some twenty objects per
call for the cyclic garbage collector. Here the protocol keeps the bytes, wakes the one
coroutine waiting for a line, and closes without being awaited. Figure: 1.697 M -> 1.536 M
instructions per FastAGI session, listener and client (benchmarks/agi_instructions.py).

Bounded as a stream: no line over MAX_LINE bytes, reading paused while more than PAUSE_AT
bytes wait unread (a peer that floods after its headers).
"""

from __future__ import annotations

import asyncio
import contextlib

from pbx_bridge.agi.protocol import MAX_LINE, AgiHangupError, AgiProtocolError, decode

PAUSE_AT = 16 * MAX_LINE
CLOSE_GRACE = 1.0  # seconds a peer that does not read gets for what is still unsent


class SessionLink(asyncio.Protocol):
    """The listener's side of one session: `readline`, `send`, `end`, `close`."""

    __slots__ = ("_abort", "_buffer", "_eof", "_lost", "_paused", "_transport", "_waiter")

    def __init__(self, rest: bytes = b"") -> None:
        """`rest`: what the peer sent after its headers, read already."""
        self._transport: asyncio.Transport | None = None
        self._buffer = bytearray(rest)
        self._waiter: asyncio.Future[bool] | None = None
        self._eof = False
        self._lost = ""  # why the connection was lost, if by an error
        self._paused = False
        self._abort: asyncio.TimerHandle | None = None

    def peer(self) -> str:
        transport = self._transport
        return str(transport.get_extra_info("peername")) if transport is not None else ""

    # ---- the transport's calls ---------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        if len(self._buffer) > PAUSE_AT and not self._paused and self._transport is not None:
            self._paused = True
            self._transport.pause_reading()
        self._wake()

    def eof_received(self) -> bool:
        self._eof = True
        self._wake()
        return True  # keep our half open: the session may still send (and then closes)

    def connection_lost(self, exc: Exception | None) -> None:
        # Only the message is kept: the error's traceback holds the transport's frames, which
        # hold the transport, which holds this protocol, a cycle per reset peer.
        self._lost = f"connection lost: {exc}" if exc is not None else ""
        self._eof = True
        if self._abort is not None:
            self._abort.cancel()
            self._abort = None
        self._transport = None
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(True)

    # ---- the session's calls -----------------------------------------------------------------

    async def readline(self, timeout: float) -> str:
        """The next line without its line end; AgiHangupError once the peer is gone,
        AgiProtocolError for a line over MAX_LINE or none complete within `timeout`."""
        loop: asyncio.AbstractEventLoop | None = None
        deadline = 0.0
        while True:
            buffer = self._buffer
            end = buffer.find(b"\n")
            if end >= 0:
                if end >= MAX_LINE:
                    raise AgiProtocolError("line too long")
                line = decode(bytes(buffer[: end + 1]))
                del buffer[: end + 1]
                if self._paused and len(buffer) <= PAUSE_AT and self._transport is not None:
                    self._paused = False
                    self._transport.resume_reading()
                return line
            if len(buffer) >= MAX_LINE:
                raise AgiProtocolError("line too long")
            if self._eof:
                raise AgiHangupError(self._lost or "connection closed")
            if loop is None:
                loop = asyncio.get_running_loop()
                deadline = loop.time() + timeout
            if not await self._wait(loop, deadline):
                raise AgiProtocolError(f"no complete line within {timeout:g} s")

    async def _wait(self, loop: asyncio.AbstractEventLoop, deadline: float) -> bool:
        """Until more bytes, the end of the stream (True) or the deadline (False)."""
        waiter: asyncio.Future[bool] = loop.create_future()
        timer = loop.call_at(deadline, _expire, waiter)
        self._waiter = waiter
        try:
            return await waiter
        finally:
            timer.cancel()
            self._waiter = None

    def send(self, data: bytes) -> None:
        """Hand `data` to the transport. Nothing waits for the peer to read it: a session
        writes one short command per reply, and a peer that stops reading stops replying,
        which the reply's timeout catches."""
        transport = self._transport
        if transport is None or transport.is_closing():
            raise AgiHangupError(f"cannot send: {self._lost or 'connection closed'}")
        transport.write(data)

    def end(self) -> None:
        """Our FIN, after whatever is still unsent: AGI() returns on it in Asterisk."""
        transport = self._transport
        if transport is not None and not transport.is_closing() and transport.can_write_eof():
            with contextlib.suppress(OSError, RuntimeError):
                transport.write_eof()

    def close(self) -> None:
        """Close; a peer that does not read gets CLOSE_GRACE seconds for what is unsent."""
        transport = self._transport
        if transport is None or transport.is_closing():
            return
        if transport.get_write_buffer_size():
            self._abort = asyncio.get_running_loop().call_later(CLOSE_GRACE, transport.abort)
        transport.close()


def _expire(waiter: asyncio.Future[bool]) -> None:
    if not waiter.done():
        waiter.set_result(False)
