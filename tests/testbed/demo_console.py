"""The console part of `make demo`: `pbx-bridge web` on the demo's call log, with a login."""

from __future__ import annotations

import sys
from pathlib import Path

from tests.testbed.web_console import add_user, listen_on_free_port, web_console

DEMO_USER = "demo"
DEMO_PASSWORD = "pbx-bridge-demo"  # a throwaway account in a throwaway database


def show_console(config: Path, run_dir: Path) -> int:
    """Start the console, print its address and the demo login; hold it while asked to."""
    url = listen_on_free_port(config)
    add_user(config, DEMO_USER, DEMO_PASSWORD, "center")
    try:
        with web_console(config, url, run_dir / "web.log"):
            print(f"\nweb console: {url}/  (login: {DEMO_USER} / {DEMO_PASSWORD})")
            if sys.stdin.isatty():
                input("press Enter to stop the demo ")
    except RuntimeError as error:
        print(f"FAIL web console: {error} (log: {run_dir / 'web.log'})")
        return 1
    return 0
