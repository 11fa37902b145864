"""The pbx-bridge daemon as a subprocess: `pbx-bridge run --config …`, ready when its port
accepts connections."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

VENV_BIN = Path(sys.prefix) / "bin"
DAEMON = VENV_BIN / "pbx-bridge"
FALLBACK_AGI = VENV_BIN / "pbx-bridge-fallback-agi"


class DaemonError(RuntimeError):
    pass


def port_accepts(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


class Daemon:
    def __init__(self, config: Path, port: int, log: Path) -> None:
        self.config = config
        self.port = port
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def log_files(self) -> list[tuple[str, Path]]:
        return [(f"pbx-bridge daemon ({self.log})", self.log)]

    def start(self, timeout: float = 20) -> None:
        if not DAEMON.exists():
            raise DaemonError(f"{DAEMON} does not exist (is the project installed in the venv?)")
        if port_accepts(self.port):
            raise DaemonError(f"port {self.port} is taken before the daemon started")
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [str(DAEMON), "run", "--config", str(self.config)],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code = self.process.returncode
                self.process = None
                raise DaemonError(f"pbx-bridge run exited with {code}; log: {self.log}")
            if port_accepts(self.port):
                return
            time.sleep(0.05)
        self.stop()
        raise DaemonError(f"pbx-bridge run did not listen on {self.port} within {timeout:.0f}s")

    def stop(self, timeout: float = 10) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            try:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + timeout
        while port_accepts(self.port) and time.monotonic() < deadline:
            time.sleep(0.05)
