"""Phone number normalisation.

Every number the product compares (configured numbers, the dialled number, the
redirecting number) is reduced to E.164 with `phonenumbers`, so that
"05371 82-370", "+49 5371 82370", "0049537182370" and "05371/82-370" are one key.
"""

from __future__ import annotations

import phonenumbers


class InvalidNumberError(ValueError):
    """A string that cannot be read as a phone number."""


def normalise(raw: str, region: str) -> str:
    """Return the E.164 form of `raw`, read as a national number of `region` if it has no prefix.

    Raises InvalidNumberError for text that is no phone number at all.
    """
    text = raw.strip()
    if not text:
        raise InvalidNumberError("empty phone number")
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidNumberError(f"{raw!r} is not a phone number") from exc
    if not phonenumbers.is_possible_number(parsed):
        raise InvalidNumberError(f"{raw!r} is not a possible phone number in {region}")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def try_normalise(raw: str | None, region: str) -> str | None:
    """Normalise a call's number; unreadable ones (withheld, 'anonymous', empty) are None."""
    if raw is None:
        return None
    try:
        return normalise(raw, region)
    except InvalidNumberError:
        return None


def national_digits(e164: str, region: str) -> str:
    """The digits a caller in `region` dials for `e164` (what a trunk expects for a forward)."""
    parsed = phonenumbers.parse(e164, region)
    formatted = phonenumbers.format_number_for_mobile_dialing(parsed, region, with_formatting=False)
    return formatted or e164


def display(e164: str, region: str) -> str:
    """A human form for admins: national format for numbers of `region`, international otherwise."""
    parsed = phonenumbers.parse(e164, region)
    if phonenumbers.region_code_for_number(parsed) == region or parsed.country_code == (
        phonenumbers.country_code_for_region(region)
    ):
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
