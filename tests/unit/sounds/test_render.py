"""Rendering through the real espeak-ng and sox into a temporary sounds folder."""

import stat
import wave
from pathlib import Path

import pytest

from pbx_bridge.sounds.manifest import MANIFEST_NAME, file_sha256, load_manifest
from pbx_bridge.sounds.prompts import Prompt
from pbx_bridge.sounds.render import (
    BuildResult,
    Outcome,
    ToolMissingError,
    Tools,
    build_sounds,
    find_tools,
)

GIFHORN = Prompt("gifhorn", "Service Center Landkreis Gifhorn, guten Tag.")
OVERFLOW = Prompt("overflow", "Leider sind zur Zeit alle Mitarbeiter im Gespräch.")
ADMIN_BYTES = b"RIFF an admin's own recording"


def outcomes(result: BuildResult) -> dict[str, Outcome]:
    return {r.name: r.outcome for r in result.results}


def wav(sounds: Path, name: str) -> Path:
    return sounds / "de" / f"{name}.wav"


def test_renders_8khz_mono_16bit_wav_that_asterisk_plays(tmp_path: Path, tools: Tools) -> None:
    result = build_sounds([GIFHORN], tmp_path, tools=tools)
    assert outcomes(result) == {"gifhorn": Outcome.RENDERED}
    with wave.open(str(wav(tmp_path, "gifhorn")), "rb") as w:
        assert (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (8000, 1, 2)
        assert w.getnframes() > 8000  # over a second of speech
    assert stat.S_IMODE(wav(tmp_path, "gifhorn").stat().st_mode) == 0o644


def test_manifest_records_the_text_and_hash_of_each_file_written(
    tmp_path: Path, tools: Tools
) -> None:
    build_sounds([GIFHORN], tmp_path, tools=tools)
    manifest = load_manifest(tmp_path / "de")
    (sha,) = manifest.files["gifhorn"]
    assert sha == file_sha256(wav(tmp_path, "gifhorn"))
    assert manifest.files["gifhorn"][sha].text == GIFHORN.text


def test_second_build_leaves_our_files_alone(tmp_path: Path, tools: Tools) -> None:
    build_sounds([GIFHORN], tmp_path, tools=tools)
    before = wav(tmp_path, "gifhorn").stat().st_mtime_ns
    assert outcomes(build_sounds([GIFHORN], tmp_path, tools=tools)) == {
        "gifhorn": Outcome.UNCHANGED
    }
    assert wav(tmp_path, "gifhorn").stat().st_mtime_ns == before


def test_nothing_to_render_needs_no_tools(
    tmp_path: Path, tools: Tools, monkeypatch: pytest.MonkeyPatch
) -> None:
    build_sounds([GIFHORN], tmp_path, tools=tools)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert outcomes(build_sounds([GIFHORN], tmp_path)) == {"gifhorn": Outcome.UNCHANGED}


def test_changed_text_renders_again(tmp_path: Path, tools: Tools) -> None:
    build_sounds([GIFHORN], tmp_path, tools=tools)
    old = wav(tmp_path, "gifhorn").read_bytes()
    changed = Prompt("gifhorn", "Landkreis Gifhorn, Bürgerservice, guten Tag.")
    result = build_sounds([changed], tmp_path, tools=tools)
    assert [(r.outcome, r.detail) for r in result.results] == [(Outcome.RENDERED, "text changed")]
    assert wav(tmp_path, "gifhorn").read_bytes() != old
    (rendition,) = load_manifest(tmp_path / "de").files["gifhorn"].values()
    assert rendition.text == changed.text


def test_admin_recording_is_kept_and_reported(tmp_path: Path, tools: Tools) -> None:
    wav(tmp_path, "gifhorn").parent.mkdir(parents=True)
    wav(tmp_path, "gifhorn").write_bytes(ADMIN_BYTES)
    result = build_sounds([GIFHORN, OVERFLOW], tmp_path, tools=tools)
    assert outcomes(result) == {"gifhorn": Outcome.KEPT_ADMIN, "overflow": Outcome.RENDERED}
    assert wav(tmp_path, "gifhorn").read_bytes() == ADMIN_BYTES
    assert "gifhorn" not in load_manifest(tmp_path / "de").files


def test_admin_recording_over_one_of_ours_is_kept_even_when_the_text_changes(
    tmp_path: Path, tools: Tools
) -> None:
    build_sounds([GIFHORN], tmp_path, tools=tools)
    wav(tmp_path, "gifhorn").write_bytes(ADMIN_BYTES)
    changed = Prompt("gifhorn", "Guten Tag.")
    assert outcomes(build_sounds([changed], tmp_path, tools=tools)) == {
        "gifhorn": Outcome.KEPT_ADMIN
    }
    assert wav(tmp_path, "gifhorn").read_bytes() == ADMIN_BYTES


def test_force_replaces_an_admin_recording(tmp_path: Path, tools: Tools) -> None:
    wav(tmp_path, "gifhorn").parent.mkdir(parents=True)
    wav(tmp_path, "gifhorn").write_bytes(ADMIN_BYTES)
    result = build_sounds([GIFHORN, OVERFLOW], tmp_path, force=["gifhorn"], tools=tools)
    assert outcomes(result)["gifhorn"] is Outcome.RENDERED
    with wave.open(str(wav(tmp_path, "gifhorn")), "rb") as w:
        assert w.getframerate() == 8000
    # From now on the file is ours again: a plain build leaves it alone.
    assert outcomes(build_sounds([GIFHORN], tmp_path))["gifhorn"] is Outcome.UNCHANGED


def test_forcing_a_name_that_is_no_prompt_is_refused(tmp_path: Path, tools: Tools) -> None:
    with pytest.raises(ValueError, match="gifhron"):
        build_sounds([GIFHORN], tmp_path, force=["gifhron"], tools=tools)


def test_dry_run_writes_nothing(tmp_path: Path, tools: Tools) -> None:
    result = build_sounds([GIFHORN], tmp_path, dry_run=True, tools=tools)
    assert result.dry_run
    assert outcomes(result) == {"gifhorn": Outcome.RENDERED}
    assert not (tmp_path / "de").exists()


def test_umlauts_and_a_leading_dash_are_spoken(tmp_path: Path, tools: Tools) -> None:
    prompt = Prompt("odd", "-5 Grad in Hankensbüttel, Größe, Straße.")
    assert outcomes(build_sounds([prompt], tmp_path, tools=tools)) == {"odd": Outcome.RENDERED}
    with wave.open(str(wav(tmp_path, "odd")), "rb") as w:
        assert w.getnframes() > 8000


def test_a_failing_tool_fails_that_prompt_only_and_leaves_no_debris(
    tmp_path: Path, tools: Tools
) -> None:
    broken = Tools(espeak=tools.espeak, sox="/bin/false")
    result = build_sounds([GIFHORN, OVERFLOW], tmp_path, tools=broken)
    assert outcomes(result) == {"gifhorn": Outcome.FAILED, "overflow": Outcome.FAILED}
    assert not result.ok
    assert "false failed (exit 1)" in result.results[0].detail
    assert sorted(p.name for p in (tmp_path / "de").iterdir()) == []


def test_no_temporary_files_remain_after_a_build(tmp_path: Path, tools: Tools) -> None:
    build_sounds([GIFHORN, OVERFLOW], tmp_path, tools=tools)
    names = sorted(p.name for p in (tmp_path / "de").iterdir())
    assert names == [MANIFEST_NAME, "gifhorn.wav", "overflow.wav"]


def test_missing_tools_name_the_debian_packages(tmp_path: Path) -> None:
    with pytest.raises(ToolMissingError, match="apt-get install espeak-ng sox"):
        find_tools(search_path=str(tmp_path))


def test_building_without_tools_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(ToolMissingError, match="espeak-ng"):
        build_sounds([GIFHORN], tmp_path)
