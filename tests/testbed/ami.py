"""AMI event recorder for tests: what Asterisk itself reports, independent of the daemon.

A plain socket and one reader thread (tests are synchronous). Messages are split on the blank
line and decoded whole, so a character split across TCP reads survives. Every message is also
appended to a log file that a failing test prints. `events` holds each event as a dict (a
header sent twice keeps its last value); `raw_events[i]` is the same event as Asterisk sent it.
"""

from __future__ import annotations

import contextlib
import itertools
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TypeVar

Event = dict[str, str]
T = TypeVar("T")


class AmiError(RuntimeError):
    pass


def parse_message(raw: bytes) -> Event:
    """One AMI message (without the final blank line) as a dict; later keys win."""
    message: Event = {}
    for line in raw.decode("utf-8", errors="replace").split("\r\n"):
        key, sep, value = line.partition(":")
        if sep:
            message[key.strip()] = value.strip()
    return message


def open_session(host: str, port: int, timeout: float = 10) -> socket.socket:
    """A connected AMI socket past its banner line, blocking (no timeout) from then on."""
    sock = socket.create_connection((host, port), timeout=timeout)
    banner = b""
    while not banner.endswith(b"\r\n"):
        chunk = sock.recv(1)
        if not chunk:
            sock.close()
            raise AmiError("AMI closed the connection before its banner")
        banner += chunk
    sock.settimeout(None)
    return sock


def message_batches(sock: socket.socket, size: int = 65536) -> Iterator[list[bytes]]:
    """The raw messages (without the final blank line) each read brings, until the peer or
    `close()` ends the connection."""
    buffer = b""
    while True:
        try:
            chunk = sock.recv(size)
        except OSError:
            return
        if not chunk:
            return
        buffer += chunk
        messages = buffer.split(b"\r\n\r\n")
        buffer = messages.pop()
        yield messages


class AmiRecorder:
    """Logs in, records every event, runs actions, waits for conditions on the events."""

    def __init__(self, host: str, port: int, user: str, secret: str, log: Path) -> None:
        self.host, self.port, self.user, self.secret = host, port, user, secret
        self.log = log
        self.events: list[Event] = []
        self.raw_events: list[bytes] = []  # raw_events[i] is events[i] as received
        self._responses: dict[str, Event] = {}
        self._cond = threading.Condition()
        self._sock: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._ids = itertools.count(1)
        self._closed = False

    def log_files(self) -> list[tuple[str, Path]]:
        return [(f"AMI events ({self.log})", self.log)]

    def connect(self, timeout: float = 10) -> None:
        """Log in; also after Asterisk restarted (events keep accumulating in one list)."""
        with self._cond:
            self._closed = False
        self._sock = open_session(self.host, self.port, timeout)
        self._thread = threading.Thread(target=self._read, name="ami-recorder", daemon=True)
        self._thread.start()
        reply = self.action("Login", Username=self.user, Secret=self.secret, Events="on")
        if reply.get("Response") != "Success":
            raise AmiError(f"AMI login failed: {reply}")

    def close(self) -> None:
        self._closed = True
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.sendall(b"Action: Logoff\r\n\r\n")
            self._sock.close()
        if self._thread is not None:
            self._thread.join(5)

    def _read(self) -> None:
        assert self._sock is not None
        with self.log.open("ab") as log:
            for batch in message_batches(self._sock):
                for raw in batch:
                    log.write(raw + b"\r\n\r\n")
                    self._dispatch(parse_message(raw), raw)
                log.flush()
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def _dispatch(self, message: Event, raw: bytes) -> None:
        with self._cond:
            if "Event" in message:
                message["_received"] = f"{time.monotonic():.3f}"
                self.events.append(message)
                self.raw_events.append(raw)
            elif "ActionID" in message:
                self._responses[message["ActionID"]] = message
            self._cond.notify_all()

    def action(self, name: str, timeout: float = 10, **fields: str) -> Event:
        """Send an action and return its response (list actions: only the first response)."""
        if self._sock is None:
            raise AmiError("not connected")
        action_id = f"testbed-{next(self._ids)}"
        lines = [f"Action: {name}", f"ActionID: {action_id}"]
        lines += [f"{key}: {value}" for key, value in fields.items()]
        self._sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        with self._cond:
            if not self._cond.wait_for(
                lambda: action_id in self._responses or self._closed, timeout
            ):
                raise AmiError(f"no response to {name} within {timeout}s")
            if action_id not in self._responses:
                raise AmiError(f"AMI closed while waiting for {name}")
            return self._responses.pop(action_id)

    def set_global(self, name: str, value: str) -> None:
        """Set a dialplan global variable (AMI Setvar without a channel)."""
        reply = self.action("Setvar", Variable=name, Value=value)
        if reply.get("Response") != "Success":
            raise AmiError(f"Setvar {name} failed: {reply}")

    def snapshot(self) -> list[Event]:
        with self._cond:
            return list(self.events)

    def raw_snapshot(self, start: int = 0) -> list[bytes]:
        """Events from index `start` on, each exactly as Asterisk sent it (no final blank line)."""
        with self._cond:
            return self.raw_events[start:]

    def wait_until(
        self, check: Callable[[list[Event]], T | None], timeout: float, what: str = "condition"
    ) -> T:
        """Re-run `check` on all events after every new one until it returns non-None."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                result = check(self.events)
                if result is not None:
                    return result
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._closed:
                    raise AssertionError(f"AMI: {what} not seen within {timeout}s")
                self._cond.wait(remaining)
                # Let a burst of events arrive before checking again (checks scan them all).
                self._cond.release()
                try:
                    time.sleep(0.02)
                finally:
                    self._cond.acquire()

    def wait_for_event(self, timeout: float, what: str = "event", **fields: str) -> Event:
        """Wait for an event whose fields equal `fields` (e.g. Event="FullyBooted")."""

        def check(events: list[Event]) -> Event | None:
            return next((e for e in events if matches(e, fields)), None)

        return self.wait_until(check, timeout, what)


def header_pairs(raw: bytes) -> list[tuple[str, str]]:
    """Every header of one AMI message in the order sent, repeated names included
    (a dialplan UserEvent carries its channel's Linkedid and then the body's own)."""
    pairs: list[tuple[str, str]] = []
    for line in raw.decode("utf-8", errors="replace").split("\r\n"):
        key, sep, value = line.partition(":")
        if sep:
            pairs.append((key, value[1:] if value.startswith(" ") else value))
        elif line:
            raise AmiError(f"AMI line without a colon: {line!r}")
    return pairs


def matches(event: Mapping[str, str], fields: Mapping[str, str]) -> bool:
    return all(event.get(key) == value for key, value in fields.items())
