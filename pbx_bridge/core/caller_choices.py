"""What a waiting caller may choose: a callback instead of waiting, and where an overflow goes.

A callback is offered only to a caller whose number can be dialled back: not withheld, a
valid number of the numbering plan (phonenumbers), not a premium-rate or shared-cost
service. The number read back and dialled is what a phone of the center's country dials,
in digits only (abroad with the international prefix, 00 from Germany).
"""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from phonenumbers import PhoneNumberType

from pbx_bridge.core.numbers import national_digits, try_normalise
from pbx_bridge.core.tenants import CALLBACK_OFF, OverflowAction, ServiceCenter, Tenant


def offer_after(center: ServiceCenter, tenant: Tenant) -> int | None:
    """Seconds in the queue before the tenant's callers are offered a callback; None: never."""
    after = tenant.callback_offer_after_s
    if after is None:
        after = center.callback_offer_after_s
    return None if after == CALLBACK_OFF else after


def offers_callback(center: ServiceCenter, tenant: Tenant) -> bool:
    """Whether the tenant's callers may get a callback (timed offer or overflow)."""
    return offer_after(center, tenant) is not None or (
        tenant.overflow.action is OverflowAction.CALLBACK
    )


_NOT_CALLED_BACK = frozenset(
    {PhoneNumberType.PREMIUM_RATE, PhoneNumberType.SHARED_COST, PhoneNumberType.UAN}
)


@dataclass(frozen=True)
class CallerChoices:
    callback_after_s: int | None  # offer a callback after this long in the queue; None: never
    callback_dial: str  # the digits to call back; empty: no callback can be offered
    overflow_action: OverflowAction
    overflow_dial: str  # digits of the overflow forward; empty unless FORWARD


def callback_number(caller: str | None, *, withheld: bool, region: str) -> str:
    """The digits to call `caller` back on, or "" when the caller cannot be called back."""
    if withheld or not caller:
        return ""
    e164 = try_normalise(caller, region)
    if e164 is None:
        return ""
    parsed = phonenumbers.parse(e164)
    if not phonenumbers.is_valid_number(parsed):
        return ""
    if phonenumbers.number_type(parsed) in _NOT_CALLED_BACK:
        return ""
    # Digits only, so the dialplan can read them back one by one: "00…" for abroad.
    dialled = phonenumbers.format_out_of_country_calling_number(parsed, region)
    return "".join(ch for ch in dialled if ch.isdigit())


def caller_choices(
    center: ServiceCenter, tenant: Tenant | None, caller: str | None, *, withheld: bool
) -> CallerChoices:
    """The choices of a caller queued for `tenant` (None: unrouted calls get no callback)."""
    if tenant is None:
        return CallerChoices(None, "", OverflowAction.HANGUP, "")
    after = tenant.callback_offer_after_s
    if after is None:
        after = center.callback_offer_after_s
    if after == CALLBACK_OFF:
        after = None
    overflow = tenant.overflow
    callback_used = after is not None or overflow.action is OverflowAction.CALLBACK
    dial = (
        callback_number(caller, withheld=withheld, region=center.country) if callback_used else ""
    )
    forward = (
        national_digits(overflow.forward_to, center.country)
        if overflow.action is OverflowAction.FORWARD and overflow.forward_to
        else ""
    )
    return CallerChoices(after if dial else None, dial, overflow.action, forward)
