"""`pbx-bridge queues`: the queues.conf lines per queue, or exit 2 when tenants disagree."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.cli.console import SOEST, pbx_bridge
from tests.unit.config.tree import BRIDGE, GIFHORN, write_tree


def test_the_soest_example_prints_one_section_with_announcements_off(
    capsys: pytest.CaptureFixture[str],
) -> None:
    run = pbx_bridge(capsys, "queues", "--config", str(SOEST))
    assert run.code == 0
    assert "[servicecenter](+)\nannounce-frequency = 0\n" in run.out


def test_a_tenant_offering_callbacks_gets_key_1_and_its_announcements(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    tenant = GIFHORN + "    callback_offer_after_s: 60\n    announce_every_s: 30\n"
    bridge = BRIDGE.replace(
        "      queue: servicecenter\n", "      queue: servicecenter\n      announce_every_s: 30\n"
    )
    config = write_tree(tmp_path, {"gifhorn": tenant}, bridge)
    run = pbx_bridge(capsys, "queues", "--config", str(config))
    assert run.code == 0, run.err
    assert "context = pbx-bridge-queue-keys\nannounce-frequency = 30\n" in run.out


def test_tenants_sharing_a_queue_with_different_announcements_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = write_tree(tmp_path, {"gifhorn": GIFHORN + "    announce_every_s: 30\n"})
    run = pbx_bridge(capsys, "queues", "--config", str(config))
    assert run.code == 2
    assert run.err.startswith("error: queue servicecenter: position announcements differ (")
