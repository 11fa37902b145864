"""When Asterisk took each step of a benchmark call, from its own AMI event timestamps
(`timestampevents = yes`): Newchannel (the INVITE arrived), the first AGI or GotoIfTime step,
the VarSet that sets PBXB_ACTION (the decision), Answer(), the first Playback. `AmiWatch` asks
Asterisk for only those events (advanced AMI filters) and keeps them."""

from __future__ import annotations

import contextlib
import itertools
import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass

from tests.testbed.load_priority import lower_this_thread

# Advanced AMI filters (Asterisk 21+): everything else is never sent to this session.
_FILTERS = (
    ("name(Newchannel)", ""),
    ("name(Hangup)", ""),
    ("name(Newexten),header(Application),method(regex)", "^(AGI|GotoIfTime|Answer|Playback)$"),
    ("name(VarSet),header(Variable),method(regex)", "^(PBXB_ACTION|PBXB_DECIDED_BY)$"),
)


@dataclass
class CallTiming:
    """One inbound call as Asterisk timed it (seconds since the epoch, Asterisk's clock)."""

    uniqueid: str
    channel: str
    created: float
    decide_start: float | None = None  # first AGI (or GotoIfTime) step
    decided: float | None = None  # PBXB_ACTION set to a decision
    action: str = ""
    decided_by: str = ""
    answer: float | None = None  # the Answer() step (right after the decision, in all setups)
    greeting: float | None = None  # first Playback step
    hung_up: bool = False

    @property
    def setup(self) -> str:
        """'fastagi' from 'PJSIP/bench-fastagi-0000001a'."""
        endpoint = self.channel.partition("/")[2].rpartition("-")[0]
        return endpoint.removeprefix("bench-")

    @property
    def decision_s(self) -> float | None:
        if self.decide_start is None or self.decided is None:
            return None
        return self.decided - self.decide_start

    @property
    def to_answer_s(self) -> float | None:
        return None if self.answer is None else self.answer - self.created

    @property
    def to_greeting_s(self) -> float | None:
        return None if self.greeting is None else self.greeting - self.created


