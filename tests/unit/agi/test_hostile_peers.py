"""What a FastAGI peer that is no Asterisk can send: a header block or a refusal, never an
exception of another kind, and nothing of it raw in a command back to Asterisk."""

from __future__ import annotations

import time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pbx_bridge.agi.protocol import AgiProtocolError, HeaderParser
from pbx_bridge.agi.quoting import quote
from pbx_bridge.agi.variables import call_request
from tests.unit.agi.peer import environment, run_session

_HEADER_LINE = st.builds(
    lambda key, value: f"{key}: {value}\n".encode(),
    st.sampled_from(["agi_request", "agi_extension", "agi_callerid", "agi_arg_1", "x", "agi_"]),
    st.text(max_size=40),
)
_PEER_BYTES = st.one_of(
    st.binary(max_size=600),
    st.lists(_HEADER_LINE, max_size=30).map(b"".join),
    st.lists(st.one_of(_HEADER_LINE, st.binary(max_size=20)), max_size=30).map(b"".join),
)


@settings(max_examples=200, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(_PEER_BYTES, st.lists(st.integers(min_value=1, max_value=64), max_size=10))
def test_any_bytes_in_any_chunks_give_a_block_none_or_a_protocol_error(
    data: bytes, cuts: list[int]
) -> None:
    parser = HeaderParser()
    started = time.monotonic()
    pieces, rest = [], data + b"\n\n"
    for cut in cuts:
        pieces.append(rest[:cut])
        rest = rest[cut:]
    pieces.append(rest)
    try:
        for piece in pieces:
            result = parser.feed(piece)
            if result is not None:
                env, _after = result
                assert all(isinstance(k, str) and isinstance(v, str) for k, v in env.items())
                request = call_request(env, env.get("agi_arg_1"))
                for value in (request.dialled, request.redirecting, request.caller):
                    assert value is None or not any(ord(c) < 0x20 for c in value)
                break
    except AgiProtocolError:
        pass
    assert time.monotonic() - started < 2.0


def test_a_nul_in_the_extension_is_no_number() -> None:
    request = call_request({"agi_extension": "0537182\x000", "agi_request": "x"}, None)
    assert request.dialled == "0537182?0"


def test_quoted_arguments_carry_no_nul_and_no_line_break() -> None:
    assert quote("a\x00b\r\nc\x1b") == '"a b  c\x1b"'


async def test_a_nul_in_agi_extension_reaches_no_command(agi_port: int) -> None:
    session = await run_session(agi_port, environment("0537182\x000"))
    assert session.commands, "the call got no decision"
    assert not any("\x00" in command for command in session.commands)
    assert session.variables()["PBXB_ACTION"] == "unrouted"
