"""The keys of the agent's display and the caller's choices: read, defaulted, or one error."""

from __future__ import annotations

from pathlib import Path

import pytest

from pbx_bridge.core.tenants import CALLBACK_OFF, OverflowAction
from tests.unit.config.tree import BRIDGE, GIFHORN, load_tree, single_finding

EXTRA = """\
    short_name: Gifhorn
    knowledge_url: "https://wissen.gifhorn.de/suche?q={department}"
    whisper: gifhorn-whisper
    callback_offer_after_s: 90
    announce_every_s: 60
    overflow: {action: forward, forward_to: "05371 82-0"}
"""


def test_every_key_is_read_into_the_tenant(tmp_path: Path) -> None:
    config = load_tree(tmp_path, {"gifhorn": GIFHORN + EXTRA})
    tenant = config.directory.tenant("gifhorn")
    assert tenant is not None
    assert (tenant.short_name, tenant.whisper, tenant.callback_offer_after_s) == (
        "Gifhorn",
        "gifhorn-whisper",
        90,
    )
    assert tenant.knowledge_url == "https://wissen.gifhorn.de/suche?q={department}"
    assert (tenant.overflow.action, tenant.overflow.forward_to) == (
        OverflowAction.FORWARD,
        "+495371820",
    )
    assert tenant.announce_every_s == 60


def test_defaults_change_nothing_for_existing_centers(tmp_path: Path) -> None:
    config = load_tree(tmp_path, {"gifhorn": GIFHORN})
    center, tenant = config.directory.center, config.directory.tenant("gifhorn")
    assert tenant is not None
    assert center.agent_display == "{tenant_short} {department_short}: {caller_name}"
    assert (center.short_name, center.callback_offer_after_s, center.announce_every_s) == (
        "Service Center Wolfsburg",
        None,
        0,
    )
    assert tenant.overflow.action is OverflowAction.HANGUP
    assert (tenant.short_name, tenant.callback_offer_after_s, tenant.whisper) == (None, None, None)


def test_callback_off_for_one_tenant(tmp_path: Path) -> None:
    config = load_tree(tmp_path, {"gifhorn": GIFHORN + "    callback_offer_after_s: off\n"})
    tenant = config.directory.tenant("gifhorn")
    assert tenant is not None and tenant.callback_offer_after_s == CALLBACK_OFF


def test_an_unknown_field_in_agent_display_is_one_error_at_its_line(tmp_path: Path) -> None:
    bridge = BRIDGE.replace(
        "      queue: servicecenter\n",
        '      queue: servicecenter\n      agent_display: "{tenant} {name}"\n',
    )
    file, line, message = single_finding(tmp_path, {"gifhorn": GIFHORN}, bridge)
    assert (file, line) == ("bridge.yaml", 6)
    assert message.startswith("agent_display: unknown field {name} in '{tenant} {name}'")


def test_overflow_forward_without_a_number_is_an_error(tmp_path: Path) -> None:
    tenant = GIFHORN + "    overflow: {action: forward}\n"
    _file, _line, message = single_finding(tmp_path, {"gifhorn": tenant})
    assert message == "overflow.action is 'forward' but overflow.forward_to is missing"


@pytest.mark.parametrize(
    "url", ["wissen.gifhorn.de/{department}", "https://wissen gifhorn/{department}"]
)
def test_a_knowledge_url_with_spaces_or_no_scheme_is_an_error(tmp_path: Path, url: str) -> None:
    tenant = GIFHORN + f'    knowledge_url: "{url}"\n'
    _file, _line, message = single_finding(tmp_path, {"gifhorn": tenant})
    assert message.startswith(f"knowledge_url {url!r} is no http(s) URL"), message


def test_an_unknown_overflow_action_is_refused(tmp_path: Path) -> None:
    tenant = GIFHORN + "    overflow: {action: voicemail}\n"
    _file, _line, message = single_finding(tmp_path, {"gifhorn": tenant})
    assert "hangup" in message and "forward" in message and "callback" in message
