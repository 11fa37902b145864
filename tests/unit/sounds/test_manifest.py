import json
from pathlib import Path

import pytest

from pbx_bridge.sounds.manifest import (
    MANIFEST_NAME,
    Manifest,
    Rendition,
    load_manifest,
    save_manifest,
)
from pbx_bridge.sounds.prompts import Prompt
from pbx_bridge.sounds.render import RECIPE, Outcome, decide

GREETING = Prompt("gifhorn", "Service Center Landkreis Gifhorn, guten Tag.")


def ours(text: str = GREETING.text, recipe: str = RECIPE) -> Manifest:
    return Manifest({"gifhorn": {"abc": Rendition(text, recipe)}})


def test_no_file_yet_is_rendered() -> None:
    assert decide(GREETING, None, Manifest(), forced=False).outcome is Outcome.RENDERED


def test_our_file_with_the_same_text_is_unchanged() -> None:
    assert decide(GREETING, "abc", ours(), forced=False).outcome is Outcome.UNCHANGED


def test_our_file_with_an_old_text_is_rendered_again() -> None:
    result = decide(GREETING, "abc", ours(text="Guten Tag."), forced=False)
    assert (result.outcome, result.detail) == (Outcome.RENDERED, "text changed")


def test_our_file_from_other_voice_settings_is_rendered_again() -> None:
    result = decide(GREETING, "abc", ours(recipe="espeak -v de -s 175"), forced=False)
    assert result.outcome is Outcome.RENDERED


def test_a_file_the_manifest_does_not_know_is_an_admin_recording() -> None:
    result = decide(GREETING, "abc", Manifest(), forced=False)
    assert result.outcome is Outcome.KEPT_ADMIN
    assert "--force gifhorn" in result.detail


def test_our_file_re_recorded_by_an_admin_is_kept() -> None:
    assert decide(GREETING, "other", ours(), forced=False).outcome is Outcome.KEPT_ADMIN


def test_force_renders_over_an_admin_recording_and_over_our_own_file() -> None:
    assert decide(GREETING, "other", ours(), forced=True).outcome is Outcome.RENDERED
    assert decide(GREETING, "abc", ours(), forced=True).outcome is Outcome.RENDERED


def test_a_pending_hash_stays_ours_until_confirmed() -> None:
    manifest = ours()
    manifest.add_pending("gifhorn", "new", Rendition("Hallo.", RECIPE))
    assert manifest.ours("gifhorn", "abc") == Rendition(GREETING.text, RECIPE)
    assert manifest.ours("gifhorn", "new") == Rendition("Hallo.", RECIPE)
    manifest.confirm("gifhorn", "new")
    assert manifest.ours("gifhorn", "abc") is None


def test_manifest_round_trips_and_is_sorted_for_readable_diffs(tmp_path: Path) -> None:
    manifest = Manifest()
    manifest.add_pending("zeta", "2", Rendition("Zett.", RECIPE))
    manifest.add_pending("alpha", "1", Rendition("Größe.", RECIPE))
    save_manifest(tmp_path, manifest)
    text = (tmp_path / MANIFEST_NAME).read_text(encoding="utf-8")
    assert text.index('"alpha"') < text.index('"zeta"')
    assert "Größe" in text  # readable umlauts, not \u escapes
    assert load_manifest(tmp_path) == manifest


def test_no_manifest_means_nothing_is_ours(tmp_path: Path) -> None:
    assert load_manifest(tmp_path) == Manifest()


@pytest.mark.parametrize("content", ["{", "[]", '{"files": {"a": {"h": {"text": 1}}}}'])
def test_an_unreadable_manifest_stops_the_build(tmp_path: Path, content: str) -> None:
    (tmp_path / MANIFEST_NAME).write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match="unreadable manifest"):
        load_manifest(tmp_path)


def test_saved_manifest_is_plain_json_with_version(tmp_path: Path) -> None:
    save_manifest(tmp_path, ours())
    data = json.loads((tmp_path / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert data == {
        "version": 1,
        "files": {"gifhorn": {"abc": {"text": GREETING.text, "recipe": RECIPE}}},
    }
