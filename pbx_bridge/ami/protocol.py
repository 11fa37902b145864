"""panoramisk's AMI protocol with whole-message decoding and callbacks that cannot kill it.

The stock protocol decodes each TCP chunk with errors ignored, so a character
split across two chunks vanishes ("Jürgen" became "Jrgen"), and an exception in
a callback escapes data_received and loses the rest of the chunk. Here bytes
are buffered and decoded per complete message, and each message is handled in
isolation.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from panoramisk.ami_protocol import AMIProtocol
from panoramisk.message import Message

_SEPARATOR = b"\r\n\r\n"
_MAX_MESSAGE = 1024 * 1024

log = logging.getLogger("pbx_bridge.ami")


class WholeMessageProtocol(AMIProtocol):  # type: ignore[misc]
    version: str | None

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self._buffer = b""
        self.last_received = time.monotonic()
        self.failed_messages = 0

    def data_received(self, data: bytes) -> None:
        self.last_received = time.monotonic()
        self._buffer += data
        if self.version is None and self._buffer.startswith(b"Asterisk Call Manager/"):
            line, sep, rest = self._buffer.partition(b"\r\n")
            if sep:
                self.version = line.decode("ascii", "replace").partition("/")[2].strip()
                self._buffer = rest
        while True:
            raw, sep, rest = self._buffer.partition(_SEPARATOR)
            if not sep:
                break
            self._buffer = rest
            self._handle_raw(raw)
        if len(self._buffer) > _MAX_MESSAGE:
            log.error("ami_message_too_large, dropped %d bytes", len(self._buffer))
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
            self.failed_messages += 1
            log.exception("ami_message_failed")
