"""sd_notify(3) without libsystemd: a datagram to $NOTIFY_SOCKET, a no-op elsewhere.

The protocol is a few lines of text; python-systemd would need libsystemd's
headers to build, which a plain `pip install` on a server does not have.
"""

from __future__ import annotations

import os
import socket
import time


class SystemdNotifier:
    def __init__(self, address: str | None = None) -> None:
        raw = os.environ.get("NOTIFY_SOCKET", "") if address is None else address
        # A leading '@' is an abstract socket: a NUL byte in the address.
        self._address = "\0" + raw[1:] if raw.startswith("@") else raw
        usec = os.environ.get("WATCHDOG_USEC", "")
        self.watchdog_interval = int(usec) / 1e6 / 2 if usec.isdigit() and int(usec) else None

    def send(self, *lines: str) -> bool:
        if not self._address:
            return False
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            try:
                sock.sendto("\n".join(lines).encode(), self._address)
            except OSError:
                return False
        return True

    def ready(self, status: str) -> None:
        self.send("READY=1", f"STATUS={status}")

    def reloading(self) -> None:
        self.send("RELOADING=1", f"MONOTONIC_USEC={time.monotonic_ns() // 1000}")

    def status(self, status: str) -> None:
        self.send(f"STATUS={status}")

    def watchdog(self) -> None:
        self.send("WATCHDOG=1")

    def stopping(self) -> None:
        self.send("STOPPING=1")
