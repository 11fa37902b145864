"""Numbers and labels the way a German municipal reader expects them (75,0 %, 3.951)."""

from __future__ import annotations

MONTH_NAMES = (
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
)
OUTCOME_LABELS = {
    "resolved": "abschließend beantwortet",
    "transferred": "weitervermittelt",
    "callback": "Rückrufauftrag",
    "abandoned": "aufgelegt in der Warteschlange",
    "overflow": "Warteschlange abgelaufen",
    "closed": "außerhalb der Servicezeit",
    "unrouted": "keiner Kommune zugeordnet",
    "failed": "technisch fehlgeschlagen",
}


def month_title(month: str) -> str:
    """'2026-11' as 'November 2026'."""
    year, number = month.split("-")
    return f"{MONTH_NAMES[int(number) - 1]} {year}"


def decimal(value: float | None, digits: int = 1) -> str:
    """1234.5 as '1.234,5'; None as '–'."""
    if value is None:
        return "–"
    text = f"{value:,.{digits}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def whole(value: int | None) -> str:
    return "–" if value is None else f"{value:,}".replace(",", ".")


def percent(value: float | None) -> str:
    return "–" if value is None else f"{decimal(value)} %"
