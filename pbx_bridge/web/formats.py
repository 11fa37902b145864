"""Numbers as a German reader expects them (decimal comma), for pages and CSV exports."""

from __future__ import annotations


def german_number(value: float | int | None, digits: int = 1) -> str:
    """1234.5 -> '1.234,5'; ints without decimals; None -> '–'."""
    if value is None:
        return "–"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}".replace(",", ".")
    text = f"{value:,.{digits}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def german_percent(value: float | None) -> str:
    return "–" if value is None else f"{german_number(value)} %"


def german_seconds(value: float | None) -> str:
    return "–" if value is None else f"{german_number(value)} s"


def wait_text(seconds: float | None) -> str:
    """A wait as m:ss, the way a wallboard shows it."""
    if seconds is None:
        return "–"
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"
