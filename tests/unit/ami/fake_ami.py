"""A scripted Asterisk Manager peer on loopback, speaking the real wire format."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from pathlib import Path

from pbx_bridge.ami.link import LinkTiming
from pbx_bridge.config.loader import AmiSettings

FAST = LinkTiming(
    connect_timeout=1.0,
    login_timeout=2.0,
    ping_interval=0.2,
    silence_limit=1.0,
    backoff_first=0.05,
    backoff_max=0.2,
    action_timeout=2.0,
)


def settings(port: int, secret_file: Path) -> AmiSettings:
    return AmiSettings("127.0.0.1", port, "pbx-bridge", secret_file, None)


def message(**headers: str) -> bytes:
    return "".join(f"{k}: {v}\r\n" for k, v in headers.items()).encode() + b"\r\n"


@dataclass
class FakeAmi:
    secret: str = "s3cret"
    answer_pings: bool = True
    logins: int = 0
    actions: list[dict[str, str]] = field(default_factory=list)
    writers: list[asyncio.StreamWriter] = field(default_factory=list)
    live_channels: list[dict[str, str]] = field(default_factory=list)
    # Uniqueid -> the channel's variables, for the Status action's `Variables:`
    channel_variables: dict[str, dict[str, str]] = field(default_factory=dict)
    _server: asyncio.Server | None = None
    port: int = 0

    async def start(self) -> int:
        """Listen (again: on the same port after `stop`)."""
        self._server = await asyncio.start_server(
            self._client, "127.0.0.1", self.port, reuse_address=True
        )
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self.port

    async def stop(self) -> None:
        """Close every connection and the port (connecting is refused), as a stopped Asterisk."""
        for writer in self.writers:
            writer.transport.abort()
        self.writers.clear()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def restart(self, down_s: float) -> float:
        """Stop (the port refuses), wait `down_s`, listen again; when (the event loop's clock)
        it is back."""
        await self.stop()
        await asyncio.sleep(down_s)
        await self.start()
        return asyncio.get_running_loop().time()

    def send_raw(self, data: bytes) -> None:
        for writer in self.writers:
            writer.write(data)

    def drop_connections(self) -> None:
        for writer in self.writers:
            writer.transport.abort()
        self.writers.clear()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.writers.append(writer)
        writer.write(b"Asterisk Call Manager/11.0.0\r\n")
        with contextlib.suppress(ConnectionError, asyncio.IncompleteReadError):
            while True:
                raw = await reader.readuntil(b"\r\n\r\n")
                action = dict(
                    line.split(": ", 1)
                    for line in raw.decode().strip().split("\r\n")
                    if ": " in line
                )
                self.actions.append(action)
                await self._answer(action, writer)

    async def _answer(self, action: dict[str, str], writer: asyncio.StreamWriter) -> None:
        name = action.get("Action", "").lower()
        action_id = action.get("ActionID", "")
        if name == "login":
            if action.get("Secret") == self.secret:
                self.logins += 1
                writer.write(
                    message(
                        Response="Success", ActionID=action_id, Message="Authentication accepted"
                    )
                )
            else:
                writer.write(
                    message(Response="Error", ActionID=action_id, Message="Authentication failed")
                )
        elif name == "ping":
            if self.answer_pings:
                writer.write(message(Response="Success", ActionID=action_id, Ping="Pong"))
        elif name == "coreshowchannels":
            writer.write(
                message(
                    Response="Success", ActionID=action_id, EventList="start", Message="follows"
                )
            )
            for channel in self.live_channels:
                writer.write(message(Event="CoreShowChannel", ActionID=action_id, **channel))
            writer.write(
                message(
                    Event="CoreShowChannelsComplete",
                    ActionID=action_id,
                    EventList="Complete",
                    ListItems=str(len(self.live_channels)),
                )
            )
        elif name == "status":
            self._status(action, writer)
        await writer.drain()

    def _status(self, action: dict[str, str], writer: asyncio.StreamWriter) -> None:
        """As Asterisk 22 answers it: one Status event per channel, one `Variable: NAME=value`
        line per name asked for (empty when not set)."""
        action_id = action.get("ActionID", "")
        names = [n for n in action.get("Variables", "").split(",") if n]
        writer.write(
            message(Response="Success", ActionID=action_id, EventList="start",
                    Message="Channel status will follow")
        )  # fmt: skip
        for channel in self.live_channels:
            values = self.channel_variables.get(channel.get("Uniqueid", ""), {})
            head = message(Event="Status", ActionID=action_id, **channel)[:-2]
            lines = "".join(f"Variable: {n}={values.get(n, '')}\r\n" for n in names)
            writer.write(head + lines.encode() + b"\r\n")
        writer.write(
            message(Event="StatusComplete", ActionID=action_id, EventList="Complete",
                    Items=str(len(self.live_channels)))
        )  # fmt: skip
