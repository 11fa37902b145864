"""A small asyncio HTTP endpoint for /metrics, with a peer allowlist.

prometheus_client's own server runs a thread per request and cannot refuse
peers; this one lives on the daemon's loop, answers GET /metrics only, and
bounds what a peer may send and how long it may take.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable

import structlog
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from pbx_bridge.metrics.registry import Metrics
from pbx_bridge.net import PeerFilter

log = structlog.get_logger("pbx_bridge.metrics")

_MAX_REQUEST = 8192


class MetricsEndpoint:
    def __init__(
        self, metrics: Metrics, peers: PeerFilter, health: Callable[[], bool] | None = None
    ) -> None:
        self._metrics = metrics
        self._peers = peers
        self._health = health or (lambda: True)
        self._server: asyncio.Server | None = None

    async def start(self, host: str, port: int) -> tuple[str, int]:
        self._server = await asyncio.start_server(self._serve, host, port, limit=_MAX_REQUEST)
        sock = self._server.sockets[0].getsockname()
        log.info("metrics_listening", host=sock[0], port=sock[1])
        return str(sock[0]), int(sock[1])

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 1.0)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            peer = writer.get_extra_info("peername")
            if not self._peers.allows(peer[0] if peer else ""):
                self._metrics.metrics_refused.inc()
                return
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5.0)
            method, _, rest = head.decode("latin-1").partition(" ")
            path = rest.split(" ", 1)[0]
            if method != "GET":
                await self._respond(writer, 405, b"only GET\n", "text/plain")
            elif path.split("?")[0] == "/metrics":
                body = generate_latest(self._metrics.registry)
                await self._respond(writer, 200, body, CONTENT_TYPE_LATEST)
            elif path == "/health":
                ok = self._health()
                await self._respond(writer, 200 if ok else 503, b"ok\n" if ok else b"unhealthy\n")
            else:
                await self._respond(writer, 404, b"try /metrics\n", "text/plain")
        except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        except ConnectionError:
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(writer.wait_closed(), 1.0)

    @staticmethod
    async def _respond(
        writer: asyncio.StreamWriter, status: int, body: bytes, kind: str = "text/plain"
    ) -> None:
        reason = {200: "OK", 404: "Not Found", 405: "Method Not Allowed", 503: "Unavailable"}
        head = (
            f"HTTP/1.1 {status} {reason.get(status, '')}\r\nContent-Type: {kind}\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        )
        writer.write(head.encode("latin-1") + body)
        await asyncio.wait_for(writer.drain(), 5.0)
