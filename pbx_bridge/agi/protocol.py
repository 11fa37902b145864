"""One FastAGI session's protocol, robust against what real networks send.

panoramisk's stock FastAGI handler spins on a peer that closes before its
headers, reads a multi-line 520 as one line and stays a reply behind after an
out-of-band HANGUP. This reader is bounded in bytes and time, decodes leniently,
and treats 511, HANGUP and end-of-stream as a hangup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Protocol

from panoramisk.utils import parse_agi_result

from pbx_bridge.agi.quoting import quote

MAX_LINE = 4096
MAX_HEADER_BYTES = 16 * 1024
MAX_HEADER_LINES = 200
HANGUP_GRACE = 0.5  # seconds to wait for a reply after an out-of-band HANGUP


class AgiProtocolError(Exception):
    """The peer does not speak AGI (garbage, oversized or incomplete headers)."""


class AgiHangupError(Exception):
    """The channel hung up: stop sending commands."""


@dataclass(frozen=True)
class AgiReply:
    code: int
    result: str
    data: str


def decode(raw: bytes) -> str:
    # Asterisk passes caller names through unchanged; a name cut mid-character
    # must not cost the call, so undecodable bytes become U+FFFD.
    return raw.decode("utf-8", errors="replace").rstrip("\r\n")


class Link(Protocol):
    """One session's connection (session_link.SessionLink; a fake in tests)."""

    async def readline(self, timeout: float) -> str: ...

    def send(self, data: bytes) -> None: ...

    def end(self) -> None: ...


class HeaderParser:
    """The `agi_*` header block up to its blank line, from bytes as they arrive.

    Bounded as a stream reader would be: no line over MAX_LINE bytes, the block within
    MAX_HEADER_BYTES and MAX_HEADER_LINES. Pure: the caller owns the socket and the clock.
    Asterisk writes the whole block at once, so the block is parsed in one piece once its
    blank line is in (14 us against 30 us line by line); lines that come before it are
    only checked, so that a peer that is no AGI is refused at its first line.
    """

    __slots__ = ("_buffer", "_checked", "_lines")

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._checked = 0  # bytes of complete lines checked while the blank line was missing
        self._lines = 0

    def feed(self, data: bytes) -> tuple[dict[str, str], bytes] | None:
        """The header block and the bytes after it once its blank line arrived, else None.

        Raises AgiProtocolError for anything that is not an AGI header block."""
        buffer = self._buffer
        buffer += data
        empty = _EMPTY_BLOCK.match(buffer) if self._checked == 0 else None
        if empty is not None:
            block_end, rest_start = 0, empty.end()
        else:
            blank = _BLANK_LINE.search(buffer, max(self._checked - 1, 0))
            if blank is None:
                self._check_lines(buffer)
                return None
            block_end, rest_start = blank.start() + 1, blank.end()
        return _parse_block(bytes(buffer[:block_end])), bytes(buffer[rest_start:])

    def _check_lines(self, buffer: bytearray) -> None:
        """Refuse, before the block is complete, what can never become one."""
        while True:
            end = buffer.find(b"\n", self._checked)
            if end < 0:
                if len(buffer) - self._checked > MAX_LINE:
                    raise AgiProtocolError("line too long")
                break
            if end + 1 - self._checked > MAX_LINE:
                raise AgiProtocolError("line too long")
            self._lines += 1
            if self._lines > MAX_HEADER_LINES:
                raise AgiProtocolError("AGI headers too large")
            _check_header(decode(bytes(buffer[self._checked : end + 1])))
            self._checked = end + 1
        if len(buffer) > MAX_HEADER_BYTES:
            raise AgiProtocolError("AGI headers too large")


# The end of the header block: an empty line (CRs before its LF ignored, as in every line).
_BLANK_LINE = re.compile(rb"\n\r*\n")
_EMPTY_BLOCK = re.compile(rb"\r*\n")


