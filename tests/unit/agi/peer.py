"""A scripted Asterisk side of FastAGI sessions, over a real loopback socket."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

from tests.unit.agi.asterisk_parsers import variables_set


def environment(extension: str = "0537182370", **extra: str) -> bytes:
    env = {
        "agi_network": "yes",
        "agi_network_script": "route",
        "agi_request": "agi://127.0.0.1/route",
        "agi_channel": "PJSIP/trunk-00000001",
        "agi_uniqueid": "1700000000.1",
        "agi_callerid": "0999123456",
        "agi_calleridname": "Test",
        "agi_extension": extension,
        "agi_arg_1": "",
    }
    env.update(extra)
    return b"".join(f"{k}: {v}\n".encode() for k, v in env.items()) + b"\n"


@dataclass
class Session:
    commands: list[str] = field(default_factory=list)
    closed_by_server: bool = False

    def variables(self) -> dict[str, str]:
        """The channel variables the commands set, as Asterisk would read them (last wins)."""
        return dict(self.assignments())

    def assignments(self) -> list[tuple[str, str]]:
        """Every variable assignment of the session, in order."""
        return [pair for command in self.commands for pair in variables_set(command)]


Reply = Callable[[int, str], bytes]


def always_ok(_index: int, command: str) -> bytes:
    """What Asterisk answers when a command worked: EXEC returns the application's result
    (MSet: 0), SET VARIABLE 1."""
    return b"200 result=0\n" if command.upper().startswith("EXEC ") else b"200 result=1\n"


async def run_session(
    port: int, head: bytes, reply: Reply = always_ok, timeout: float = 5.0
) -> Session:
    """Send `head`, then answer each command with `reply(index, command)` until closed."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    session = Session()
    writer.write(head)
    await writer.drain()
    try:
        while True:
            line = await asyncio.wait_for(reader.readline(), timeout)
            if not line:
                session.closed_by_server = True
                break
            command = line.decode().rstrip("\n")
            session.commands.append(command)
            answer = reply(len(session.commands) - 1, command)
            if answer:
                writer.write(answer)
                await writer.drain()
    except (ConnectionError, TimeoutError):
        pass
    finally:
        writer.close()
    return session
