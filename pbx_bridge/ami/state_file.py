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
    with temporary.open("w", encoding="utf-8") as out:
        json.dump(data, out, ensure_ascii=False)
        out.flush()
        os.fsync(out.fileno())
    temporary.replace(path)
