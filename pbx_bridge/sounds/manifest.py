"""The record of which WAV files this tool wrote, so it never overwrites an admin's recording.

A file is ours only if the manifest lists the SHA-256 of its current content under its name;
anything else in the folder (a new file, or one of ours that someone re-recorded) is the admin's.
Each name keeps every hash written but not yet confirmed: a build interrupted between writing
the manifest and renaming the WAV leaves either file version recognisable as ours.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

MANIFEST_NAME = ".generated.json"
_VERSION = 1


@dataclass(frozen=True)
class Rendition:
    text: str
    recipe: str  # how it was rendered; a changed recipe re-renders like a changed text


@dataclass
class Manifest:
    # name -> sha256 -> what that content says
    files: dict[str, dict[str, Rendition]] = field(default_factory=dict)

    def ours(self, name: str, sha256: str) -> Rendition | None:
        """What our file with this content says, or None when the content is not ours."""
        return self.files.get(name, {}).get(sha256)

    def add_pending(self, name: str, sha256: str, rendition: Rendition) -> None:
        self.files.setdefault(name, {})[sha256] = rendition

    def confirm(self, name: str, sha256: str) -> None:
        self.files[name] = {sha256: self.files[name][sha256]}


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def load_manifest(folder: Path) -> Manifest:
    path = folder / MANIFEST_NAME
    if not path.exists():
        return Manifest()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return Manifest(
            {
                name: {sha: Rendition(r["text"], r["recipe"]) for sha, r in hashes.items()}
                for name, hashes in raw["files"].items()
            }
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        # Guessing here could overwrite recordings; make the admin look instead.
        raise ValueError(f"{path}: unreadable manifest ({exc}); fix or remove it") from exc


def save_manifest(folder: Path, manifest: Manifest) -> None:
    data = {
        "version": _VERSION,
        "files": {
            name: {sha: {"text": r.text, "recipe": r.recipe} for sha, r in sorted(hashes.items())}
            for name, hashes in sorted(manifest.files.items())
        },
    }
    # Sorted and indented: the manifest of the example prompts is committed, so diffs stay readable.
    write_atomically(
        folder / MANIFEST_NAME,
        (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
    )


def write_atomically(path: Path, content: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(content)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; Asterisk runs as another user
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
