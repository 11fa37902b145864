"""The FastAGI listener: bounded sessions, timeouts, dispatch by script name."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

import structlog

from pbx_bridge.agi.protocol import (
    MAX_LINE,
    AgiChannel,
    AgiHangupError,
    AgiProtocolError,
    read_environment,
)
from pbx_bridge.net import PeerFilter

SessionHandler = Callable[[dict[str, str], AgiChannel], Awaitable[None]]

log = structlog.get_logger("pbx_bridge.agi")


@dataclass(frozen=True)
class AgiLimits:
    max_sessions: int = 1000
    header_timeout: float = 5.0
    command_timeout: float = 5.0
    session_timeout: float = 30.0
    slot_wait: float = 1.0  # beyond this the call is refused and the dialplan's failsafe runs


def script_name(env: Mapping[str, str]) -> str:
    """'route' from agi_network_script 'route', '/route', 'route?x=1' or 'route/sub'."""
    script = env.get("agi_network_script") or env.get("agi_request", "").split("/", 3)[-1]
    script = script.split("?", 1)[0].strip("/")
    return script.split("/", 1)[0]


class AgiServer:
    def __init__(
        self,
        handlers: Mapping[str, SessionHandler],
        limits: AgiLimits | None = None,
        on_refused: Callable[[str], None] | None = None,
        peers: PeerFilter | None = None,
    ) -> None:
        self._peers = peers or PeerFilter()
        self._handlers = dict(handlers)
        self.limits = limits or AgiLimits()
        self._slots = asyncio.Semaphore(self.limits.max_sessions)
        self._server: asyncio.Server | None = None
        self._sessions: set[asyncio.Task[None]] = set()
        self._on_refused = on_refused or (lambda _reason: None)
        self.accepting = False

    @property
    def active_sessions(self) -> int:
        return len(self._sessions)

    async def start(self, host: str, port: int) -> tuple[str, int]:
        self._server = await asyncio.start_server(self._accept, host, port, limit=MAX_LINE)
        self.accepting = True
        sock = self._server.sockets[0].getsockname()
        log.info("agi_listening", host=sock[0], port=sock[1])
        return str(sock[0]), int(sock[1])

    async def stop(self, grace: float) -> None:
        """Stop accepting, then let sessions in flight finish for up to `grace` seconds."""
        self.accepting = False
        if self._server is not None:
            self._server.close()
        pending = set(self._sessions)
        if pending:
            _done, late = await asyncio.wait(pending, timeout=grace)
            for task in late:
                task.cancel()
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 1.0)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._sessions.add(task)
        try:
            await self._serve(reader, writer)
        finally:
            self._sessions.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), 1.0)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if not self.accepting:
            return
        peer = writer.get_extra_info("peername")
        if not self._peers.allows(str(peer[0]) if peer else ""):
            self._on_refused("peer")
            log.warning("agi_refused_peer", peer=str(peer))
            return
        try:
            await asyncio.wait_for(self._slots.acquire(), self.limits.slot_wait)
        except TimeoutError:
            self._on_refused("busy")
            log.warning("agi_refused_busy", sessions=len(self._sessions))
            return
        try:
            await asyncio.wait_for(self._session(reader, writer), self.limits.session_timeout)
        except TimeoutError:
            self._on_refused("timeout")
            log.warning("agi_session_timeout", timeout=self.limits.session_timeout)
        finally:
            self._slots.release()

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        structlog.contextvars.clear_contextvars()  # each session task starts clean
        peer = writer.get_extra_info("peername")
        try:
            env = await read_environment(reader, self.limits.header_timeout)
        except AgiProtocolError as exc:
            self._on_refused("protocol")
            log.info("agi_not_agi", peer=str(peer), error=str(exc))
            return
        name = script_name(env)
        handler = self._handlers.get(name)
        if handler is None:
            self._on_refused("unknown_script")
            log.warning("agi_unknown_script", script=name, peer=str(peer))
            return
        channel = AgiChannel(reader, writer, self.limits.command_timeout)
        try:
            await handler(env, channel)
        except AgiHangupError as exc:
            log.info("agi_caller_gone", reason=str(exc), uniqueid=env.get("agi_uniqueid"))
        except AgiProtocolError as exc:
            log.warning("agi_protocol_error", error=str(exc), uniqueid=env.get("agi_uniqueid"))
