"""Prompts for the testbed: the project's `sounds/de/<name>.wav`, or a short tone in their place.

Asterisk plays `Playback(pbx-bridge/<name>)` on a channel with `language=de` from
`<astdatadir>/sounds/de/pbx-bridge/<name>.wav`; the harness links that folder to the `de/`
folder made here, which is also the daemon's `sounds_dir`.
"""

from __future__ import annotations

import shutil
import subprocess
import wave
from collections.abc import Iterable
from pathlib import Path

from pbx_bridge.sounds.choice_prompts import CALLBACK_PROMPTS, DIGIT_PROMPTS, QUEUE_PROMPTS

PROJECT = Path(__file__).resolve().parents[2]
PROJECT_SOUNDS = PROJECT / "sounds"
LANGUAGE = "de"

# Every prompt the shipped dialplan can ask for without a tenant (the caller's choices too).
GENERIC_PROMPTS = (
    "servicecenter",
    "closed",
    "overflow",
    *CALLBACK_PROMPTS,
    *DIGIT_PROMPTS,
    *QUEUE_PROMPTS,
)


def make_tone(path: Path, seconds: float = 0.4, hertz: int = 440) -> None:
    """An 8 kHz mono 16-bit WAV tone (what Asterisk's format_wav plays), made with sox."""
    path.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            *("sox", "-n", "-r", "8000", "-c", "1", "-b", "16", str(path)),
            *("synth", f"{seconds}", "sine", str(hertz), "vol", "0.3"),
        ],
        check=True,
        capture_output=True,
    )


def prepare_sounds(target: Path, names: Iterable[str], *, max_seconds: float | None = 2.0) -> Path:
    """Fill `target/de/` with one WAV per name and return `target` (a daemon `sounds_dir`).

    The project's prompt is used when it exists, cut to `max_seconds` (closed announcements
    that read out the hours run 15 s and more; tests need only their start), else a tone.
    """
    lang_dir = target / LANGUAGE
    lang_dir.mkdir(parents=True, exist_ok=True)
    for index, name in enumerate(dict.fromkeys([*GENERIC_PROMPTS, *names])):
        dest = lang_dir / f"{name}.wav"
        source = PROJECT_SOUNDS / LANGUAGE / f"{name}.wav"
        if source.is_file() and (max_seconds is None or duration(source) <= max_seconds):
            shutil.copyfile(source, dest)
        elif source.is_file():
            subprocess.run(
                ["sox", str(source), str(dest), "trim", "0", f"{max_seconds}"],
                check=True,
                capture_output=True,
            )
        else:
            make_tone(dest, hertz=400 + 40 * index)
    return target


def duration(path: Path) -> float:
    """Length of a WAV file in seconds."""
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / wav.getframerate()


def longest(target: Path) -> float:
    """Length of the longest prompt in `target/de/`."""
    return max((duration(p) for p in (target / LANGUAGE).glob("*.wav")), default=0.0)
