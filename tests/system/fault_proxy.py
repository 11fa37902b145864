"""A loopback TCP proxy that a fault scenario can freeze or cut.

    proxy = Proxy(target_port=5038)      # listens on a free 127.0.0.1 port
    proxy.start()
    proxy.freeze()    # connections stay open, nothing passes either way (a silent peer)
    proxy.cut()       # every connection closed, the port refuses (a stopped server)
    proxy.restore()   # listening again on the same port
    proxy.stop()

One thread runs an asyncio loop; the controls are thread-safe. Frozen connections keep
reading and drop what they read, so the far side is not slowed down; closes are not passed on
either, so each end keeps seeing an open but silent peer until it gives up itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Coroutine
from typing import Any, TypeVar

from tests.testbed import ports

T = TypeVar("T")
HOST = "127.0.0.1"


class _Pair:
    """One proxied connection: client <-> target."""

    def __init__(self) -> None:
        self.frozen = False
        self.writers: list[asyncio.StreamWriter] = []
        self.closed = asyncio.Event()

    def close(self) -> None:
        self.closed.set()
        for writer in self.writers:
            with contextlib.suppress(Exception):
                writer.transport.abort()


class Proxy:
    def __init__(self, target_port: int, listen_port: int | None = None) -> None:
        self.target_port = target_port
        self.port = listen_port or ports.free_port()
        self.connections = 0  # accepted so far
        self.frozen_at: float | None = None
        self.last_forwarded_to_client = 0.0  # monotonic time of the last byte passed on
        self._pairs: set[_Pair] = set()
        self._server: asyncio.Server | None = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="proxy", daemon=True)

    # ---- controls (any thread) ----------------------------------------------------------------

    def start(self) -> None:
        self._thread.start()
        self._call(self._listen())

    def stop(self) -> None:
        with contextlib.suppress(RuntimeError):
            self._call(self._close_all(stop_listening=True))
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def freeze(self) -> float:
        """Freeze every open connection; returns when (monotonic) the last byte was passed on
        to a client before the freeze."""
        self._call(self._freeze())
        return self.last_forwarded_to_client

    def cut(self) -> None:
        """Close every connection and stop listening: connecting is refused."""
        self._call(self._close_all(stop_listening=True))

    def restore(self) -> None:
        """Listen again on the same port (after `cut`)."""
        self._call(self._listen())

    @property
    def open_connections(self) -> int:
        return len(self._pairs)

    def _call(self, coroutine: Coroutine[Any, Any, T], timeout: float = 10) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    # ---- the loop ------------------------------------------------------------------------------

    async def _listen(self) -> None:
        if self._server is None:
            self._server = await asyncio.start_server(
                self._accept, HOST, self.port, reuse_address=True
            )

    async def _freeze(self) -> None:
        self.frozen_at = time.monotonic()
        for pair in self._pairs:
            pair.frozen = True

    async def _close_all(self, *, stop_listening: bool) -> None:
        if stop_listening and self._server is not None:
            self._server.close()
            self._server = None
        for pair in list(self._pairs):
            pair.close()
        self._pairs.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            target_reader, target_writer = await asyncio.open_connection(HOST, self.target_port)
        except OSError:
            writer.transport.abort()
            return
        pair = _Pair()
        pair.writers = [writer, target_writer]
        self._pairs.add(pair)
        try:
            await asyncio.gather(
                self._pipe(reader, target_writer, pair, to_client=False),
                self._pipe(target_reader, writer, pair, to_client=True),
            )
        finally:
            self._pairs.discard(pair)
            pair.close()

    async def _pipe(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        pair: _Pair,
        *,
        to_client: bool,
    ) -> None:
        while True:
            try:
                data = await reader.read(65536)
            except OSError:
                data = b""
            if pair.frozen:
                if data:
                    continue  # read and drop
                if to_client:  # the target gave up: the client keeps a silent open peer
                    await pair.closed.wait()
                pair.close()  # the client gave up: so does the proxy
                return
            if not data:
                with contextlib.suppress(Exception):
                    writer.transport.abort()
                return
            writer.write(data)
            if to_client:
                self.last_forwarded_to_client = time.monotonic()
            try:
                await writer.drain()
            except OSError:
                return
