"""Free loopback ports for Asterisk, SIPp and the daemon.

Ports come from the kernel (bind to port 0) and are never handed out twice in one process, so
several Asterisks and SIPps in one test session do not collide. Each port is checked free for
both UDP and TCP, and so is port + 2 (SIPp binds its RTP echo port and that port + 2).
"""

from __future__ import annotations

import socket
import threading

HOST = "127.0.0.1"

_lock = threading.Lock()
_handed_out: set[int] = set()


def _free(port: int, kind: socket.SocketKind) -> bool:
    with socket.socket(socket.AF_INET, kind) as sock:
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def _kernel_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def free_port() -> int:
    """A port free for TCP and UDP on 127.0.0.1 (and port + 2 too)."""
    with _lock:
        for _ in range(200):
            port = _kernel_port()
            candidates = (port, port + 1, port + 2)
            if any(p in _handed_out or p > 65535 for p in candidates):
                continue
            if all(
                _free(p, kind)
                for p in candidates
                for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM)
            ):
                _handed_out.update(candidates)
                return port
    raise RuntimeError("no free loopback port found")
