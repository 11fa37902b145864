"""`pbx-bridge web` as a process of its own, for the browser tests and `make demo`."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import yaml

from tests.testbed.ports import free_port


def listen_on_free_port(config: Path) -> str:
    """Give bridge.yaml a `web.listen` on a free loopback port; returns the console's URL."""
    bridge = yaml.safe_load(config.read_text(encoding="utf-8"))
    port = free_port()
    bridge["web"] = {"listen": f"127.0.0.1:{port}"}
    config.write_text(yaml.safe_dump(bridge, allow_unicode=True), "utf-8")
    return f"http://127.0.0.1:{port}"


def add_user(config: Path, name: str, password: str, role: str, *tenants: str) -> None:
    command = [sys.executable, "-m", "pbx_bridge", "user", "add", name, "--role", role]
    for tenant in tenants:
        command += ["--tenant", tenant]
    subprocess.run(
        [*command, "--password-stdin", "--config", str(config)],
        input=password + "\n", text=True, check=True, capture_output=True, timeout=60,
    )  # fmt: skip


@contextmanager
def web_console(config: Path, url: str, log: Path) -> Iterator[subprocess.Popen[bytes]]:
    """Run `pbx-bridge web --config CONFIG` until the block ends; waits until it answers."""
    command = [sys.executable, "-m", "pbx_bridge", "web", "--config", str(config)]
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
        try:
            _wait_until_up(url + "/login", process)
            yield process
        finally:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)


def _wait_until_up(url: str, process: subprocess.Popen[bytes], timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"pbx-bridge web exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"pbx-bridge web did not answer at {url}")
