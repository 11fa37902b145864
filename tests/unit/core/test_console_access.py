"""Roles and tenant scope of the web console, and when logins are throttled."""

from __future__ import annotations

import pytest

from pbx_bridge.core.console_access import (
    AccessDeniedError,
    Area,
    Principal,
    Role,
    ThrottlePolicy,
)

LEAD = Principal("lead", Role.CENTER)
GIF = Principal("gif", Role.SUPERVISOR, ("gifhorn", "uetze"))
AGENT = Principal("agent", Role.AGENT, ("gifhorn",))


def test_the_center_sees_every_tenant_and_the_unrouted_calls() -> None:
    assert LEAD.sees("meinersen")
    assert LEAD.sees(None)
    assert LEAD.scope(None) is None
    assert LEAD.scope("all") is None
    assert LEAD.single_tenant("all") is None


def test_a_supervisor_sees_only_the_listed_tenants() -> None:
    assert GIF.sees("uetze")
    assert not GIF.sees("meinersen")
    assert not GIF.sees(None)
    assert GIF.scope(None) == ("gifhorn", "uetze")
    assert GIF.scope("all") == ("gifhorn", "uetze")
    assert GIF.scope("uetze") == ("uetze",)
    with pytest.raises(AccessDeniedError):
        GIF.scope("meinersen")


def test_figures_of_all_tenants_are_for_the_center_only() -> None:
    with pytest.raises(AccessDeniedError):
        GIF.single_tenant("all")
    assert GIF.single_tenant(None) == "gifhorn"  # the first own tenant by default
    with pytest.raises(AccessDeniedError):
        GIF.single_tenant("meinersen")


def test_agents_enter_today_calls_and_tickets_only() -> None:
    assert {a for a in Area if AGENT.may_enter(a)} == {Area.TODAY, Area.CALLS, Area.TICKETS}
    assert all(GIF.may_enter(a) for a in Area)


def test_visible_tenants_follow_the_role() -> None:
    configured = ["wolfsburg", "gifhorn", "meinersen"]
    assert LEAD.visible(configured) == ["gifhorn", "meinersen", "wolfsburg"]
    assert GIF.visible(configured) == ["gifhorn", "uetze"]


def test_logins_lock_per_account_and_per_address() -> None:
    policy = ThrottlePolicy(per_account=5, per_address=20)
    assert not policy.locked(4, 19)
    assert policy.locked(5, 0)
    assert policy.locked(0, 20)
