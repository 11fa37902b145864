"""A waiting caller's choices: a callback only to a number that can be dialled back."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from pbx_bridge.core.caller_choices import callback_number, caller_choices
from pbx_bridge.core.tenants import (
    CALLBACK_OFF,
    OverflowAction,
    OverflowPolicy,
    Tenant,
    TenantDirectory,
)
from tests.unit.core.factories import wolfsburg_directory


@pytest.fixture
def directory() -> TenantDirectory:
    return wolfsburg_directory()


def gifhorn(directory: TenantDirectory, **changes: Any) -> Tenant:
    tenant = directory.tenant("gifhorn")
    assert tenant is not None
    return dataclasses.replace(tenant, **changes)


@pytest.mark.parametrize(
    ("caller", "digits"),
    [("05371 82-0", "05371820"), ("+4953718 2370", "0537182370"), ("+43 1 40400", "0043140400")],
)
def test_a_valid_number_is_called_back_as_a_phone_of_the_center_dials_it(
    caller: str, digits: str
) -> None:
    assert callback_number(caller, withheld=False, region="DE") == digits


@pytest.mark.parametrize(
    "caller", [None, "", "anonymous", "0999123456", "12", "09001 234567", "+49 (0) 180 1234567"]
)
def test_no_callback_to_withheld_fictional_short_or_premium_numbers(caller: str | None) -> None:
    assert callback_number(caller, withheld=False, region="DE") == ""


def test_a_withheld_number_is_never_called_back() -> None:
    assert callback_number("05371 82-0", withheld=True, region="DE") == ""


def test_the_tenants_offer_time_wins_over_the_centers(directory: TenantDirectory) -> None:
    center = dataclasses.replace(directory.center, callback_offer_after_s=120)
    assert caller_choices(center, gifhorn(directory), "05371820", withheld=False) == (
        caller_choices(
            center, gifhorn(directory, callback_offer_after_s=120), "05371820", withheld=False
        )
    )
    mine = caller_choices(
        center, gifhorn(directory, callback_offer_after_s=30), "05371820", withheld=False
    )
    assert (mine.callback_after_s, mine.callback_dial) == (30, "05371820")
    off = caller_choices(
        center, gifhorn(directory, callback_offer_after_s=CALLBACK_OFF), "05371820", withheld=False
    )
    assert (off.callback_after_s, off.callback_dial) == (None, "")


def test_callbacks_are_off_by_default(directory: TenantDirectory) -> None:
    choices = caller_choices(directory.center, gifhorn(directory), "05371820", withheld=False)
    assert (choices.callback_after_s, choices.callback_dial) == (None, "")
    assert choices.overflow_action is OverflowAction.HANGUP


def test_an_overflow_callback_needs_the_number_but_no_timed_offer(
    directory: TenantDirectory,
) -> None:
    tenant = gifhorn(directory, overflow=OverflowPolicy(OverflowAction.CALLBACK))
    choices = caller_choices(directory.center, tenant, "05371820", withheld=False)
    assert (choices.callback_after_s, choices.callback_dial) == (None, "05371820")
    assert choices.overflow_action is OverflowAction.CALLBACK


def test_an_overflow_forward_dials_the_towns_switchboard(directory: TenantDirectory) -> None:
    tenant = gifhorn(directory, overflow=OverflowPolicy(OverflowAction.FORWARD, "+492942500"))
    choices = caller_choices(directory.center, tenant, None, withheld=True)
    assert (choices.overflow_action, choices.overflow_dial) == (OverflowAction.FORWARD, "02942500")


def test_callers_of_a_number_no_tenant_claims_get_no_callback(directory: TenantDirectory) -> None:
    center = dataclasses.replace(directory.center, callback_offer_after_s=10)
    choices = caller_choices(center, None, "05371820", withheld=False)
    assert (choices.callback_after_s, choices.callback_dial) == (None, "")
