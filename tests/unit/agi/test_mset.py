"""All decision variables in one `EXEC MSet`, escaped so Asterisk sets exactly the values given.

The values are read back with tests/unit/agi/asterisk_parsers.py (Asterisk's two parsers,
modelled on its sources); tests/integration/test_agi_mset.py checks them on the real Asterisk.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pbx_bridge import channel_vars as cv
from pbx_bridge.agi.mset import (
    MAX_LINE_BYTES,
    MAX_PAIRS,
    DecisionWriter,
    mset_command,
)
from pbx_bridge.agi.protocol import AgiChannel
from pbx_bridge.agi.server import AgiServer, SessionHandler
from tests.unit.agi.asterisk_parsers import agi_words, app_args, variables_set
from tests.unit.agi.peer import Reply, Session, always_ok, environment, run_session

NASTY = [
    (cv.TENANT_NAME, 'Gemeinde "Süd", Ortsteil (alt) [2] {x} \\ Ä'),
    (cv.DEPARTMENT, "Bürgerbüro (EG"),  # unbalanced: would swallow every pair after it
    (cv.REASON, "exception: ${CALLERID(num)} $[1+1] $x"),
    (cv.FORWARD_TO, "0,1\\,2\\\\"),
    (cv.GREETING, ""),
    (cv.QUEUE, "a=b==c"),
    (cv.QUEUE_TIMEOUT, "  leading and trailing  "),
    ("CHANNEL(accountcode)", "gifhorn"),
    (cv.ACTION, "queue"),
]


# ---- the command -------------------------------------------------------------------------------


def test_one_command_sets_every_pair_in_order_with_action_last() -> None:
    command = mset_command(NASTY)
    assert command is not None
    assert command.startswith('EXEC MSet "')
    assert variables_set(command) == NASTY


def test_no_variable_reference_reaches_the_substitution_of_agiexecfull() -> None:
    # With AGIEXECFULL set, Asterisk substitutes ${...} and $[...] in what EXEC receives.
    command = mset_command(NASTY)
    assert command is not None
    [_, _, argument] = agi_words(command)
    assert "${" not in argument and "$[" not in argument


def test_the_models_of_asterisk_parsers_behave_as_the_c_code() -> None:
    # Documented behaviour these tests rely on (res_agi.c parse_args, app.c separate_args).
    assert agi_words('SET VARIABLE X "a \\"b\\" \\\\c"') == ["SET", "VARIABLE", "X", 'a "b" \\c']
    assert agi_words('SET VARIABLE X ""') == ["SET", "VARIABLE", "X", ""]
    assert app_args("A=(x,B=y", ",", 99) == ["A=(x,B=y"]
    assert app_args('A="x,y",B=\\,', ",", 99) == ["A=x,y", "B=,"]
    assert app_args("A=1,", ",", 99) == ["A=1", ""]
    assert app_args('N=v"a\\l', "=", 2) == ["N", 'v"a\\l']  # the value is not scanned again


printable = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\0\r\n"))


@given(st.lists(printable, min_size=1, max_size=15))
def test_any_values_arrive_unchanged(values: list[str]) -> None:
    pairs = [(f"PBXB_V{i}", value) for i, value in enumerate(values)]
    command = mset_command(pairs)
    if command is None:  # only when too long: escaping takes at most 4 bytes per byte
        assert 4 * len("".join(values).encode()) + 20 * len(values) > MAX_LINE_BYTES
        return
    assert variables_set(command) == pairs
    assert "${" not in agi_words(command)[2] and "$[" not in agi_words(command)[2]


@pytest.mark.parametrize(
    "pairs",
    [
        [(cv.TENANT_NAME, "x" * MAX_LINE_BYTES), (cv.ACTION, "queue")],
        [(cv.TENANT_NAME, "a\0b"), (cv.ACTION, "queue")],
        [("PBXB X", "1"), (cv.ACTION, "queue")],
        [("A=B", "1"), (cv.ACTION, "queue")],
        [(f"PBXB_V{i}", "1") for i in range(MAX_PAIRS + 1)],
        [],
    ],
    ids=["too long", "NUL", "space in name", "= in name", "too many pairs", "none"],
)
def test_what_one_command_cannot_carry_is_left_to_single_commands(
    pairs: list[tuple[str, str]],
) -> None:
    assert mset_command(pairs) is None


# ---- on the wire -------------------------------------------------------------------------------


def _setter(pairs: Sequence[tuple[str, str]], used: list[bool]) -> SessionHandler:
    """A daemon's first decision: whether MSet is run is not known yet, so it waits for the
    reply; `used` gets whether MSet set the pairs."""

    async def handler(_env: dict[str, str], channel: AgiChannel) -> None:
        writer = DecisionWriter()
        await writer.write(channel, pairs)
        used.append(writer.mset_runs)

    return handler


@pytest.fixture
def used() -> list[bool]:
    return []


@pytest.fixture
async def setter_port(used: list[bool]) -> AsyncIterator[int]:
    server = AgiServer({"route": _setter(NASTY, used)})
    _host, port = await server.start("127.0.0.1", 0)
    yield port
    await server.stop(grace=1.0)


async def _run(port: int, reply: Reply = always_ok) -> Session:
    return await run_session(port, environment(), reply)


async def test_nasty_values_take_one_round_trip(setter_port: int, used: list[bool]) -> None:
    session = await _run(setter_port)
    assert len(session.commands) == 1
    assert session.assignments() == NASTY
    assert used == [True]


@pytest.mark.parametrize(
    "refusal",
    [b"200 result=-2\n", b"510 Invalid or unknown command\n", b"200 result=1\n"],
    ids=["no MSet application", "no EXEC", "unexpected result"],
)
async def test_when_asterisk_does_not_run_mset_each_variable_is_set_on_its_own(
    setter_port: int, used: list[bool], refusal: bytes
) -> None:
    session = await _run(setter_port, lambda i, c: refusal if i == 0 else always_ok(i, c))
    assert len(session.commands) == 1 + len(NASTY)
    assert session.assignments()[len(NASTY) :] == NASTY  # the refused MSet set nothing
    assert used == [False]


async def test_hangup_during_mset_sends_nothing_more(setter_port: int, used: list[bool]) -> None:
    session = await _run(setter_port, lambda i, _c: b"HANGUP\n200 result=-1\n" if i == 0 else b"")
    assert len(session.commands) == 1
    assert session.closed_by_server
    assert used == []


# ---- the session ends with a proven MSet ---------------------------------------------------


@pytest.fixture
async def writer_port() -> AsyncIterator[tuple[int, DecisionWriter]]:
    writer = DecisionWriter()

    async def handler(_env: dict[str, str], channel: AgiChannel) -> None:
        await writer.write(channel, NASTY)

    server = AgiServer({"route": handler})
    _host, port = await server.start("127.0.0.1", 0)
    yield port, writer
    await server.stop(grace=1.0)


async def _ends_before_the_reply(port: int, reply: bytes) -> bool:
    """Whether the daemon ended the session before this peer answered its one command."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(environment())
    assert (await reader.readline()).startswith(b"EXEC MSet ")
    try:
        ended = await asyncio.wait_for(reader.read(), 0.3) == b""
    except TimeoutError:
        ended = False
    writer.write(reply)
    await asyncio.wait_for(reader.read(), 2.0)  # now it ends in any case
    writer.close()
    return ended


async def test_once_asterisk_ran_an_mset_the_next_ones_carry_the_end_with_them(
    writer_port: tuple[int, DecisionWriter],
) -> None:
    port, writer = writer_port
    assert not await _ends_before_the_reply(port, b"200 result=0\n")  # not proven yet
    assert writer.mset_runs
    assert await _ends_before_the_reply(port, b"200 result=0\n")
    assert writer.mset_runs


async def test_a_refusal_after_the_end_leaves_the_call_to_the_failsafe_and_waits_again(
    writer_port: tuple[int, DecisionWriter],
) -> None:
    port, writer = writer_port
    await _ends_before_the_reply(port, b"200 result=0\n")
    # Refused: the session had ended, PBXB_ACTION stays empty (the dialplan's failsafe runs).
    assert await _ends_before_the_reply(port, b"200 result=-2\n")
    assert not writer.mset_runs
    session = await _run(port, lambda i, c: b"200 result=-2\n" if i == 0 else always_ok(i, c))
    assert len(session.commands) == 1 + len(NASTY)  # waited, then set each on its own
    assert session.assignments()[len(NASTY) :] == NASTY
