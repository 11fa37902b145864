"""A scripted FastAGI peer that sets fixed channel variables: tests the dialplan without the daemon.

It stands where the daemon would (same port) and answers every request with the same
`SET VARIABLE` commands, so a test can hand the dialplan any decision, including broken ones.
"""

from __future__ import annotations

import socket
import socketserver
import threading
from collections.abc import Mapping


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def handle(self) -> None:
        env: dict[str, str] = {}
        while True:
            line = self.rfile.readline(4096).decode("utf-8", errors="replace").strip()
            if not line:
                break
            key, _, value = line.partition(":")
            env[key.strip()] = value.strip()
        self.server.requests.append(env)
        for name, value in self.server.variables.items():
            escaped = value.replace("\\", "\\\\").replace('"', '\\"')
            self.wfile.write(f'SET VARIABLE {name} "{escaped}"\n'.encode())
            if not self.rfile.readline(4096).startswith(b"200"):
                return  # hung up


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, port: int, variables: Mapping[str, str]) -> None:
        super().__init__(("127.0.0.1", port), _Handler)
        self.variables = dict(variables)
        self.requests: list[dict[str, str]] = []


class StubAgi:
    def __init__(self, port: int, variables: Mapping[str, str]) -> None:
        self._server = _Server(port, variables)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def requests(self) -> list[dict[str, str]]:
        """AGI environment of every request received (agi_extension, agi_arg_1, ...)."""
        return self._server.requests

    def __enter__(self) -> StubAgi:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)


class SlowAgi:
    """A FastAGI peer that reads the request and never decides (a daemon stuck in a call).

    It closes the connection when Asterisk sends its out-of-band `HANGUP` line, as a live
    daemon does. (A peer that never closes would hold the call: FastAGI has no timeout.)
    """

    def __init__(self, port: int) -> None:
        self._sock = socket.create_server(("127.0.0.1", port))
        self._sock.settimeout(0.2)
        self.hangups_seen = 0
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            self.connections += 1
            threading.Thread(target=self._hold, args=(conn,), daemon=True).start()

    def _hold(self, conn: socket.socket) -> None:
        with conn, conn.makefile("rb") as lines:
            for line in lines:
                if line.strip() == b"HANGUP":
                    self.hangups_seen += 1
                    return

    def __enter__(self) -> SlowAgi:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        self._sock.close()