def _parse_block(block: bytes) -> dict[str, str]:
    """`block`: the header lines before the blank one, each ending in LF."""
    if len(block) > MAX_HEADER_BYTES:
        raise AgiProtocolError("AGI headers too large")
    raw_lines = block.split(b"\n")[:-1] if block else []
    if len(raw_lines) > MAX_HEADER_LINES:
        raise AgiProtocolError("AGI headers too large")
    if raw_lines and max(map(len, raw_lines)) >= MAX_LINE:
        raise AgiProtocolError("line too long")
    # A line break is one byte in every encoding of a character: split after decoding.
    env: dict[str, str] = {}
    for line in block.decode("utf-8", errors="replace").split("\n")[:-1]:
        key, sep, value = line.partition(":")
        if not sep or not key.startswith("agi_"):
            _check_header(line)  # raises, with the line in its message
        env[key.strip()] = value.strip()
    if "agi_request" not in env and "agi_network_script" not in env:
        raise AgiProtocolError("AGI headers without agi_request")
    return env


def _check_header(line: str) -> None:
    """AgiProtocolError unless `line` is an `agi_*` header line (its block's loop inlines the
    same test: a call per line there cost a fifth of the parse)."""
    key, sep, _value = line.partition(":")
    if not sep or not key.startswith("agi_"):
        shown = line.rstrip("\r\n")[:60]
        raise AgiProtocolError(f"not an AGI header line: {shown!r}")


class AgiChannel:
    """Sends one command at a time and reads exactly its reply."""

    def __init__(self, link: Link, timeout: float) -> None:
        self._link = link
        self._timeout = timeout
        self.hung_up = False

    async def command(
        self, text: str, *, last: bool = False, timeout: float | None = None
    ) -> AgiReply:
        """Send one command and read its reply; `last`: end the session right behind it;
        `timeout`: for a command that waits for a person (GET DATA), instead of the usual."""
        if self.hung_up:
            raise AgiHangupError("channel already hung up")
        try:
            self._link.send(text.encode("utf-8") + b"\n")
        except AgiHangupError:
            self.hung_up = True
            raise
        if last:
            self.end()
        return await self._reply(timeout)

    def end(self) -> None:
        """Tell Asterisk the script is done: the FIN goes out now and AGI() returns on it,
        whatever the listener still does before it closes the connection."""
        self._link.end()

    async def set_variable(self, name: str, value: str) -> AgiReply:
        return await self.command(f"SET VARIABLE {name} {quote(value)}")

    async def _reply(self, wait: float | None = None) -> AgiReply:
        usual = self._timeout if wait is None else wait
        while True:
            # After an out-of-band HANGUP, Asterisk either still answers the command
            # or (when it gave up on us) waits for us to close: do not wait long.
            timeout = min(usual, HANGUP_GRACE) if self.hung_up else usual
            try:
                line = await self._link.readline(timeout)
            except AgiHangupError:
                self.hung_up = True
                raise
            except AgiProtocolError:
                if self.hung_up:
                    raise AgiHangupError("HANGUP and no further reply") from None
                raise
            if line == "HANGUP":
                self.hung_up = True
                continue
            if line.startswith("520-"):
                await self._skip_usage()
                return AgiReply(520, "", "usage error")
            if line.startswith("511"):
                self.hung_up = True
                raise AgiHangupError("511: channel is dead")
            return self._parse(line)

    async def _skip_usage(self) -> None:
        for _ in range(200):
            line = await self._link.readline(self._timeout)
            if line.startswith("520 "):
                return
        raise AgiProtocolError("520 usage text does not end")

    def _parse(self, line: str) -> AgiReply:
        reply, app_error = _parse_reply(line)
        if app_error:
            self.hung_up = True
        return reply


def _parse_reply(line: str) -> tuple[AgiReply, bool]:
    """The reply a line says, and whether it is an application's error (the channel is gone)."""
    if not line[:3].isdigit():
        raise AgiProtocolError(f"unexpected AGI reply {line[:60]!r}")
    code = int(line[:3])
    if code != 200:
        return AgiReply(code, "", line[4:]), False
    parsed = parse_agi_result(line)
    result, data = parsed.get("result", ("-1", ""))
    app_error = parsed.get("error") == "AGIAppError"
    return AgiReply(200, "-1" if app_error else str(result), str(data)), app_error
