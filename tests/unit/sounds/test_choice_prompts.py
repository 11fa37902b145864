"""The prompts of the caller's choices and the whisper are rendered when a tenant uses them."""

from __future__ import annotations

import dataclasses
from typing import Any

from pbx_bridge.core.tenants import OverflowAction, OverflowPolicy, TenantDirectory
from pbx_bridge.sounds import plan_prompts
from tests.unit.core.factories import wolfsburg_directory


def changed(directory: TenantDirectory, tenant_id: str, **changes: Any) -> TenantDirectory:
    tenants = tuple(
        dataclasses.replace(t, **changes) if t.id == tenant_id else t for t in directory.tenants
    )
    return TenantDirectory(directory.center, tenants)


def test_a_center_without_choices_renders_none_of_their_prompts() -> None:
    names = plan_prompts(wolfsburg_directory()).names()
    assert not [n for n in names if n.startswith(("callback-", "digit-", "queue-", "overflow-"))]


def test_a_callback_offer_brings_the_offer_the_confirmation_and_the_digits() -> None:
    plan = plan_prompts(changed(wolfsburg_directory(), "gifhorn", callback_offer_after_s=60))
    texts = {p.name: p.text for p in plan.prompts}
    assert texts["callback-offer"] == "Drücken Sie die 1, wenn wir Sie zurückrufen sollen."
    assert [texts[f"digit-{n}"] for n in (0, 5, 9)] == ["null", "fünf", "neun"]
    assert "callback-booked" in texts and "overflow-forward" not in texts


def test_an_overflow_forward_and_announcements_bring_their_prompts() -> None:
    directory = changed(
        wolfsburg_directory(),
        "geseke",
        overflow=OverflowPolicy(OverflowAction.FORWARD, "+492942500"),
        announce_every_s=60,
    )
    names = plan_prompts(directory).names()
    assert "overflow-forward" in names and "queue-youarenext" in names
    assert "callback-offer" not in names


def test_the_whisper_says_the_short_name() -> None:
    directory = changed(
        wolfsburg_directory(), "gifhorn", whisper="gifhorn-whisper", short_name="Gifhorn"
    )
    texts = {p.name: p.text for p in plan_prompts(directory).prompts}
    assert texts["gifhorn-whisper"] == "Gifhorn."
