"""One supervised AMI connection: login check, watchdog, reconnect with backoff, resync.

panoramisk reconnects on its own and retries a wrong secret forever without a
word; its keepalive never checks the Ping answer. So the lifecycle is ours:
each connection is made here, its login answer is checked, a watchdog pings
and aborts a connection that stops answering, and the loop reconnects with
exponential backoff capped at a couple of seconds. After every login the owner
resyncs its state.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import structlog
from panoramisk import Manager

from pbx_bridge.ami.protocol import WholeMessageProtocol
from pbx_bridge.config.loader import AmiSettings
from pbx_bridge.secret_file import SecretFileError, read_secret_file

log = structlog.get_logger("pbx_bridge.ami")

EventSink = Callable[[Mapping[str, object]], None]
LoginHook = Callable[["AmiLink"], Awaitable[None]]


class AmiSecretError(Exception):
    """The AMI secret cannot be read safely."""


def read_secret(settings: AmiSettings) -> str:
    """The secret from a file only its owner can read, or from an environment variable."""
    if settings.secret_file is not None:
        try:
            return read_secret_file(Path(settings.secret_file), "AMI secret file")
        except SecretFileError as exc:
            raise AmiSecretError(str(exc)) from exc
    if settings.secret_env:
        secret = os.environ.get(settings.secret_env, "")
        if not secret:
            raise AmiSecretError(f"environment variable {settings.secret_env} is not set")
        return secret
    raise AmiSecretError("ami needs secret_file or secret_env in bridge.yaml")


@dataclass(frozen=True)
class LinkTiming:
    connect_timeout: float = 5.0
    login_timeout: float = 10.0
    ping_interval: float = 5.0
    # Nothing received for this long (two Pings unanswered): the connection is dead. Checked
    # at that very moment, not at the next Ping, so a silent peer is dropped within 12 s.
    silence_limit: float = 12.0
    backoff_first: float = 0.5
    # A restarting Asterisk refuses connections for 10-20 s; a longer backoff would leave the
    # daemon blind for up to that long after Asterisk is back. One attempt every 2 s costs a
    # refused loopback connect (or one connect timeout for a remote host): no hammering.
    backoff_max: float = 2.0
    login_refused_retry: float = 30.0  # a wrong secret will not fix itself in seconds
    action_timeout: float = 10.0


def next_backoff(delay: float, timing: LinkTiming) -> float:
    """The wait before the next attempt after one that failed after waiting `delay`."""
    return min(delay * 2, timing.backoff_max)


class _Manager(Manager):  # type: ignore[misc]
    """panoramisk's Manager without its own reconnect and pinger: the link decides."""

    authenticated_future: Any  # the Login action's future while a login is under way

    def __init__(self, lost: Callable[[object], None], **config: Any) -> None:
        super().__init__(**config)
        self._lost = lost

    def connection_lost(self, exc: object) -> None:
        self._connected = False
        self._lost(exc)

    def ping(self) -> None:  # the link's watchdog pings instead
        return None

    def login(self, future: asyncio.Future[Any]) -> bool:
        # A login that timed out is cancelled by the link; panoramisk would read its result
        # and log a CancelledError traceback for a peer that merely never answered.
        if future.cancelled():
            self.authenticated_future = None
            return False
        result: bool = super().login(future)
        return result


