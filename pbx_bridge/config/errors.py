"""Configuration errors as admins read them: FILE:LINE: message."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

MAX_SHOWN = 300  # characters of a message, which may quote the offending value


@dataclass(frozen=True, order=True)
class ConfigIssue:
    file: Path
    line: int
    message: str

    def __str__(self) -> str:
        # A message may quote a value of the file: a 500 KiB line would flood the log.
        message = self.message if len(self.message) <= MAX_SHOWN else self.message[:MAX_SHOWN] + "…"
        return f"{self.file}:{self.line}: {message}"


class ConfigInvalidError(Exception):
    """Raised with every issue found, so an admin fixes them in one pass."""

    def __init__(self, issues: list[ConfigIssue]) -> None:
        self.issues = sorted(issues)
        super().__init__("\n".join(str(i) for i in self.issues))
