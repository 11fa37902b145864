"""The FastAGI listener: bounded sessions, timeouts, dispatch by script name."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import structlog

from pbx_bridge.agi.header_phase import HeaderPhase
from pbx_bridge.agi.protocol import AgiChannel, AgiHangupError, AgiProtocolError
from pbx_bridge.agi.refusals import RefusalBudget
from pbx_bridge.agi.session_link import SessionLink
from pbx_bridge.net import PeerFilter

SessionHandler = Callable[[dict[str, str], AgiChannel], Awaitable[None]]

log = structlog.get_logger("pbx_bridge.agi")


# Connections still sending their AGI headers, per session slot (see AgiServer._serve).
UNHEARD_PER_SESSION = 4
# The accept queue: a burst of (re)connecting peers must not fill it, as the kernel then
# drops Asterisk's SYN and Asterisk retries only a second later (the kernel caps this at
# net.core.somaxconn, 4096 by default).
LISTEN_BACKLOG = 4096


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
        session_timeouts: Mapping[str, float] | None = None,
    ) -> None:
        self._peers = peers or PeerFilter()
        # Scripts that talk with a person (the supervisor's dialog) need longer than a call's
        # routing; every other script keeps limits.session_timeout.
        self._session_timeouts = dict(session_timeouts or {})
        self._handlers = dict(handlers)
        self.limits = limits or AgiLimits()
        self._slots = asyncio.Semaphore(self.limits.max_sessions)
        self._server: asyncio.Server | None = None
        self._sessions: set[asyncio.Task[None]] = set()
        # Connections whose AGI headers are not complete yet, oldest first.
        self._unheard: dict[HeaderPhase, None] = {}
        self._on_refused = on_refused or (lambda _reason: None)
        self._log_budget = RefusalBudget()
        self._summaries: asyncio.Task[None] | None = None
        self.accepting = False

    @property
    def active_sessions(self) -> int:
        return len(self._sessions)

    @property
    def port(self) -> int:
        """The port listened on (0 before start)."""
        if self._server is None or not self._server.sockets:
            return 0
        return int(self._server.sockets[0].getsockname()[1])

    @property
    def waiting_for_headers(self) -> int:
        return len(self._unheard)

    async def start(self, host: str, port: int) -> tuple[str, int]:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: HeaderPhase(self), host, port, backlog=LISTEN_BACKLOG
        )
        self.accepting = True
        self._summaries = asyncio.create_task(self._summarise_refusals())
        sock = self._server.sockets[0].getsockname()
        log.info("agi_listening", host=sock[0], port=sock[1])
        return str(sock[0]), int(sock[1])

    async def stop(self, grace: float) -> None:
        """Stop accepting, then let sessions in flight finish for up to `grace` seconds."""
        self.accepting = False
        if self._server is not None:
            self._server.close()
        if self._summaries is not None:
            self._summaries.cancel()
        for phase in list(self._unheard):
            phase.refuse("protocol", "the listener stops")
        self._log_summaries(float("inf"))
        pending = set(self._sessions)
        if pending:
            _done, late = await asyncio.wait(pending, timeout=grace)
            for task in late:
                task.cancel()
        if self._server is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 1.0)

    def _refuse(self, reason: str, event: str, level: str = "info", **fields: Any) -> None:
        """Count every refusal; log it unless its reason used up this interval's lines."""
        self._on_refused(reason)
        now = asyncio.get_running_loop().time()  # the clock of the loop's timers and sleeps
        self._log_summaries(now)
        if self._log_budget.admit(reason, now):
            getattr(log, level)(event, **fields)

    def _log_summaries(self, now: float) -> None:
        for reason, count in self._log_budget.summaries(now):
            log.info("agi_refusals_not_logged", reason=reason, count=count)

    async def _summarise_refusals(self) -> None:
        while True:
            await asyncio.sleep(self._log_budget.interval / 4)
            self._log_summaries(asyncio.get_running_loop().time())

    # ---- the header phase (see header_phase.py) ----------------------------------------------

    def arrived(self, phase: HeaderPhase, peer: str) -> float | None:
        if not self.accepting:
            return None
        if not self._peers.allows(peer):
            self._refuse("peer", "agi_refused_peer", "warning", peer=peer)
            return None
        # The headers first, then a session slot: a peer that never sends its headers must
        # not hold a slot Asterisk needs (1,000 idle sockets would take all of them). Those
        # still owing their headers are bounded as well: beyond UNHEARD_PER_SESSION times
        # max_sessions the one waiting longest is dropped; Asterisk sends its headers at once,
        # so it is never that one.
        self._unheard[phase] = None
        if len(self._unheard) > UNHEARD_PER_SESSION * self.limits.max_sessions:
            next(iter(self._unheard)).refuse("crowded", "crowded out")
        # Between half and all of header_timeout: idle peers that came together are not
        # dropped together (and back at once), a wave that would hold up the calls.
        return self.limits.header_timeout * random.uniform(0.5, 1.0)

    def not_heard(self, phase: HeaderPhase, reason: str, error: str, peer: str) -> None:
        self._unheard.pop(phase, None)
        if reason == "crowded":
            self._refuse(reason, "agi_crowded_out", peer=peer, waiting=len(self._unheard))
        else:
            self._refuse(reason, "agi_not_agi", peer=peer, error=error)

    def heard(
        self, phase: HeaderPhase, transport: asyncio.Transport, env: dict[str, str], rest: bytes
    ) -> None:
        """A session task for a connection whose header block is complete."""
        self._unheard.pop(phase, None)
        link = SessionLink(rest)
        transport.set_protocol(link)
        link.connection_made(transport)
        task = asyncio.get_running_loop().create_task(self._serve(env, link))
        self._sessions.add(task)
        task.add_done_callback(self._sessions.discard)

    # ---- sessions --------------------------------------------------------------------------

    async def _serve(self, env: dict[str, str], link: SessionLink) -> None:
        structlog.contextvars.clear_contextvars()  # each session task starts clean
        try:
            await self._in_slot(env, link)
        finally:
            link.close()

    async def _in_slot(self, env: dict[str, str], link: SessionLink) -> None:
        try:
            if self._slots.locked():
                async with asyncio.timeout(self.limits.slot_wait):
                    await self._slots.acquire()
            else:  # a slot is free: acquire returns at once, no timer needed
                await self._slots.acquire()
        except TimeoutError:
            self._refuse("busy", "agi_refused_busy", "warning", sessions=len(self._sessions))
            return
        limit = self._session_timeouts.get(script_name(env), self.limits.session_timeout)
        try:
            async with asyncio.timeout(limit):
                await self._session(env, link)
        except TimeoutError:
            self._refuse("timeout", "agi_session_timeout", "warning", timeout=limit)
        finally:
            self._slots.release()

    async def _session(self, env: dict[str, str], link: SessionLink) -> None:
        name = script_name(env)
        handler = self._handlers.get(name)
        if handler is None:
            self._refuse(
                "unknown_script", "agi_unknown_script", "warning", script=name, peer=link.peer()
            )
            return
        channel = AgiChannel(link, self.limits.command_timeout)
        try:
            await handler(env, channel)
            channel.end()
        except AgiHangupError as exc:
            log.info("agi_caller_gone", reason=str(exc), uniqueid=env.get("agi_uniqueid"))
        except AgiProtocolError as exc:
            log.warning("agi_protocol_error", error=str(exc), uniqueid=env.get("agi_uniqueid"))
