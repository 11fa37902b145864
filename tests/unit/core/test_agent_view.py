"""What the agent's phone shows: tenant, department and caller, safe for SIP headers."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from pbx_bridge.core.agent_view import (
    DISPLAY_FIELDS,
    DISPLAY_LIMIT,
    NO_TENANT,
    agent_view,
    clean,
    safe_url,
    template_error,
)
from pbx_bridge.core.tenants import NumberOwner, TenantDirectory, TenantNumber
from tests.unit.core.factories import wolfsburg_directory


def owner(directory: TenantDirectory, number: str, **tenant_changes: Any) -> NumberOwner:
    found = directory.owner_of(number)
    assert found is not None
    return NumberOwner(dataclasses.replace(found.tenant, **tenant_changes), found.number)


@pytest.fixture
def directory() -> TenantDirectory:
    return wolfsburg_directory()


def test_gifhorn_kfz_call_shows_short_names_and_the_callers_name(
    directory: TenantDirectory,
) -> None:
    kfz = owner(directory, "+49537182370", short_name="Gifhorn")
    kfz = NumberOwner(kfz.tenant, dataclasses.replace(kfz.number, department_short="Kfz"))
    view = agent_view(directory.center, kfz, "Müller", "0999123456")
    assert view.display == "Gifhorn Kfz: Müller"
    assert (view.tenant, view.department) == ("gifhorn", "Kfz-Zulassung")


def test_without_short_names_the_full_names_are_shown(directory: TenantDirectory) -> None:
    view = agent_view(directory.center, owner(directory, "+495371820"), "Müller", None)
    assert view.display == "Tenant gifhorn Zentrale: Müller"


def test_a_caller_without_a_name_is_shown_by_number(directory: TenantDirectory) -> None:
    for name in (None, "", "unknown", "Anonymous"):
        view = agent_view(directory.center, owner(directory, "+495371820"), name, "0999123456")
        assert view.display.endswith(": 0999123456"), name


def test_a_call_no_tenant_claims_shows_the_center_and_dash_headers(
    directory: TenantDirectory,
) -> None:
    center = dataclasses.replace(directory.center, short_name="Servicecenter")
    view = agent_view(center, None, "Schulz", "0999123456")
    assert view.display == "Servicecenter: Schulz"
    assert (view.tenant, view.department, view.knowledge_url) == (NO_TENANT, NO_TENANT, "")


def test_the_display_template_is_the_centers(directory: TenantDirectory) -> None:
    center = dataclasses.replace(directory.center, agent_display="{caller_name} ({tenant_short})")
    gifhorn = owner(directory, "+495371820", short_name="Gifhorn")
    assert agent_view(center, gifhorn, "Müller", None).display == "Müller (Gifhorn)"


def test_crlf_quotes_and_angle_brackets_never_reach_a_header(directory: TenantDirectory) -> None:
    evil_tenant = owner(directory, "+495371820", short_name='Gif"horn\r\nX-Evil: 1')
    view = agent_view(directory.center, evil_tenant, 'A <sip:x@y>\r\nX-Injected: "1"', None)
    for value in (view.display, view.department):
        assert not set(value) & set('\r\n"<>\\'), value
    assert view.display == "Gifhorn X-Evil: 1 Zentrale: A sip:x@y X-Injected: 1"


def test_a_2000_character_name_is_bounded_and_umlauts_stay_whole(
    directory: TenantDirectory,
) -> None:
    long = owner(directory, "+495371820", short_name="Ü" * 2000)
    view = agent_view(directory.center, long, "Müller", None)
    assert len(view.display) == DISPLAY_LIMIT
    assert view.display == "Ü" * DISPLAY_LIMIT
    view.display.encode("utf-8").decode("utf-8")


def test_decomposed_umlauts_are_sent_composed() -> None:
    assert clean("Mu\u0308ller", 60) == "Müller"


def test_the_knowledge_url_names_the_department_url_encoded(directory: TenantDirectory) -> None:
    gifhorn = owner(
        directory, "+49537182370", knowledge_url="https://wissen.gifhorn.de/suche?q={department}"
    )
    gifhorn = NumberOwner(gifhorn.tenant, TenantNumber("+49537182370", "Kfz & Führerschein", "x"))
    view = agent_view(directory.center, gifhorn, None, None)
    assert view.knowledge_url == "https://wissen.gifhorn.de/suche?q=Kfz%20%26%20F%C3%BChrerschein"


@pytest.mark.parametrize(
    "url",
    ["ftp://example.org/", "https://example.org/a b", 'https://x/"', "https://x/<", "x" * 600],
)
def test_a_url_unfit_for_a_sip_header_is_dropped(url: str) -> None:
    assert safe_url(url) == ""


def test_templates_with_unknown_fields_or_formats_are_refused() -> None:
    assert template_error("{tenant_short}: {caller_name}", DISPLAY_FIELDS) is None
    assert "unknown field {name}" in str(template_error("{name}", DISPLAY_FIELDS))
    assert "takes no format" in str(template_error("{caller_name:>10}", DISPLAY_FIELDS))
    assert "cannot read" in str(template_error("{caller_name", DISPLAY_FIELDS))


def test_the_whisper_is_the_tenants(directory: TenantDirectory) -> None:
    gifhorn = owner(directory, "+495371820", whisper="gifhorn-whisper")
    assert agent_view(directory.center, gifhorn, None, None).whisper == "gifhorn-whisper"
    assert agent_view(directory.center, None, None, None).whisper == ""
