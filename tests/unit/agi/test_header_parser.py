"""The AGI header block, parsed from bytes in whatever pieces the network delivers them."""

from __future__ import annotations

import pytest

from pbx_bridge.agi.protocol import (
    MAX_HEADER_LINES,
    MAX_LINE,
    AgiProtocolError,
    HeaderParser,
)
from tests.unit.agi.peer import environment


def test_a_block_fed_byte_by_byte_gives_the_environment_and_what_followed() -> None:
    parser = HeaderParser()
    data = environment() + b"200 result=0\n"
    results = [parser.feed(data[i : i + 1]) for i in range(len(data) - len(b"200 result=0\n"))]
    assert all(r is None for r in results[:-1])
    heard = results[-1]
    assert heard is not None
    env, rest = heard
    assert env["agi_network_script"] == "route"
    assert env["agi_extension"] == "0537182370"
    assert rest == b""


def test_bytes_after_the_blank_line_are_handed_on() -> None:
    heard = HeaderParser().feed(environment() + b"HANGUP\n")
    assert heard is not None
    assert heard[1] == b"HANGUP\n"


def test_crlf_and_undecodable_bytes_are_tolerated() -> None:
    block = b"agi_network_script: route\r\nagi_calleridname: J\xfcrgen\r\n\r\n"
    heard = HeaderParser().feed(block)
    assert heard is not None
    assert heard[0]["agi_calleridname"] == "J\ufffdrgen"


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"A" * (MAX_LINE + 1), "line too long"),
        (b"agi_x: " + b"y" * MAX_LINE + b"\n", "line too long"),
        (b"GET / HTTP/1.1\r\n", "not an AGI header line"),
        (b"agi_channel: PJSIP/x\n\n", "without agi_request"),
        (b"".join(b"agi_x%d: y\n" % i for i in range(MAX_HEADER_LINES + 1)), "too large"),
    ],
)
def test_what_is_not_an_agi_header_block_is_refused(data: bytes, error: str) -> None:
    with pytest.raises(AgiProtocolError, match=error):
        HeaderParser().feed(data)


def test_a_crlf_block_cut_anywhere_gives_the_same_environment() -> None:
    block = environment().replace(b"\n", b"\r\n") + b"200 result=0\r\n"
    whole = HeaderParser().feed(block)
    assert whole is not None and whole[1] == b"200 result=0\r\n"
    for cut in range(1, len(block)):
        parser = HeaderParser()
        first = parser.feed(block[:cut])
        heard = first if first is not None else parser.feed(block[cut:])
        assert heard is not None
        assert heard[0] == whole[0]
        assert (heard[1] if first is None else heard[1] + block[cut:]) == whole[1]


def test_an_empty_block_is_no_request() -> None:
    with pytest.raises(AgiProtocolError, match="without agi_request"):
        HeaderParser().feed(b"\r\nagi_network_script: route\n\n")
