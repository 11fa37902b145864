"""Number normalisation: every common notation of one number is one key."""

from __future__ import annotations

import pytest

from pbx_bridge.core.numbers import InvalidNumberError, national_digits, normalise, try_normalise


@pytest.mark.parametrize(
    "written",
    [
        "05371 82-370",
        "0537182370",
        "+49537182370",
        "+49 5371 82370",
        "0049537182370",
        "05371/82-370",
        "+49 (5371) 82-370",
        " 05371 82 370 ",
    ],
)
def test_notations_of_gifhorn_kfz_number_agree(written: str) -> None:
    assert normalise(written, "DE") == "+49537182370"


def test_federal_115_is_a_number() -> None:
    assert normalise("115", "DE") == "+49115"


@pytest.mark.parametrize("bad", ["", "   ", "abc", "0", "Zentrale"])
def test_text_that_is_no_number_is_refused(bad: str) -> None:
    with pytest.raises(InvalidNumberError):
        normalise(bad, "DE")


@pytest.mark.parametrize("raw", [None, "", "anonymous", "unknown", "Restricted"])
def test_withheld_or_garbled_call_numbers_are_none(raw: str | None) -> None:
    assert try_normalise(raw, "DE") is None


def test_national_digits_for_dialling_a_forward() -> None:
    assert national_digits("+4929425000", "DE") == "029425000"
    assert national_digits("+49115", "DE") == "115"
