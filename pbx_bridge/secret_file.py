"""Read a secret (a password) from a file that only its owner may read."""

from __future__ import annotations

import stat
from pathlib import Path


class SecretFileError(Exception):
    """The file cannot serve as a secret; the message names the file, never the secret."""


def read_secret_file(path: Path, what: str) -> str:
    """The file's text without surrounding whitespace. SecretFileError when the file is
    missing or unreadable, open to its group or others, not UTF-8, or empty; `what` names
    the file in the message ("AMI secret file")."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise SecretFileError(f"cannot read {what} {path}: {exc.strerror}") from exc
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SecretFileError(
            f"{what} {path} is readable by others (mode {stat.S_IMODE(mode):o}); "
            f"run: chmod 600 {path}"
        )
    try:
        secret = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise SecretFileError(f"cannot read {what} {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise SecretFileError(f"{what} {path} is not UTF-8 text") from exc  # none of its bytes
    if not secret:
        raise SecretFileError(f"{what} {path} is empty")
    return secret
