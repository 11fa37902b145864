"""queues.conf settings per queue: announcements as the tenants want them, key 1 for callbacks."""

from __future__ import annotations

import dataclasses
from typing import Any

from pbx_bridge.core.queue_settings import queue_plan
from pbx_bridge.core.tenants import TenantDirectory
from tests.unit.core.factories import wolfsburg_directory


def changed(directory: TenantDirectory, tenant_id: str, **changes: Any) -> TenantDirectory:
    tenants = tuple(
        dataclasses.replace(t, **changes) if t.id == tenant_id else t for t in directory.tenants
    )
    return TenantDirectory(directory.center, tenants)


def test_announcements_are_off_by_default_and_no_key_leaves_the_queue() -> None:
    plan = queue_plan(wolfsburg_directory())
    assert plan.conflicts == ()
    assert plan.settings == {
        "servicecenter": (
            "announce-frequency = 0",
            "announce-position = no",
            "announce-holdtime = no",
        )
    }


def test_a_tenant_with_its_own_queue_gets_its_own_announcements_and_key_1() -> None:
    directory = changed(
        wolfsburg_directory(),
        "geseke",
        queue="geseke",
        announce_every_s=45,
        callback_offer_after_s=120,
    )
    plan = queue_plan(directory)
    assert plan.conflicts == ()
    geseke = plan.settings["geseke"]
    assert geseke[:3] == (
        "context = pbx-bridge-queue-keys",
        "announce-frequency = 45",
        "announce-position = yes",
    )
    assert "queue-thereare = pbx-bridge/queue-thereare" in geseke
    assert plan.settings["servicecenter"][0] == "announce-frequency = 0"


def test_tenants_sharing_a_queue_with_different_announcements_are_a_conflict() -> None:
    plan = queue_plan(changed(wolfsburg_directory(), "geseke", announce_every_s=45))
    (conflict,) = plan.conflicts
    assert conflict.startswith("queue servicecenter: position announcements differ (")
    assert "geseke: 45 s" in conflict and "give a tenant" in conflict
