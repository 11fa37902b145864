"""How caller numbers may be stored (DSGVO): shortened by default, withheld never."""

from __future__ import annotations

from dataclasses import dataclass

WITHHELD = frozenset(
    {"", "anonymous", "unknown", "restricted", "private", "withheld", "unavailable"}
)


@dataclass(frozen=True)
class PrivacyPolicy:
    shorten_digits: int = 3  # 0 stores full numbers (a deployment's explicit choice)
    retention_days: int = 180


def stored_caller(raw: str | None, *, withheld: bool, policy: PrivacyPolicy) -> str | None:
    """The caller number as it may be stored, or None when it must not be stored at all."""
    if withheld or raw is None:
        return None
    number = raw.strip()
    if number.lower() in WITHHELD or not any(ch.isdigit() for ch in number):
        return None
    if policy.shorten_digits <= 0:
        return number
    digits = sum(ch.isdigit() for ch in number)
    keep = max(0, digits - policy.shorten_digits)
    out: list[str] = []
    for ch in number:
        if ch.isdigit():
            out.append(ch if keep > 0 else "x")
            keep -= 1
        else:
            out.append(ch)
    return "".join(out)
