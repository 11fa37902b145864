"""What every caller of a long run experienced, from Asterisk's AMI, in constant memory per call.

The testbed's `AmiRecorder` keeps every event (about 300 per call) and answers questions by
scanning them all: right for a few calls, too slow and too big for thousands. `CallWatch` reads
the same stream and keeps one small `Seen` per inbound call (keyed by the calling number):
who decided, what the caller heard, the queue, the agent, the AGI steps as Asterisk timed
them, the hangup. Events of other channels are read and dropped.

It can log in again after Asterisk restarted (`reconnect`); the summaries stay.
"""

from __future__ import annotations

import contextlib
import itertools
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from tests.testbed import ami
from tests.testbed.load_priority import lower_this_thread

T = TypeVar("T")

INBOUND_CONTEXT = "pbx-bridge-inbound"
# Only these events can change a summary; the rest (about 40 %) are dropped unparsed.
_WANTED = frozenset(
    {
        b"Newchannel",
        b"VarSet",
        b"Newexten",
        b"QueueCallerJoin",
        b"AgentConnect",
        b"QueueCallerAbandon",
        b"BlindTransfer",
        b"Hangup",
    }
)
_VARIABLES = frozenset(
    {"PBXB_DECIDED_BY", "PBXB_TENANT", "PBXB_ACTION", "PBXB_CONFIG_GENERATION", "PLAYBACKSTATUS"}
)


@dataclass
class AgiStep:
    """One AGI() application on the caller's channel, timed by Asterisk's event Timestamps:
    from its Newexten to the next Newexten of the channel (the dialplan's next step)."""

    target: str  # "daemon" (agi://...) or "fallback" (the process AGI)
    started: float
    ended: float | None = None

    @property
    def seconds(self) -> float | None:
        return None if self.ended is None else self.ended - self.started


@dataclass
class Seen:
    """One inbound call as Asterisk reported it."""

    caller: str
    uniqueid: str
    linkedid: str
    started: float  # Asterisk's Timestamp of the Newchannel
    received: float  # monotonic time the Newchannel arrived here
    variables: dict[str, str] = field(default_factory=dict)
    playbacks: list[tuple[str, str]] = field(default_factory=list)  # (file, PLAYBACKSTATUS)
    agi: list[AgiStep] = field(default_factory=list)
    queue: str | None = None
    answered_by: str | None = None  # queue member interface, e.g. PJSIP/agent7
    abandoned: bool = False
    transferred_to: str | None = None
    hung_up: float | None = None  # monotonic time of the caller channel's Hangup
    ended: float | None = None  # Asterisk's Timestamp of that Hangup
    hangup_cause: str = ""
    first_prompt: float | None = None  # Asterisk's Timestamp of the first Playback

    @property
    def decided_by(self) -> str | None:
        return self.variables.get("PBXB_DECIDED_BY")

    @property
    def heard(self) -> list[str]:
        return [name for name, status in self.playbacks if status == "SUCCESS"]

    @property
    def daemon_step(self) -> AgiStep | None:
        return next((step for step in self.agi if step.target == "daemon"), None)


def _timestamp(headers: dict[str, str]) -> float:
    try:
        return float(headers.get("Timestamp", ""))
    except ValueError:
        return time.time()


