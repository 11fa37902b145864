"""The supervisor's phone dialog (*84): PIN, target, close or open, and what was done.

1. "PIN, then #": up to three tries per call; the PIN is compared with the scrypt hash of
   bridge.yaml and never logged, set on the channel or shown in the dialplan.
2. "Which number, then #": a tenant's number in any notation (its digits), or 0 for the
   whole center.
3. "1 to close, 2 to open."
4. The caller hears the tenant's greeting (or the center's) and "is closed now" / "is open
   now"; PBXB_SUPERVISOR_RESULT tells the dialplan (and the call log) the outcome.

One flow for the daemon (FastAGI) and the failsafe process AGI: each passes its own
`DialogIO`. The closure is written like `pbx-bridge close` writes it (store.change_closures),
with who = "phone:<extension>".
"""

from __future__ import annotations

import collections
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Protocol, TypeVar

import structlog

from pbx_bridge.closures.pin import verify_pin
from pbx_bridge.closures.store import change_closures, close, reopen
from pbx_bridge.core.closures import WHOLE_CENTER, Closure
from pbx_bridge.core.numbers import try_normalise
from pbx_bridge.core.tenants import TenantDirectory

log = structlog.get_logger("pbx_bridge.supervisor")

T = TypeVar("T")

PROMPT_PIN = "pbx-bridge/supervisor-pin"
PROMPT_TARGET = "pbx-bridge/supervisor-target"
PROMPT_ACTION = "pbx-bridge/supervisor-action"
PROMPT_CLOSED = "pbx-bridge/supervisor-closed"
PROMPT_OPENED = "pbx-bridge/supervisor-opened"
PROMPT_DENIED = "pbx-bridge/supervisor-denied"
PROMPT_UNKNOWN = "pbx-bridge/supervisor-unknown"
PROMPT_FAILED = "pbx-bridge/supervisor-failed"
# What each says; `sounds/de/supervisor-*.wav` are these texts (espeak-ng), to be re-recorded.
PROMPT_TEXTS = {
    PROMPT_PIN: "Bitte geben Sie Ihre PIN ein und drücken Sie die Raute-Taste.",
    PROMPT_TARGET: "Bitte geben Sie die Rufnummer der Kommune ein, oder die Null für das "
    "ganze Service Center, und drücken Sie die Raute-Taste.",
    PROMPT_ACTION: "Drücken Sie die Eins zum Schließen, die Zwei zum Öffnen.",
    PROMPT_CLOSED: "ist jetzt geschlossen.",
    PROMPT_OPENED: "ist jetzt geöffnet.",
    PROMPT_DENIED: "Die PIN ist falsch.",
    PROMPT_UNKNOWN: "Diese Rufnummer ist nicht bekannt.",
    PROMPT_FAILED: "Das hat leider nicht geklappt. Bitte versuchen Sie es später noch einmal.",
}
TRIES = 3
PIN_DIGITS, TARGET_DIGITS = 12, 20
DIGIT_TIMEOUT_MS = 6000


class DialogIO(Protocol):
    async def ask(self, prompt: str, max_digits: int, timeout_ms: int) -> str | None:
        """Play `prompt`, collect digits up to # (None: the caller hung up)."""
        ...

    async def play(self, prompt: str) -> None: ...

    async def set_result(self, result: str) -> None: ...

    async def blocking(self, work: Callable[[], T]) -> T:
        """Run CPU or disk work (scrypt, the closures file) off the caller's event loop."""
        ...


@dataclass
class PinGuard:
    """At most `limit` wrong PINs per `window` over all calls; then no PIN is accepted until
    the window has passed (a phone cannot try 10,000 PINs)."""

    limit: int = 10
    window: timedelta = timedelta(minutes=15)
    _failures: collections.deque[datetime] = field(default_factory=collections.deque)

    def allowed(self, now: datetime) -> bool:
        while self._failures and now - self._failures[0] > self.window:
            self._failures.popleft()
        return len(self._failures) < self.limit

    def failed(self, now: datetime) -> None:
        self._failures.append(now)


@dataclass(frozen=True)
class Desk:
    """What the dialog works with."""

    pin_hash: str | None
    reason: str
    announcement: str | None
    directory: TenantDirectory
    state_dir: Path
    by: str  # "phone:<extension>"
    now: Callable[[], datetime]
    guard: PinGuard


