"""Hostile FastAGI peers on loopback: what a port scanner, a broken client or an attacker on the
signalling network sends to the daemon's FastAGI port while Asterisk's calls keep coming.

    peers = HostilePeers(port, idle=1000)
    peers.start()          # returns once the idle sockets are connected
    ... calls ...
    peers.stop(); print(peers.stats)

Kinds (each in a bounded loop until `stop`):
- idle: `idle` connections that send nothing; one the daemon drops is opened again at once,
  so `idle` are open all the time.
- half-open: connections that send the first AGI header lines and then, now and then, one
  more, never the blank line that ends the headers (slowloris).
- half-closed: a partial header, then the client shuts its sending side (FIN) and waits.
- garbage: TLS hellos, HTTP, binary noise, an endless line, an unknown AGI script, a header
  block with a valid request but a peer that never answers the first command.
- reset: connect and reset at once (RST).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
import socket
import struct
import threading
from collections import Counter
from collections.abc import Callable, Coroutine
from typing import Any

from tests.testbed.load_priority import lower_this_thread

HOST = "127.0.0.1"
CLOSE_WITHIN_S = 10.0  # a peer that sent a bad or cut-off request should be dropped by then

_AGI_START = (
    b"agi_network: yes\nagi_network_script: route\nagi_request: agi://127.0.0.1/route\n"
    b"agi_channel: PJSIP/evil-00000001\nagi_language: de\n"
)
_GARBAGE = (
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(256)),  # a TLS ClientHello
    b"GET / HTTP/1.1\r\nHost: pbx\r\nUser-Agent: scanner\r\n\r\n",
    b"SSH-2.0-OpenSSH_9.6\r\n",
    bytes(random.Random(6).getrandbits(8) for _ in range(4096)),
    b"A" * 20000,  # one line longer than any AGI line may be
    b"\x00" * 1024 + b"\n\n",
    b"agi_request: agi://127.0.0.1/nosuchscript\nagi_network_script: nosuchscript\n\n",
    b"agi_request: agi://127.0.0.1/route\n" + "agi_callerid: J\u00fcrgen\n".encode("latin-1") * 300,
)
# A complete header block: the daemon decides, sends SET VARIABLE and waits for an answer
# that never comes (the peer does not read).
_SILENT_AFTER_HEADERS = (
    _AGI_START + b"agi_uniqueid: 1.1\nagi_callerid: 0999000000\nagi_extension: 05371820\n"
    b"agi_dnid: 05371820\nagi_context: pbx-bridge-inbound\n\n"
)


class HostilePeers:
    def __init__(
        self,
        port: int,
        *,
        idle: int = 1000,
        half_open: int = 50,
        half_closed_per_s: float = 20,
        garbage_per_s: float = 20,
        resets_per_s: float = 20,
    ) -> None:
        self.port = port
        self.idle = idle
        self.half_open = half_open
        self.half_closed_per_s = half_closed_per_s
        self.garbage_per_s = garbage_per_s
        self.resets_per_s = resets_per_s
        self.stats: Counter[str] = Counter()  # connections made, dropped by the daemon, errors
        self._open_idle = 0
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name="hostile", daemon=True)

    @property
    def open_idle(self) -> int:
        return self._open_idle

    def start(self, timeout: float = 30) -> None:
        self._thread.start()
        if not self._ready.wait(timeout):
            raise RuntimeError(f"only {self._open_idle} of {self.idle} idle peers connected")

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(15)

    def _run(self) -> None:
        lower_this_thread()  # the attacker's CPU is elsewhere on a site
        self._loop.run_until_complete(self._main())
        self._loop.run_until_complete(self._loop.shutdown_asyncgens())
        self._loop.close()

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        tasks = [asyncio.create_task(self._idle(n)) for n in range(self.idle)]
        tasks += [asyncio.create_task(self._half_open(n)) for n in range(self.half_open)]
        tasks += [
            asyncio.create_task(
                self._every(self.half_closed_per_s, "half-closed", self._half_closed_once)
            ),
            asyncio.create_task(self._every(self.garbage_per_s, "garbage", self._garbage_once)),
            asyncio.create_task(self._every(self.resets_per_s, "reset", self._reset_once)),
            asyncio.create_task(self._until_ready()),
        ]
        await self._stop.wait()
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _until_ready(self) -> None:
        while self._open_idle < self.idle:
            await asyncio.sleep(0.05)
        self._ready.set()

    async def _connect(self, kind: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
        reader, writer = await asyncio.open_connection(HOST, self.port)
        self.stats[f"{kind} connections"] += 1
        return reader, writer

    async def _until_closed(self, reader: asyncio.StreamReader, kind: str) -> None:
        """Read (and drop) until the daemon closes; counts that close."""
        with contextlib.suppress(OSError):
            while await reader.read(65536):
                pass
        self.stats[f"{kind} dropped by the daemon"] += 1

    async def _guarded(self, kind: str, work: Coroutine[Any, Any, None]) -> None:
        try:
            await work
        except TimeoutError:
            self.stats[f"{kind} still open after {CLOSE_WITHIN_S:g} s"] += 1
        except OSError as exc:
            self.stats[f"{kind} errors ({type(exc).__name__})"] += 1
            await asyncio.sleep(0.1)

    # ---- the kinds -------------------------------------------------------------------------

    async def _idle(self, _n: int) -> None:
        while True:
            await self._guarded("idle", self._idle_once())

    async def _idle_once(self) -> None:
        reader, writer = await self._connect("idle")
        self._open_idle += 1
        try:
            await self._until_closed(reader, "idle")
        finally:
            self._open_idle -= 1
            writer.transport.abort()

    async def _half_open(self, _n: int) -> None:
        while True:
            await self._guarded("half-open", self._half_open_once())

    async def _half_open_once(self) -> None:
        reader, writer = await self._connect("half-open")
        closed = asyncio.create_task(self._until_closed(reader, "half-open"))
        try:
            writer.write(_AGI_START)
            for line in itertools.count():
                done, _ = await asyncio.wait({closed}, timeout=0.7)
                if done:
                    return
                writer.write(f"agi_slow_{line}: x\n".encode())
        finally:
            closed.cancel()
            writer.transport.abort()

    async def _every(
        self, per_s: float, kind: str, one: Callable[[], Coroutine[Any, Any, None]]
    ) -> None:
        """Start `one()` `per_s` times a second, each on its own."""
        running: set[asyncio.Task[None]] = set()
        try:
            while True:
                task = asyncio.create_task(self._guarded(kind, one()))
                running.add(task)
                task.add_done_callback(running.discard)
                await asyncio.sleep(1 / per_s)
        finally:
            for task in running:
                task.cancel()
            await asyncio.gather(*running, return_exceptions=True)

    async def _half_closed_once(self) -> None:
        """A partial header, then FIN: the daemon must notice the end and close."""
        await self._send_and_wait("half-closed", _AGI_START, eof=True)

    async def _garbage_once(self) -> None:
        payload = random.choice((*_GARBAGE, _SILENT_AFTER_HEADERS))
        if payload is _SILENT_AFTER_HEADERS:  # never reads the commands, never answers
            _reader, writer = await self._connect("garbage")
            try:
                writer.write(payload)
                await asyncio.sleep(10)
            finally:
                writer.transport.abort()
            return
        await self._send_and_wait("garbage", payload, eof=False)

    async def _send_and_wait(self, kind: str, payload: bytes, *, eof: bool) -> None:
        reader, writer = await self._connect(kind)
        try:
            writer.write(payload)
            if eof:
                writer.write_eof()
            await asyncio.wait_for(self._until_closed(reader, kind), CLOSE_WITHIN_S)
        finally:
            writer.transport.abort()

    async def _reset_once(self) -> None:
        _reader, writer = await self._connect("reset")
        sock = writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()
