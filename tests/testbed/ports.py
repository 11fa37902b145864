"""Free loopback ports for Asterisk, SIPp and the daemon.

Ports come from 20000-32749: below Linux's ephemeral range (32768-60999), from which the
kernel picks every connection's source port and every bind to port 0, and above the testbed
Asterisks' RTP range (10000-19999, templates/rtp.conf). Each process of a test run has a block
of its own (pytest-xdist worker gwN the N-th, any other process the last), so two workers
never hand out the same port, and within a process no port is handed out twice until its
block is used up. Each port is checked free for both UDP and TCP, and so is port + 2 (SIPp
binds its RTP echo port and that port + 2).
"""

from __future__ import annotations

import os
import socket
import threading

HOST = "127.0.0.1"
FIRST_PORT = 20000
BLOCK = 2550
BLOCKS = 5  # 20000-32749

_lock = threading.Lock()
_handed_out: set[int] = set()
_cursor: list[int] = []


def _free(port: int, kind: socket.SocketKind) -> bool:
    with socket.socket(socket.AF_INET, kind) as sock:
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def block_of(worker: str) -> range:
    """The ports of a process: `worker` is PYTEST_XDIST_WORKER ('gw0', ...), or '' outside."""
    number = worker[2:]
    index = int(number) if worker.startswith("gw") and number.isdigit() else BLOCKS - 1
    start = FIRST_PORT + min(index, BLOCKS - 1) * BLOCK
    return range(start, start + BLOCK - 2)


def free_port() -> int:
    """A port free for TCP and UDP on 127.0.0.1 (and port + 2 too)."""
    block = block_of(os.environ.get("PYTEST_XDIST_WORKER", ""))
    with _lock:
        if not _cursor:
            _cursor.append(block.start)
        for _ in range(2 * len(block)):
            port = _cursor[0]
            _cursor[0] = port + 3 if port + 3 in block else block.start
            if _cursor[0] == block.start:
                _handed_out.clear()  # a whole block later, those ports are long closed
            candidates = (port, port + 1, port + 2)
            if any(p in _handed_out for p in candidates):
                continue
            if all(
                _free(p, kind)
                for p in candidates
                for kind in (socket.SOCK_STREAM, socket.SOCK_DGRAM)
            ):
                _handed_out.update(candidates)
                return port
    raise RuntimeError(f"no free loopback port in {block.start}-{block.stop + 1}")
