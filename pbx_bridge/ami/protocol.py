"""panoramisk's AMI protocol with whole-message decoding and callbacks that cannot kill it.

The stock protocol decodes each TCP chunk with errors ignored, so a character
split across two chunks vanishes ("Jürgen" turns into "Jrgen"), and an exception in
a callback escapes data_received and loses the rest of the chunk. Here bytes
are buffered and decoded per complete message, and each message is handled in
isolation.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import structlog
from panoramisk.ami_protocol import AMIProtocol
from panoramisk.message import Message

_SEPARATOR = b"\r\n\r\n"
_MAX_MESSAGE = 1024 * 1024

log = structlog.get_logger("pbx_bridge.ami")


class WholeMessageProtocol(AMIProtocol):  # type: ignore[misc]
    """`wanted(raw)`, when given, is asked about every complete message before it is decoded;
    messages it declines are dropped unparsed (most of Asterisk's events matter to nobody)."""

    version: str | None

    def __init__(self, wanted: Callable[[bytes], bool] | None = None) -> None:
        super().__init__()
        self._wanted = wanted

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self._buffer = b""
        # The event loop's clock, which the link's watchdog sleeps on (and tests control).
        self._clock = asyncio.get_running_loop().time
        self.last_received = self._clock()

    def data_received(self, data: bytes) -> None:
        self.last_received = self._clock()
        self._buffer += data
        if self.version is None and self._buffer.startswith(b"Asterisk Call Manager/"):
            line, sep, rest = self._buffer.partition(b"\r\n")
            if sep:
                self.version = line.decode("ascii", "replace").partition("/")[2].strip()
                self._buffer = rest
        # One split per chunk: taking messages off the front one by one copies the rest of a
        # large chunk (hundreds of events) again for each of them.
        *messages, self._buffer = self._buffer.split(_SEPARATOR)
        for raw in messages:
            if self._wanted is None or self._wanted(raw):
                self._handle_raw(raw)
        if len(self._buffer) > _MAX_MESSAGE:
            log.error("ami_message_too_large", dropped_bytes=len(self._buffer), limit=_MAX_MESSAGE)
            self._buffer = b""

    def _handle_raw(self, raw: bytes) -> None:
        text = raw.decode("utf-8", "replace").strip()
        if not text:
            return
        try:
            message = Message.from_line(text)
            if message is not None:
                self.handle_message(message)
        except Exception:  # one bad message or callback must not cost the connection
            log.exception("ami_message_failed")
