"""The monthly report as HTML: the mail body, and the source the PDF is rendered from.

Plain tables and headings only (no CSS layout), so mail clients and the PDF renderer show
the same thing. Every value is escaped: tenant and department names come from YAML files.
"""

from __future__ import annotations

from html import escape
from typing import Any

from pbx_bridge.reporting.german import OUTCOME_LABELS, decimal, month_title, percent, whole


def _table(headers: list[str], rows: list[list[str]], widths: list[int]) -> str:
    head = "".join(
        f'<th width="{width}%" align="left">{escape(h)}</th>'
        for h, width in zip(headers, widths, strict=True)
    )
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return (
        f'<table width="100%" border="1"><thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )


def key_figures(data: dict[str, Any]) -> list[list[str]]:
    """(figure, value) rows: what a lead reports to 115 for the month."""
    rows = [["Anrufe gesamt", whole(data["total_calls"])]]
    for level in data["service_levels"]:
        within = whole(level["answered_within"])
        rows.append(
            [
                f"Servicelevel: angenommen in {level['threshold_s']} s",
                f"{percent(level['percent'])} ({within} von {whole(level['offered'])} angeboten)",
            ]
        )
    fcr = data["first_contact_resolution"]
    rows.append(
        [
            "Erstlösungsquote",
            f"{percent(fcr['percent'])} ({whole(fcr['resolved'])} von "
            f"{whole(fcr['answered'])} angenommen)",
        ]
    )
    asa = data["asa_s"]
    rows.append(["Mittlere Wartezeit bis zur Annahme", "–" if asa is None else f"{decimal(asa)} s"])
    abandon = data["abandon_rate"]
    rows.append(
        [
            "Abbruchquote",
            f"{percent(abandon['percent'])} ({whole(abandon['abandoned'])} aufgelegt, "
            f"unter {abandon['short_abandon_s']} s nicht gezählt)",
        ]
    )
    tickets = data["tickets"]
    rows.append(
        [
            "Rückrufaufträge",
            f"{whole(tickets['on_time'])} fristgerecht, {whole(tickets['late'])} verspätet, "
            f"{whole(tickets['open'])} offen",
        ]
    )
    return rows


def report_html(data: dict[str, Any], title: str, month: str) -> str:
    """A complete HTML document of one month's report for one tenant (or the whole center)."""
    outcomes = [
        [OUTCOME_LABELS.get(name, name), whole(share["calls"]), percent(share["percent"])]
        for name, share in data["outcomes"].items()
        if share["calls"]
    ]
    departments = [
        [name, whole(share["calls"]), percent(share["percent"])]
        for name, share in data["departments"].items()
    ]
    series = [
        [
            row["period"],
            whole(row["total_calls"]),
            *(percent(level["percent"]) for level in row["service_levels"]),
            percent(row["first_contact_resolution"]["percent"]),
            percent(row["abandon_rate"]["percent"]),
        ]
        for row in data.get("series", [])
    ]
    levels = [f"SL {level['threshold_s']} s" for level in data["service_levels"]]
    day_widths = [18, 12, *([44 // max(len(levels), 1)] * len(levels)), 13, 13]
    notes = "".join(f"<p><i>Hinweis: {escape(note)}</i></p>" for note in data["notes"])
    sections = [
        f"<h1>{escape(title)}</h1>",
        f"<p>Monatsbericht {escape(month_title(month))} ({escape(data['from'])} bis "
        f"{escape(data['to'])}, Zeitzone {escape(data['timezone'])})</p>",
        "<h2>Kennzahlen</h2>",
        _table(["Kennzahl", "Wert"], key_figures(data), [45, 55]),
        "<h2>Ergebnis der Anrufe</h2>",
        _table(["Ergebnis", "Anrufe", "Anteil"], outcomes, [60, 20, 20]),
        "<h2>Bereiche</h2>",
        _table(["Bereich", "Anrufe", "Anteil"], departments, [60, 20, 20]),
    ]
    if series:
        sections += [
            "<h2>Tag für Tag</h2>",
            _table(["Tag", "Anrufe", *levels, "Erstlösung", "Abbruch"], series, day_widths),
        ]
    sections.append(notes)
    body = "\n".join(sections)
    return (
        '<!DOCTYPE html>\n<html lang="de"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title></head><body>\n{body}\n</body></html>\n"
    )