class AmiWatch:
    """Logs in to AMI, asks for only the timing events, keeps them as (index-able) tuples."""

    def __init__(
        self, host: str, port: int, user: str, secret: str, *, filtered: bool = True
    ) -> None:
        self._sock = socket.create_connection((host, port), timeout=10)
        self._lock = threading.Condition()
        self._events: list[dict[str, str]] = []
        self._responses: dict[str, dict[str, str]] = {}
        self._ids = itertools.count(1)
        self._closed = False
        banner = b""
        while not banner.endswith(b"\r\n"):
            chunk = self._sock.recv(1)
            if not chunk:
                raise ConnectionError("AMI closed before its banner")
            banner += chunk
        self._sock.settimeout(None)
        self._thread = threading.Thread(target=self._read, name="ami-watch", daemon=True)
        self._thread.start()
        reply = self.action("Login", {"Username": user, "Secret": secret, "Events": "on"})
        if reply.get("Response") != "Success":
            raise ConnectionError(f"AMI login failed: {reply}")
        for criteria, expression in _FILTERS if filtered else ():
            fields = {"Operation": "Add", "MatchCriteria": criteria}
            if expression:
                fields["Filter"] = expression
            reply = self.action("Filter", fields)
            if reply.get("Response") != "Success":
                raise ConnectionError(f"AMI filter {criteria} refused: {reply}")

    def action(self, name: str, fields: Mapping[str, str], timeout: float = 10) -> dict[str, str]:
        action_id = f"bench-{next(self._ids)}"
        lines = [f"Action: {name}", f"ActionID: {action_id}"]
        lines += [f"{k}: {v}" for k, v in fields.items()]
        self._sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        with self._lock:
            if not self._lock.wait_for(
                lambda: action_id in self._responses or self._closed, timeout
            ):
                raise TimeoutError(f"no AMI response to {name}")
            return self._responses.pop(action_id, {})

    def _read(self) -> None:
        lower_this_thread()
        buffer = b""
        while True:
            try:
                chunk = self._sock.recv(262144)
            except OSError:
                chunk = b""
            if not chunk:
                break
            buffer += chunk
            parts = buffer.split(b"\r\n\r\n")
            buffer = parts.pop()
            parsed = [_parse(raw) for raw in parts]
            with self._lock:
                for message in parsed:
                    if "Event" in message:
                        self._events.append(message)
                    elif "ActionID" in message:
                        self._responses[message["ActionID"]] = message
                self._lock.notify_all()
        with self._lock:
            self._closed = True
            self._lock.notify_all()

    def mark(self) -> int:
        """Index of the next event: calls placed after this are read with `calls(mark)`."""
        with self._lock:
            return len(self._events)

    def calls(self, since: int = 0) -> list[CallTiming]:
        """The benchmark's inbound calls whose channel was created after `since`."""
        with self._lock:
            events = self._events[since:]
        found: dict[str, CallTiming] = {}
        for event in events:
            kind, uid = event.get("Event"), event.get("Uniqueid", "")
            stamp = float(event.get("Timestamp", "nan"))
            if kind == "Newchannel":
                if event.get("Channel", "").startswith("PJSIP/bench-"):
                    found[uid] = CallTiming(uid, event["Channel"], stamp)
                continue
            call = found.get(uid)
            if call is None:
                continue
            if kind == "Newexten":
                app = event.get("Application")
                if app in ("AGI", "GotoIfTime") and call.decide_start is None:
                    call.decide_start = stamp
                elif app == "Answer" and call.answer is None:
                    call.answer = stamp
                elif app == "Playback" and call.greeting is None:
                    call.greeting = stamp
            elif kind == "VarSet":
                value = event.get("Value", "")
                if event.get("Variable") == "PBXB_DECIDED_BY":
                    call.decided_by = value
                elif value and call.decided is None:
                    call.decided, call.action = stamp, value
            elif kind == "Hangup":
                call.hung_up = True
        return list(found.values())

    def events_per_call(self, since: int = 0) -> dict[str, float]:
        """Mean number of AMI events per benchmark call by setup (events of its channel or
        its Linkedid, from `since` on); useful on an unfiltered session only."""
        with self._lock:
            events = self._events[since:]
        setup_of: dict[str, str] = {}
        counts: dict[str, int] = {}
        for event in events:
            if event.get("Event") == "Newchannel" and event.get("Channel", "").startswith(
                "PJSIP/bench-"
            ):
                call = CallTiming(event.get("Uniqueid", ""), event["Channel"], 0.0)
                setup_of[call.uniqueid] = call.setup
            key = event.get("Linkedid") or event.get("Uniqueid", "")
            if key in setup_of:
                counts[key] = counts.get(key, 0) + 1
        by_setup: dict[str, list[int]] = {}
        for key, count in counts.items():
            by_setup.setdefault(setup_of[key], []).append(count)
        return {setup: sum(c) / len(c) for setup, c in by_setup.items()}

    def wait_hung_up(self, since: int, count: int, timeout: float) -> list[CallTiming]:
        """Wait until `count` calls created after `since` have hung up (or the timeout)."""
        deadline = time.monotonic() + timeout
        while True:
            calls = self.calls(since)
            if sum(c.hung_up for c in calls) >= count or time.monotonic() > deadline:
                return calls
            time.sleep(0.25)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._sock.sendall(b"Action: Logoff\r\n\r\n")
        with contextlib.suppress(OSError):
            self._sock.shutdown(socket.SHUT_RDWR)
        self._sock.close()
        self._thread.join(5)


def _parse(raw: bytes) -> dict[str, str]:
    message: dict[str, str] = {}
    for line in raw.decode("utf-8", "replace").split("\r\n"):
        key, sep, value = line.partition(":")
        if sep:
            message[key.strip()] = value.strip()
    return message
