"""The *84 dialog in the failsafe process AGI (pyst2), for when the daemon does not answer.

The same dialog as the daemon's (closures/supervisor_dialog.py); pyst2 is synchronous, so
each step simply blocks this one-call process. Wrong PINs are limited to three per call
here: the process keeps no memory between calls.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import structlog

from pbx_bridge import channel_vars as cv
from pbx_bridge.agi.supervisor_handler import FALLBACK_PROMPT, caller_of, desk_for
from pbx_bridge.closures.supervisor_dialog import PinGuard, run_dialog
from pbx_bridge.config.loader import BridgeConfig

T = TypeVar("T")

# The dialplan runs the failsafe for *84 from this context only (a Gosub target no inbound
# call can reach), and names the dialog in the first argument.
SUPERVISOR_CONTEXT = "pbx-bridge-supervisor-run"


def is_supervisor_call(env: dict[str, str], first_argument: str | None) -> bool:
    return first_argument == cv.SUPERVISOR_SCRIPT and env.get("agi_context") == SUPERVISOR_CONTEXT


class Pyst2Dialog:
    def __init__(self, agi: Any) -> None:
        self._agi = agi

    def _execute(self, *command: object) -> str:
        from asterisk.agi import AGIAppError, AGIHangup  # noqa: PLC0415 - pyst2 only here

        try:
            result: str = self._agi.execute(*command)["result"][0]
        except AGIHangup:
            return "hangup"
        except AGIAppError:
            return "-1"
        return result

    async def ask(self, prompt: str, max_digits: int, timeout_ms: int) -> str | None:
        result = self._execute("GET DATA", prompt, timeout_ms, max_digits)
        if result in ("-1", "hangup"):
            return None
        return result if result.isdigit() else ""

    async def play(self, prompt: str) -> None:
        if self._execute("STREAM FILE", prompt, '""', 0) == "-1":
            self._execute("STREAM FILE", FALLBACK_PROMPT, '""', 0)

    async def set_result(self, result: str) -> None:
        self._execute("SET VARIABLE", cv.SUPERVISOR_RESULT, result)

    async def blocking(self, work: Callable[[], T]) -> T:
        return work()


def run_supervisor(agi: Any, config: BridgeConfig) -> str:
    # stdout is the AGI channel to Asterisk: the dialog's log lines go to stderr.
    structlog.configure(logger_factory=structlog.PrintLoggerFactory(file=sys.stderr))
    zone = config.directory.center.timezone
    desk = desk_for(
        config, by=caller_of(dict(agi.env)), now=lambda: datetime.now(zone), guard=PinGuard()
    )
    return asyncio.run(run_dialog(Pyst2Dialog(agi), desk))
