"""Which files a configuration may be read from, and how much of them.

The configuration folder (bridge.yaml's folder) is trusted; what it points at is checked all
the same, so a mistake or a planted link cannot hang the loader, exhaust its memory or print
another file's content: only regular files (a FIFO would block the read forever), symlinks
only when they resolve inside the configuration folder, at most MAX_FILE_BYTES per file,
MAX_TOTAL_BYTES in all and MAX_TENANT_FILES tenant files.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from pbx_bridge.config.errors import ConfigIssue

MAX_FILE_BYTES = 512 << 10  # a tenant with a thousand numbers takes about 60 KiB
MAX_TOTAL_BYTES = 8 << 20  # bridge.yaml and every tenant file together
MAX_TENANT_FILES = 500


@dataclass
class ReadBudget:
    """Bytes still allowed for the files of one load."""

    remaining: int = field(default_factory=lambda: MAX_TOTAL_BYTES)


@dataclass
class ConfigReader:
    """Reads the files of one load: symlinks must resolve inside `folders`."""

    folders: tuple[Path, ...]
    budget: ReadBudget

    @classmethod
    def for_bridge(cls, bridge_file: Path) -> ConfigReader:
        return cls((bridge_file.resolve().parent,), ReadBudget())

    def also_inside(self, folder: Path) -> None:
        self.folders = (*self.folders, folder.resolve())

    def __call__(self, file: Path, issues: list[ConfigIssue]) -> str | None:
        return read_config_file(file, self.folders, self.budget, issues)


def read_config_file(
    file: Path, folders: tuple[Path, ...], budget: ReadBudget, issues: list[ConfigIssue]
) -> str | None:
    """The UTF-8 text of `file`, or None after adding the reason to `issues`."""
    problem = _refusal(file, folders)
    if problem is not None:
        issues.append(ConfigIssue(file, 1, problem))
        return None
    whole = budget.remaining < MAX_FILE_BYTES
    try:
        data = _read_bounded(file, min(MAX_FILE_BYTES, budget.remaining))
    except OSError as exc:
        issues.append(ConfigIssue(file, 1, f"cannot read file: {exc.strerror or exc}"))
        return None
    if data is None:
        if whole:
            message = f"configuration (all files together) larger than {MAX_TOTAL_BYTES} bytes"
            budget.remaining = 0
        else:
            message = f"file larger than the limit of {MAX_FILE_BYTES} bytes"
        issues.append(ConfigIssue(file, 1, message))
        return None
    budget.remaining -= len(data)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - data.rfind(b"\n", 0, exc.start)
        issues.append(ConfigIssue(file, line, f"not UTF-8 text (column {column})"))
        return None


def _refusal(file: Path, folders: tuple[Path, ...]) -> str | None:
    try:
        if file.is_symlink():
            target = file.resolve(strict=True)
            if not any(target.is_relative_to(folder) for folder in folders):
                return "symlink to a file outside the configuration folder: not read"
        mode = file.stat().st_mode
    except (OSError, RuntimeError) as exc:  # RuntimeError: a symlink loop
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        return f"cannot read file: {reason}"
    if not stat.S_ISREG(mode):
        return "not a regular file: not read"
    return None


def _read_bounded(file: Path, limit: int) -> bytes | None:
    """At most `limit` bytes, or None when there are more. O_NONBLOCK: a FIFO swapped in
    after the check does not block the open; fstat then refuses it."""
    fd = os.open(file, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(0, "not a regular file")
        data = handle.read(limit + 1)
    return None if len(data) > limit else data
