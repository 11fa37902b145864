"""The `supervisor` AGI script: the *84 dialog (closures/supervisor_dialog.py) over FastAGI."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from pbx_bridge import channel_vars as cv
from pbx_bridge.agi.protocol import AgiChannel
from pbx_bridge.closures.supervisor_dialog import Desk, PinGuard, run_dialog
from pbx_bridge.config.loader import BridgeConfig

T = TypeVar("T")

# A person types: per digit up to DIGIT_TIMEOUT_MS, after a prompt of some seconds.
ASK_TIMEOUT_S = 120.0
PLAY_TIMEOUT_S = 60.0
SESSION_TIMEOUT_S = 600.0  # the whole dialog, at most
FALLBACK_PROMPT = "beep"  # Asterisk's own; played when a prompt file is missing


def caller_of(env: dict[str, str]) -> str:
    """Who closes by phone, for the audit: the calling extension."""
    extension = env.get("agi_callerid") or ""
    if not extension or extension in ("unknown", "anonymous"):
        extension = env.get("agi_channel", "?")
    return f"phone:{extension}"


class FastAgiDialog:
    def __init__(self, channel: AgiChannel) -> None:
        self._channel = channel

    async def ask(self, prompt: str, max_digits: int, timeout_ms: int) -> str | None:
        reply = await self._channel.command(
            f"GET DATA {prompt} {timeout_ms} {max_digits}", timeout=ASK_TIMEOUT_S
        )
        if reply.result == "-1":
            return None
        return reply.result if reply.result.isdigit() else ""

    async def play(self, prompt: str) -> None:
        reply = await self._channel.command(f'STREAM FILE {prompt} ""', timeout=PLAY_TIMEOUT_S)
        if reply.result == "-1" and not self._channel.hung_up:
            await self._channel.command(f'STREAM FILE {FALLBACK_PROMPT} ""', timeout=10.0)

    async def set_result(self, result: str) -> None:
        await self._channel.set_variable(cv.SUPERVISOR_RESULT, result)

    async def blocking(self, work: Callable[[], T]) -> T:
        return await asyncio.to_thread(work)


def desk_for(
    config: BridgeConfig, *, by: str, now: Callable[[], datetime], guard: PinGuard
) -> Desk:
    """The dialog's desk from the configuration (no `supervisor:` section: no PIN is right)."""
    settings = config.supervisor
    return Desk(
        pin_hash=settings.pin_hash if settings else None,
        reason=settings.reason if settings else "",
        announcement=settings.announcement if settings else None,
        directory=config.directory,
        state_dir=config.state_dir,
        by=by,
        now=now,
        guard=guard,
    )


class SupervisorHandler:
    def __init__(
        self, current_config: Callable[[], BridgeConfig], clock: Callable[[], datetime]
    ) -> None:
        self._current_config = current_config
        self._clock = clock
        self._guard = PinGuard()  # wrong PINs over all calls to the daemon

    async def __call__(self, env: dict[str, str], channel: AgiChannel) -> None:
        desk = desk_for(
            self._current_config(), by=caller_of(env), now=self._clock, guard=self._guard
        )
        await run_dialog(FastAgiDialog(channel), desk)
