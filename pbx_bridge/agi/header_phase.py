"""A FastAGI connection until its header block is complete: a protocol, a buffer and a timer.

Asterisk sends its `agi_*` headers the moment it connects; a port scanner, a half-open peer
or one of 1,000 idle sockets sends them late or never. A waiting connection is therefore kept
small: the transport, its socket, this protocol and its timer with their handles, about 20
objects for the cyclic garbage collector and no task; only a complete block gets a session
link (session_link.py) and a task. Connections that live for seconds and die by reference
counting let CPython's young generation grow (see gc_pacing.py), so every object a waiting
connection holds adds to the collections that stall the calls in flight.
"""

from __future__ import annotations

import asyncio
from typing import Protocol

from pbx_bridge.agi.protocol import AgiProtocolError, HeaderParser


class Reception(Protocol):
    """What the listener decides for a connection in its header phase."""

    def arrived(self, phase: HeaderPhase, peer: str) -> float | None:
        """Seconds the peer gets for its headers, or None to refuse it at once."""

    def heard(
        self, phase: HeaderPhase, transport: asyncio.Transport, env: dict[str, str], rest: bytes
    ) -> None:
        """The block is complete: the connection is the listener's from here on."""

    def not_heard(self, phase: HeaderPhase, reason: str, error: str, peer: str) -> None:
        """The connection was refused before its headers were complete (it is closed)."""


class HeaderPhase(asyncio.Protocol):
    __slots__ = ("_parser", "_peer", "_reception", "_timer", "_transport", "done")

    def __init__(self, reception: Reception) -> None:
        self._reception = reception
        self._transport: asyncio.Transport | None = None
        self._parser = HeaderParser()
        self._timer: asyncio.TimerHandle | None = None
        self._peer = ""
        self.done = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        peer = transport.get_extra_info("peername")
        self._peer = str(peer) if peer else ""
        timeout = self._reception.arrived(self, str(peer[0]) if peer else "")
        if timeout is None:
            self.done = True
            transport.abort()
            return
        self._timer = asyncio.get_running_loop().call_later(
            timeout, self.refuse, "protocol", "AGI headers incomplete at the deadline"
        )

    def data_received(self, data: bytes) -> None:
        if self.done:
            return
        try:
            heard = self._parser.feed(data)
        except AgiProtocolError as exc:
            self.refuse("protocol", str(exc))
            return
        if heard is None:
            return
        transport = self._finish()
        self._transport = None  # the listener's now; no cycle through this object
        env, rest = heard
        self._reception.heard(self, transport, env, rest)

    def eof_received(self) -> bool:
        self.refuse("protocol", "peer closed before the AGI headers were complete")
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done:  # reset by the peer
            self._finish()
            self._reception.not_heard(self, "protocol", f"connection lost: {exc}", self._peer)

    def refuse(self, reason: str, error: str) -> None:
        """Close the connection and tell the listener why (once)."""
        if self.done:
            return
        transport = self._finish()
        self._reception.not_heard(self, reason, error, self._peer)
        transport.abort()

    def _finish(self) -> asyncio.Transport:
        self.done = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        assert self._transport is not None
        return self._transport
