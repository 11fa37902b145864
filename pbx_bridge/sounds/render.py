"""Render prompts to the WAV files Asterisk plays: espeak-ng speaks, sox converts to 8 kHz.

Safe to repeat: a prompt whose file already says its text is left alone, and a file this tool
did not write (an admin's recording) is never replaced unless the admin names it in `force`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from pbx_bridge.sounds.layout import language_dir, prompt_path
from pbx_bridge.sounds.manifest import (
    Manifest,
    Rendition,
    file_sha256,
    load_manifest,
    save_manifest,
)
from pbx_bridge.sounds.prompts import Prompt

VOICE = "de"
WORDS_PER_MINUTE = 150  # espeak's default 175 is hard to follow through a phone line
# Part of each manifest entry: changing how we render re-renders our files on the next build.
RECIPE = f"espeak-ng -v {VOICE} -s {WORDS_PER_MINUTE} | sox 8000 Hz mono s16 gain -n -3"
_TIMEOUT_SECONDS = 120
# Text on stdin (-b 1: UTF-8), so a text starting with "-" is never read as an option.
_ESPEAK_OPTIONS = ("-v", VOICE, "-s", str(WORDS_PER_MINUTE), "-b", "1", "--stdin")
# What Asterisk plays without transcoding: 8 kHz, mono, 16-bit signed PCM. -D (no dither) makes
# the same text give the same bytes, so committed prompts don't churn.
_SOX_OUTPUT = ("-t", "wav", "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer")
# One level for all prompts, with headroom so the resampler does not clip.
_SOX_EFFECTS = ("gain", "-n", "-3")
_DEBIAN_PACKAGES = {"espeak-ng": "espeak-ng", "sox": "sox"}


class ToolMissingError(RuntimeError):
    pass


class RenderError(RuntimeError):
    pass


@dataclass(frozen=True)
class Tools:
    espeak: str
    sox: str


def find_tools(search_path: str | None = None) -> Tools:
    found = {name: shutil.which(name, path=search_path) for name in _DEBIAN_PACKAGES}
    missing = [name for name, path in found.items() if path is None]
    if missing:
        packages = " ".join(_DEBIAN_PACKAGES[name] for name in missing)
        raise ToolMissingError(
            f"{' and '.join(missing)} not found; install the Debian package(s): "
            f"apt-get install {packages}"
        )
    return Tools(espeak=str(found["espeak-ng"]), sox=str(found["sox"]))


class Outcome(StrEnum):
    RENDERED = "rendered"
    UNCHANGED = "unchanged"
    KEPT_ADMIN = "kept"  # an admin's recording, left in place
    FAILED = "failed"


@dataclass(frozen=True)
class PromptResult:
    name: str
    outcome: Outcome
    detail: str = ""


@dataclass(frozen=True)
class BuildResult:
    folder: Path  # SOUNDS_DIR/de
    results: tuple[PromptResult, ...]
    dry_run: bool = False

    def count(self, outcome: Outcome) -> int:
        return sum(1 for r in self.results if r.outcome is outcome)

    @property
    def ok(self) -> bool:
        return self.count(Outcome.FAILED) == 0


def decide(
    prompt: Prompt, current_sha256: str | None, manifest: Manifest, forced: bool
) -> PromptResult:
    """What a build does with one prompt, given the hash of its file now (None: no file)."""
    if current_sha256 is None:
        return PromptResult(prompt.name, Outcome.RENDERED, "new")
    ours = manifest.ours(prompt.name, current_sha256)
    if ours is None:
        if forced:
            return PromptResult(prompt.name, Outcome.RENDERED, "forced over a recording")
        return PromptResult(
            prompt.name, Outcome.KEPT_ADMIN, f"admin recording; --force {prompt.name} replaces it"
        )
    if forced:
        return PromptResult(prompt.name, Outcome.RENDERED, "forced")
    if ours.text != prompt.text:
        return PromptResult(prompt.name, Outcome.RENDERED, "text changed")
    if ours.recipe != RECIPE:
        return PromptResult(prompt.name, Outcome.RENDERED, "voice settings changed")
    return PromptResult(prompt.name, Outcome.UNCHANGED)


def build_sounds(
    prompts: Sequence[Prompt],
    sounds_dir: Path,
    force: Collection[str] = (),
    dry_run: bool = False,
    tools: Tools | None = None,
) -> BuildResult:
    """Bring SOUNDS_DIR/de/<name>.wav up to date for every prompt.

    Raises ValueError for a forced name that is no prompt or an unreadable manifest, and
    ToolMissingError when something must be rendered but espeak-ng or sox is absent.
    """
    unknown = sorted(set(force) - {p.name for p in prompts})
    if unknown:
        raise ValueError(f"--force names no known prompt: {', '.join(unknown)}")
    folder = language_dir(sounds_dir)
    manifest = load_manifest(folder)
    plan = [
        (p, decide(p, _sha_or_none(prompt_path(sounds_dir, p.name)), manifest, p.name in force))
        for p in prompts
    ]
    if dry_run or all(d.outcome is not Outcome.RENDERED for _, d in plan):
        return BuildResult(folder, tuple(d for _, d in plan), dry_run)
    tools = tools or find_tools()
    folder.mkdir(parents=True, exist_ok=True)
    results = tuple(
        _carry_out(prompt, decision, sounds_dir, manifest, tools) for prompt, decision in plan
    )
    return BuildResult(folder, results)


def _carry_out(
    prompt: Prompt, decision: PromptResult, sounds_dir: Path, manifest: Manifest, tools: Tools
) -> PromptResult:
    if decision.outcome is not Outcome.RENDERED:
        return decision
    try:
        _render_into_place(prompt, sounds_dir, manifest, tools)
    except (RenderError, OSError) as exc:
        # One bad prompt must not stop the others; the build still reports failure.
        return PromptResult(prompt.name, Outcome.FAILED, str(exc))
    return decision


def _sha_or_none(path: Path) -> str | None:
    return file_sha256(path) if path.is_file() else None


def _render_into_place(prompt: Prompt, sounds_dir: Path, manifest: Manifest, tools: Tools) -> None:
    folder = language_dir(sounds_dir)
    tmp = render_to_temp(prompt.text, folder, tools)
    try:
        sha = file_sha256(tmp)
        # Record the new content before it appears, so an interrupted build never leaves a
        # file of ours that the next build would mistake for an admin's recording.
        manifest.add_pending(prompt.name, sha, Rendition(prompt.text, RECIPE))
        save_manifest(folder, manifest)
        os.replace(tmp, prompt_path(sounds_dir, prompt.name))
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    manifest.confirm(prompt.name, sha)
    save_manifest(folder, manifest)


def render_to_temp(text: str, folder: Path, tools: Tools) -> Path:
    """Speak `text` into a new hidden WAV in `folder` (same file system, so a rename is atomic)."""
    fd, out_name = tempfile.mkstemp(dir=folder, prefix=".render.", suffix=".wav")
    os.close(fd)
    out = Path(out_name)
    try:
        with tempfile.TemporaryDirectory(prefix="pbx-bridge-tts-") as work:
            raw = Path(work) / "espeak.wav"
            _run([tools.espeak, *_ESPEAK_OPTIONS, "-w", str(raw)], stdin=text)
            _run([tools.sox, "-D", str(raw), *_SOX_OUTPUT, str(out), *_SOX_EFFECTS])
        with out.open("rb") as f:
            os.fsync(f.fileno())
        out.chmod(0o644)  # mkstemp makes 0600; Asterisk runs as another user
        return out
    except BaseException:
        out.unlink(missing_ok=True)
        raise


def _run(args: list[str], stdin: str = "") -> None:
    try:
        proc = subprocess.run(
            args,
            input=stdin.encode("utf-8"),
            capture_output=True,
            timeout=_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RenderError(f"{Path(args[0]).name}: {exc}") from exc
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip()
        raise RenderError(f"{Path(args[0]).name} failed (exit {proc.returncode}): {message}")
