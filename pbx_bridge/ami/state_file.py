"""The tracker's calls in progress on disk: a restarted daemon (even after kill -9) resumes them."""

from __future__ import annotations

import json
import os
from pathlib import Path

import structlog

log = structlog.get_logger("pbx_bridge.tracking")


def load_state(path: Path) -> dict[str, object] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("tracker_state_unreadable", path=str(path), error=str(exc))
        return None
    return data if isinstance(data, dict) else None


def save_state(path: Path, data: dict[str, object]) -> None:
    """Atomically: a crash while writing leaves the previous snapshot intact."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    # dumps, not dump: json.dump streams through the pure-Python encoder, 7x slower, and in
    # the writer thread that time holds the GIL the event loop needs.
    text = json.dumps(data, ensure_ascii=False)
    with temporary.open("w", encoding="utf-8") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    temporary.replace(path)
