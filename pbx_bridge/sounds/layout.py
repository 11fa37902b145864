"""Where prompts live on disk: SOUNDS_DIR/de/<name>.wav (the language folder Asterisk expects)."""

from __future__ import annotations

from pathlib import Path

LANGUAGE = "de"


def language_dir(sounds_dir: Path) -> Path:
    return sounds_dir / LANGUAGE


def prompt_path(sounds_dir: Path, name: str) -> Path:
    return language_dir(sounds_dir) / f"{name}.wav"
