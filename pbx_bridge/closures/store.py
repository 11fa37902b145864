"""Ad hoc closures on disk, in `state_dir`: where the CLI, the daemon, the failsafe AGI and
`pbx-bridge route` all read them, whether or not the daemon runs.

- `closures.json` holds the closures; it is replaced atomically (`os.replace`), so a reader
  never sees half a file and needs no lock.
- Writers (the CLI, the supervisor's phone code) take `closures.lock` (flock) around their
  read-change-write, so two at once lose neither change.
- `closures-audit.jsonl` gets one line per change (who, when, what, reason, until), appended,
  never rewritten.

Closures that have ended are dropped at the next change. An unreadable file counts as no
closures (a caller then gets the schedule's decision, never a failure) and is reported.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pbx_bridge.core.closures import NO_CLOSURES, Closure, Closures

CLOSURES_FILE = "closures.json"
AUDIT_FILE = "closures-audit.jsonl"
LOCK_FILE = "closures.lock"
FORMAT_VERSION = 1


class ClosuresUnreadableError(Exception):
    """The closures file exists but is not a closures file."""


@dataclass(frozen=True)
class Change:
    """What one close/open did, as the audit trail records it."""

    what: str  # close | open
    scope: str
    by: str
    at: datetime
    reason: str | None = None
    until: datetime | None = None
    announcement: str | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "at": self.at.astimezone(UTC).isoformat(),
            "who": self.by,
            "what": self.what,
            "scope": self.scope,
            "reason": self.reason,
            "until": _iso(self.until),
            "announcement": self.announcement,
        }


def closures_path(state_dir: Path) -> Path:
    return state_dir / CLOSURES_FILE


def read_closures(state_dir: Path) -> Closures:
    """The closures on disk; none when there is no file. Raises ClosuresUnreadableError."""
    try:
        text = closures_path(state_dir).read_text(encoding="utf-8")
    except FileNotFoundError:
        return NO_CLOSURES
    except (OSError, UnicodeDecodeError) as exc:
        raise ClosuresUnreadableError(f"cannot read {closures_path(state_dir)}: {exc}") from exc
    return decode(text)


def decode(text: str) -> Closures:
    try:
        data = json.loads(text)
        entries = data["closures"]
        return Closures.of(_closure(entry) for entry in entries)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ClosuresUnreadableError(f"not a closures file: {exc}") from exc


def encode(closures: Closures) -> str:
    entries = [
        {
            "scope": c.scope,
            "reason": c.reason,
            "since": _iso(c.since),
            "until": _iso(c.until),
            "announcement": c.announcement,
            "by": c.by,
        }
        for c in closures.items
    ]
    return json.dumps({"version": FORMAT_VERSION, "closures": entries}, ensure_ascii=False)


def _closure(entry: dict[str, object]) -> Closure:
    until = entry.get("until")
    announcement = entry.get("announcement")
    return Closure(
        scope=str(entry["scope"]),
        reason=str(entry["reason"]),
        since=datetime.fromisoformat(str(entry["since"])),
        until=datetime.fromisoformat(str(until)) if until else None,
        announcement=str(announcement) if announcement else None,
        by=str(entry.get("by") or ""),
    )


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


@contextlib.contextmanager
def _locked(state_dir: Path) -> Iterator[None]:
    state_dir.mkdir(parents=True, exist_ok=True)
    with (state_dir / LOCK_FILE).open("a") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


def change_closures(
    state_dir: Path,
    now: datetime,
    edit: Callable[[Closures], tuple[Closures, list[Change]]],
) -> list[Change]:
    """Under the lock: read, `edit`, drop what has ended, write atomically, append the audit.

    An unreadable file is not overwritten (ClosuresUnreadableError): an admin looks first.
    """
    with _locked(state_dir):
        current = read_closures(state_dir)
        changed, changes = edit(current)
        if not changes:
            return []
        kept = Closures.of(c for c in changed.items if c.until is None or c.until > now)
        _write_atomically(closures_path(state_dir), encode(kept))
        with (state_dir / AUDIT_FILE).open("a", encoding="utf-8") as audit:
            for change in changes:
                audit.write(json.dumps(change.to_json(), ensure_ascii=False) + "\n")
            audit.flush()
            os.fsync(audit.fileno())
        return changes


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with temporary.open("w", encoding="utf-8") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    # Readable by the failsafe AGI, which runs as Asterisk's user, not as the daemon's.
    os.chmod(temporary, 0o644)
    os.replace(temporary, path)


def close(
    closures: Closures, scopes: list[str], template: Closure
) -> tuple[Closures, list[Change]]:
    """`scopes` closed like `template` (a closure again replaces the one before)."""
    new = [
        Closure(
            s, template.reason, template.since, template.until, template.announcement, template.by
        )
        for s in scopes
    ]
    changes = [
        Change("close", c.scope, c.by, c.since, c.reason, c.until, c.announcement) for c in new
    ]
    return Closures.of([*closures.items, *new]), changes


def reopen(
    closures: Closures, scopes: list[str] | None, by: str, at: datetime
) -> tuple[Closures, list[Change]]:
    """`scopes` opened; None opens everything (the center's and every tenant's closure)."""
    gone = [c for c in closures.items if scopes is None or c.scope in scopes]
    kept = [c for c in closures.items if c not in gone]
    changes = [Change("open", c.scope, by, at, c.reason) for c in gone]
    return Closures.of(kept), changes