def target_scope(digits: str, directory: TenantDirectory) -> str | None:
    """WHOLE_CENTER for 0, the id of the tenant whose number the digits are, else None."""
    if digits == "0":
        return WHOLE_CENTER
    owner = directory.owner_of(try_normalise(digits, directory.center.country))
    return owner.tenant.id if owner is not None else None


async def run_dialog(io: DialogIO, desk: Desk) -> str:
    """The whole dialog; returns the result it set on the channel.

    The result is set before the phone hears what was done: a prompt that cannot be played
    must not leave the dialplan believing the daemon never answered (it would ask the
    failsafe to run the dialog again).
    """
    result, then_play = await _dialog(io, desk)
    await io.set_result(result)
    log.info("supervisor_dialog", result=result, by=desk.by)
    for prompt in then_play:
        await io.play(prompt)
    return result


async def _dialog(io: DialogIO, desk: Desk) -> tuple[str, list[str]]:
    """The result, and the prompts that tell the phone what was done."""
    if desk.pin_hash is None:
        return "not-configured", [PROMPT_FAILED]
    verdict = await _pin(io, desk, desk.pin_hash)
    if verdict != "ok":
        return verdict, []
    scope = await _target(io, desk)
    if scope is None:
        return "unknown-target", []
    action = await _action(io)
    if action is None:
        return "no-action", []
    try:
        changed = await io.blocking(lambda: _apply(desk, scope, action))
    except Exception as exc:  # the phone hears that it failed; the cause goes to the log
        log.error("supervisor_change_failed", by=desk.by, scope=scope, error=str(exc))
        return "failed", [PROMPT_FAILED]
    log.warning(
        "supervisor_closure_changed", by=desk.by, scope=scope, action=action, changed=changed
    )
    done = PROMPT_CLOSED if action == "close" else PROMPT_OPENED
    return ("closed" if action == "close" else "opened"), [_greeting(desk, scope), done]


async def _pin(io: DialogIO, desk: Desk, pin_hash: str) -> str:
    for _ in range(TRIES):
        if not desk.guard.allowed(desk.now()):
            log.warning("supervisor_pin_locked", by=desk.by)
            await io.play(PROMPT_DENIED)
            return "locked"
        entered = await io.ask(PROMPT_PIN, PIN_DIGITS, DIGIT_TIMEOUT_MS)
        if entered is None:
            return "gone"
        if await io.blocking(functools.partial(verify_pin, entered, pin_hash)):
            return "ok"
        desk.guard.failed(desk.now())
        log.warning("supervisor_pin_wrong", by=desk.by)  # never the digits
        await io.play(PROMPT_DENIED)
    return "denied"


async def _target(io: DialogIO, desk: Desk) -> str | None:
    for _ in range(TRIES):
        digits = await io.ask(PROMPT_TARGET, TARGET_DIGITS, DIGIT_TIMEOUT_MS)
        if digits is None:
            return None
        scope = target_scope(digits, desk.directory) if digits else None
        if scope is not None:
            return scope
        await io.play(PROMPT_UNKNOWN)
    return None


async def _action(io: DialogIO) -> str | None:
    for _ in range(TRIES):
        digit = await io.ask(PROMPT_ACTION, 1, DIGIT_TIMEOUT_MS)
        if digit is None:
            return None
        if digit in ("1", "2"):
            return "close" if digit == "1" else "open"
    return None


def _apply(desk: Desk, scope: str, action: str) -> bool:
    now = desk.now()
    if action == "close":
        template = Closure(WHOLE_CENTER, desk.reason, now, None, desk.announcement, desk.by)
        changes = change_closures(desk.state_dir, now, lambda c: close(c, [scope], template))
    else:
        scopes = None if scope == WHOLE_CENTER else [scope]
        changes = change_closures(desk.state_dir, now, lambda c: reopen(c, scopes, desk.by, now))
    return bool(changes)


def _greeting(desk: Desk, scope: str) -> str:
    tenant = desk.directory.tenant(scope)
    name = tenant.greeting if tenant is not None else desk.directory.center.unrouted_greeting
    return f"pbx-bridge/{name}"
