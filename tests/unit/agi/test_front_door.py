"""The FastAGI front door survives what real networks send, and keeps serving calls."""

from __future__ import annotations

import asyncio

import pytest

from pbx_bridge import channel_vars as cv
from pbx_bridge.agi.server import AgiLimits
from tests.unit.agi.peer import Session, environment, run_session

# The event loop's clock runs fast when the loop idles (looptime): timeouts and sleeps
# take their full loop time but no real time.
pytestmark = pytest.mark.looptime


async def routed(port: int, extension: str = "0537182370", **extra: str) -> Session:
    return await run_session(port, environment(extension, **extra))


async def test_a_call_gets_every_variable_with_action_last(agi_port: int) -> None:
    session = await routed(agi_port)
    variables = session.variables()
    assert variables[cv.TENANT] == "gifhorn"
    assert variables[cv.DEPARTMENT] == "Kfz-Zulassung"
    assert variables[cv.ACTION] == "queue"
    assert variables["CHANNEL(accountcode)"] == "gifhorn"
    assert session.assignments()[-1] == (cv.ACTION, "queue")
    assert session.closed_by_server


async def test_redirecting_number_comes_as_first_agi_argument(agi_port: int) -> None:
    session = await routed(agi_port, "0536109990", agi_arg_1="05372 89-0")
    assert session.variables()[cv.TENANT] == "meinersen"


async def test_peer_that_connects_and_closes_does_not_stall_the_listener(
    agi_port: int, refused: list[str]
) -> None:
    started = asyncio.get_running_loop().time()
    for _ in range(20):
        _reader, writer = await asyncio.open_connection("127.0.0.1", agi_port)
        writer.close()
    session = await routed(agi_port)
    assert session.variables()[cv.TENANT] == "gifhorn"
    assert asyncio.get_running_loop().time() - started < 2.0
    await asyncio.sleep(0.1)
    assert refused.count("protocol") == 20


async def test_partial_headers_time_out_and_are_refused(agi_port: int, refused: list[str]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", agi_port)
    writer.write(b"agi_network: yes\nagi_request: agi://x/route\n")  # no blank line
    await writer.drain()
    assert await asyncio.wait_for(reader.read(), 2.0) == b""  # closed without a command
    writer.close()
    assert "protocol" in refused


async def test_oversized_headers_are_refused(agi_port: int, refused: list[str]) -> None:
    head = environment().replace(b"\n\n", b"\n") + b"".join(
        f"agi_x{i}: {'y' * 200}\n".encode() for i in range(200)
    )
    session = await run_session(agi_port, head + b"\n")
    assert session.commands == []
    assert "protocol" in refused


async def test_one_endless_line_is_refused(agi_port: int, refused: list[str]) -> None:
    session = await run_session(agi_port, b"agi_callerid: " + b"9" * 100_000 + b"\n\n")
    assert session.commands == []
    assert "protocol" in refused


async def test_garbage_is_refused(agi_port: int, refused: list[str]) -> None:
    session = await run_session(agi_port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
    assert session.commands == []
    assert "protocol" in refused


async def test_invalid_utf8_in_caller_name_still_routes(agi_port: int) -> None:
    head = environment().replace(b"agi_calleridname: Test", b"agi_calleridname: J\xc3\xbcrg\xc3")
    session = await run_session(agi_port, head)
    assert session.variables()[cv.ACTION] == "queue"


async def test_hangup_in_the_middle_stops_sending(agi_port: int) -> None:
    # MSet refused, so the variables go one by one; the caller hangs up at the third.
    def reply(index: int, _command: str) -> bytes:
        if index == 0:
            return b"510 Invalid or unknown command\n"
        if index < 3:
            return b"200 result=1\n"
        if index == 3:
            return b"HANGUP\n200 result=1\n"
        return b"511 Command Not Permitted on a dead channel or intercepted channel\n"

    session = await run_session(agi_port, environment(), reply)
    # After the out-of-band HANGUP the server sends nothing more.
    assert len(session.commands) == 4
    assert session.closed_by_server


async def test_result_minus_one_is_a_hangup(agi_port: int) -> None:
    session = await run_session(
        agi_port, environment(), lambda i, _c: b"200 result=-1\nHANGUP\n" if i == 0 else b""
    )
    assert len(session.commands) == 1


async def test_multiline_520_is_read_to_its_end_and_replies_stay_in_step(agi_port: int) -> None:
    usage = (
        b"520-Invalid command syntax.  Proper usage follows:\n"
        b"Usage: EXEC <application> <options>\n"
        b"520 End of proper usage.\n"
    )

    def reply(index: int, _command: str) -> bytes:
        return usage if index == 0 else b"200 result=1\n"

    session = await run_session(agi_port, environment(), reply)
    # The refused MSet, then every variable on its own.
    assert len(session.commands) == 25
    assert all(c.startswith("SET VARIABLE ") for c in session.commands[1:])
    assert session.assignments()[-1] == (cv.ACTION, "queue")


async def test_unknown_script_gets_no_commands(agi_port: int, refused: list[str]) -> None:
    session = await routed(agi_port, agi_network_script="other")
    assert session.commands == []
    assert "unknown_script" in refused


async def test_script_with_query_string_or_sub_path_routes(agi_port: int) -> None:
    for script in ("route?node=a", "/route", "route/extra"):
        session = await routed(agi_port, agi_network_script=script)
        assert session.variables()[cv.TENANT] == "gifhorn", script


async def test_silent_peer_after_headers_is_cut_by_the_command_timeout(agi_port: int) -> None:
    started = asyncio.get_running_loop().time()
    session = await run_session(agi_port, environment(), lambda _i, _c: b"", timeout=3.0)
    assert len(session.commands) == 1
    assert session.closed_by_server
    assert asyncio.get_running_loop().time() - started < 3.0


# The 300 peers share the server's event loop: a header read may wait longer for the loop than
# the short header timeout of the other tests (0.15-0.3 s), so this one keeps the default's.
@pytest.mark.parametrize(
    "limits", [AgiLimits(command_timeout=2.0, session_timeout=4.0, slot_wait=0.2)]
)
async def test_many_simultaneous_calls_are_all_routed(agi_port: int) -> None:
    numbers = {"0537182370": "gifhorn", "053728 90": "meinersen", "115": "wolfsburg"}
    calls = [list(numbers)[i % 3] for i in range(300)]
    sessions = await asyncio.gather(*(routed(agi_port, n) for n in calls))
    for number, session in zip(calls, sessions, strict=True):
        assert session.variables()[cv.TENANT] == numbers[number]
        assert session.variables()[cv.ACTION] == "queue"


async def test_hangup_without_a_reply_closes_at_once(agi_port: int) -> None:
    # What Asterisk does when its AGI timeout expires: HANGUP, then wait for us to close.
    started = asyncio.get_running_loop().time()
    session = await run_session(agi_port, environment(), lambda _i, _c: b"HANGUP\n")
    assert len(session.commands) == 1
    assert session.closed_by_server
    assert asyncio.get_running_loop().time() - started < 1.5


async def test_every_log_line_of_a_session_names_its_call(
    agi_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    def reply(_index: int, _command: str) -> bytes:
        return b"511 Command Not Permitted\n"

    await run_session(agi_port, environment(agi_uniqueid="1795000000.42"), reply)
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if "1795000000.42" in line or "caller_gone" in line]
    assert any("call_routed" in line for line in lines)
    gone = [line for line in lines if "agi_caller_gone" in line]
    assert gone and all("gifhorn" in line and "1795000000.42" in line for line in gone)