class AmiLink:
    def __init__(
        self,
        settings: AmiSettings,
        on_event: EventSink,
        on_login: LoginHook,
        timing: LinkTiming | None = None,
        *,
        on_state: Callable[[bool], None] | None = None,
        wanted: Callable[[bytes], bool] | None = None,
    ) -> None:
        """`wanted(raw)` picks the AMI messages worth decoding (see WholeMessageProtocol)."""
        self.settings = settings
        self._wanted = wanted
        self.timing = timing or LinkTiming()
        self._on_event = on_event
        self._on_login = on_login
        self._on_state = on_state or (lambda _up: None)
        self._manager: _Manager | None = None
        self._lost: asyncio.Event | None = None
        self.connected = False
        self._logged_in = False
        self.reconnects = 0
        self.last_error: str | None = None

    async def action(self, action: dict[str, str], *, as_list: bool = False) -> Any:
        """Send an action on the live connection, with a timeout; errors are returned by AMI."""
        if self._manager is None or not self.connected:
            raise ConnectionError("AMI is not connected")
        future = self._manager.send_action(action, as_list=as_list)
        return await asyncio.wait_for(future, self.timing.action_timeout)

    async def run(self, stop: asyncio.Event) -> None:
        """Keep a logged-in connection until `stop` is set."""
        delay = self.timing.backoff_first
        while not stop.is_set():
            self._logged_in = False
            wait = delay
            try:
                await self._session(stop)
            except AmiSecretError as exc:
                self.last_error = str(exc)
                log.error("ami_secret_unusable", error=str(exc))
                wait = self.timing.login_refused_retry
            except (OSError, TimeoutError, ConnectionError) as exc:
                self.last_error = f"{type(exc).__name__}: {exc}"
                if self._logged_in:  # a working connection was lost: try again at once
                    wait = delay = self.timing.backoff_first
                log.warning("ami_unreachable", error=self.last_error, retry_in=wait)
            except Exception as exc:  # anything else would end call tracking without a word
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.exception("ami_session_failed", error=self.last_error, retry_in=wait)
            finally:
                self._set_connected(False)
                self._close()
            if stop.is_set():
                break
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), wait)
            delay = next_backoff(delay, self.timing)
            self.reconnects += 1

    async def _session(self, stop: asyncio.Event) -> None:
        secret = read_secret(self.settings)
        loop = asyncio.get_running_loop()
        lost = asyncio.Event()
        self._lost = lost

        def connection_lost(_exc: object) -> None:
            loop.call_soon_threadsafe(lost.set)

        manager = _Manager(
            connection_lost,
            host=self.settings.host,
            port=self.settings.port,
            username=self.settings.username,
            secret=secret,
            events="on",
            encoding="utf8",
            ping_delay=10**9,
            loop=loop,
        )
        manager.register_event("*", self._dispatch)
        self._manager = manager
        transport, protocol = await asyncio.wait_for(
            loop.create_connection(
                lambda: WholeMessageProtocol(self._wanted), self.settings.host, self.settings.port
            ),
            self.timing.connect_timeout,
        )
        made: asyncio.Future[tuple[Any, Any]] = loop.create_future()
        made.set_result((transport, protocol))
        manager.connection_made(made)
        reply = await asyncio.wait_for(manager.authenticated_future, self.timing.login_timeout)
        if not getattr(reply, "success", False):
            message = reply.get("Message", "login refused") if hasattr(reply, "get") else ""
            raise AmiSecretError(
                f"AMI login as {self.settings.username!r} refused by "
                f"{self.settings.host}:{self.settings.port}: {message} "
                "(check the secret and manager.conf)"
            )
        self._logged_in = True
        self._set_connected(True)
        log.info("ami_logged_in", host=self.settings.host, version=protocol.version)
        await self._on_login(self)
        watchdog = asyncio.create_task(self._watchdog(protocol, lost))
        try:
            stop_wait = asyncio.create_task(stop.wait())
            lost_wait = asyncio.create_task(lost.wait())
            await asyncio.wait({stop_wait, lost_wait}, return_when=asyncio.FIRST_COMPLETED)
            for task in (stop_wait, lost_wait):
                task.cancel()
        finally:
            watchdog.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watchdog
        if lost.is_set() and not stop.is_set():
            raise ConnectionError("AMI connection lost")

    async def _watchdog(self, protocol: WholeMessageProtocol, lost: asyncio.Event) -> None:
        """Ping every `ping_interval`; abort once nothing has come for `silence_limit`. Times
        are the event loop's, as the protocol's `last_received` is."""
        timing = self.timing
        clock = asyncio.get_running_loop().time
        next_ping = clock() + timing.ping_interval
        wake_at = 0.0
        while not lost.is_set():
            # asyncio runs a timer up to its clock resolution early: waking for a deadline
            # counts as being at it, or a wake-up just short of it would sleep again for ~0 s.
            now = max(clock(), wake_at)
            silent = now - protocol.last_received
            if silent >= timing.silence_limit:
                log.error("ami_silent", seconds=round(silent, 1))
                protocol.transport.abort()
                lost.set()
                return
            if now >= next_ping:
                next_ping = now + timing.ping_interval
                with contextlib.suppress(Exception):
                    assert self._manager is not None
                    self._manager.send_action({"Action": "Ping"})
            wake_at = min(next_ping, protocol.last_received + timing.silence_limit)
            await asyncio.sleep(max(0.0, wake_at - now))

    def _dispatch(self, _manager: object, message: Mapping[str, object]) -> None:
        try:
            self._on_event(message)
        except Exception:  # the tracker's problem must not become the connection's
            log.exception("ami_event_handler_failed", event=message.get("Event"))

    def _set_connected(self, up: bool) -> None:
        if up != self.connected:
            self.connected = up
            self._on_state(up)

    def _close(self) -> None:
        if self._manager is not None:
            with contextlib.suppress(Exception):
                self._manager.close()
        self._manager = None