class CallWatch:
    """Logs in to AMI, summarises every inbound call, runs actions."""

    def __init__(self, host: str, port: int, user: str, secret: str) -> None:
        self.host, self.port, self.user, self.secret = host, port, user, secret
        self.calls: dict[str, Seen] = {}  # by calling number
        self.events = 0
        self.on_agent_connect: Callable[[Seen], None] | None = None
        self._channels: dict[str, Seen] = {}  # caller channel Uniqueid -> its call
        self._responses: dict[str, dict[str, str]] = {}
        self._cond = threading.Condition()
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._ids = itertools.count(1)
        self._connected = False

    # ---- connection ------------------------------------------------------------------------

    def connect(self, timeout: float = 10) -> None:
        sock = ami.open_session(self.host, self.port, timeout)
        with self._cond:
            self._sock = sock
            self._connected = True
        self._thread = threading.Thread(target=self._read, args=(sock,), daemon=True)
        self._thread.start()
        reply = self.action("Login", Username=self.user, Secret=self.secret, Events="on")
        if reply.get("Response") != "Success":
            raise ami.AmiError(f"AMI login failed: {reply}")

    def reconnect(self, timeout: float = 30) -> None:
        """Log in again (Asterisk restarted); retries until `timeout`."""
        self.close()
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.connect()
                return
            except (OSError, ami.AmiError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def close(self) -> None:
        with self._cond:
            sock, self._sock = self._sock, None
            self._connected = False
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.sendall(b"Action: Logoff\r\n\r\n")
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    def action(self, name: str, timeout: float = 10, **fields: str) -> dict[str, str]:
        """Send an action and return its (first) response."""
        action_id = f"watch-{next(self._ids)}"
        lines = [f"Action: {name}", f"ActionID: {action_id}"]
        lines += [f"{key}: {value}" for key, value in fields.items()]
        with self._cond:
            sock = self._sock
        if sock is None:
            raise ami.AmiError("not connected")
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        with self._cond:
            if not self._cond.wait_for(
                lambda: action_id in self._responses or not self._connected, timeout
            ):
                raise ami.AmiError(f"no response to {name} within {timeout}s")
            if action_id not in self._responses:
                raise ami.AmiError(f"AMI closed while waiting for {name}")
            return self._responses.pop(action_id)

    # ---- reading ---------------------------------------------------------------------------

    def _read(self, sock: socket.socket) -> None:
        lower_this_thread()
        for messages in ami.message_batches(sock, 262144):
            with self._cond:
                for raw in messages:
                    self._dispatch(raw)
                self._cond.notify_all()
        with self._cond:
            if self._sock is sock or self._sock is None:
                self._connected = False
            self._cond.notify_all()

    def _dispatch(self, raw: bytes) -> None:
        if raw.startswith(b"Event: "):
            self.events += 1
            name = raw[7 : raw.find(b"\r\n")] if b"\r\n" in raw else raw[7:]
            if name in _WANTED:
                self._event(name.decode(), ami.parse_message(raw))
        elif b"ActionID: " in raw:
            message = ami.parse_message(raw)
            self._responses[message.get("ActionID", "")] = message

    def _event(self, name: str, e: dict[str, str]) -> None:
        uniqueid = e.get("Uniqueid", "")
        if name == "Newchannel":
            if e.get("Context") == INBOUND_CONTEXT and uniqueid == e.get("Linkedid"):
                caller = e.get("CallerIDNum", "")
                call = Seen(caller, uniqueid, uniqueid, _timestamp(e), time.monotonic())
                self.calls.setdefault(caller, call)
                self._channels[uniqueid] = call
            return
        if name == "BlindTransfer":
            transferred = self._channels.get(e.get("TransfereeUniqueid", ""))
            if transferred is not None:
                transferred.transferred_to = e.get("Extension")
            return
        seen = self._channels.get(uniqueid)
        if seen is None:
            return
        if name == "VarSet":
            variable = e.get("Variable", "")
            if variable in _VARIABLES:
                value = e.get("Value", "")
                seen.variables[variable] = value
                if variable == "PLAYBACKSTATUS" and seen.playbacks:
                    file, _ = seen.playbacks[-1]
                    seen.playbacks[-1] = (file, value)
        elif name == "Newexten":
            self._newexten(seen, e)
        elif name == "QueueCallerJoin":
            seen.queue = seen.queue or e.get("Queue")
        elif name == "AgentConnect":
            if seen.answered_by is None:
                seen.answered_by = e.get("Interface")
                if self.on_agent_connect is not None:
                    self.on_agent_connect(seen)
        elif name == "QueueCallerAbandon":
            seen.abandoned = True
        elif name == "Hangup":
            seen.hung_up = time.monotonic()
            seen.ended = _timestamp(e)
            seen.hangup_cause = e.get("Cause-txt", "")
            del self._channels[uniqueid]

    @staticmethod
    def _newexten(seen: Seen, e: dict[str, str]) -> None:
        at = _timestamp(e)
        if seen.agi and seen.agi[-1].ended is None:
            seen.agi[-1].ended = at
        application = e.get("Application", "")
        if application == "AGI":
            data = e.get("AppData", "")
            seen.agi.append(AgiStep("daemon" if data.startswith("agi://") else "fallback", at))
        elif application == "Playback":
            seen.playbacks.append((e.get("AppData", ""), ""))
            if seen.first_prompt is None:
                seen.first_prompt = at

    # ---- waiting ---------------------------------------------------------------------------

    def wait_until(self, check: Callable[[], T | None], timeout: float, what: str) -> T:
        """Re-run `check` (under the watch's lock) whenever events arrive."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                result = check()
                if result is not None:
                    return result
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f"AMI: {what} not seen within {timeout:g}s")
                self._cond.wait(min(remaining, 0.5))

    def ended(self, callers: list[str], timeout: float) -> list[Seen]:
        """The summaries of `callers` once each has reached Asterisk and hung up."""

        def done() -> list[Seen] | None:
            found = [self.calls.get(c) for c in callers]
            if all(s is not None and s.hung_up is not None for s in found):
                return [s for s in found if s is not None]
            return None

        return self.wait_until(done, timeout, f"end of {len(callers)} call(s)")

    def snapshot(self, callers: list[str]) -> dict[str, Seen | None]:
        with self._cond:
            return {c: self.calls.get(c) for c in callers}
