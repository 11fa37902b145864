"""The CSV and XLSX attachments: every figure of the report, one row each.

The CSV follows German Excel's conventions, so a double click opens it in columns: `;` as
separator, decimal comma, UTF-8 with a byte-order mark (else Excel reads it as Windows-1252),
CRLF line ends.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook

from pbx_bridge.reporting.figures import Cell, long_rows
from pbx_bridge.reporting.html import key_figures

HEADER = ("Kennzahl", "Schlüssel", "Wert")


def _german(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return str(cell).lower()
    if isinstance(cell, float):
        return repr(cell).replace(".", ",")
    return str(cell)


def report_csv(data: dict[str, Any]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows([_german(cell) for cell in row] for row in long_rows(data))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def report_xlsx(data: dict[str, Any]) -> bytes:
    """Sheets: key figures, the days, and every figure (as the CSV); numbers stay numbers."""
    book = Workbook()
    summary = book.active
    summary.title = "Kennzahlen"
    summary.append(["Kennzahl", "Wert"])
    for figure in key_figures(data):
        summary.append(figure)
    summary.column_dimensions["A"].width = 42
    summary.column_dimensions["B"].width = 60
    if data.get("series"):
        days = book.create_sheet("Tage")
        levels = [f"Servicelevel {level['threshold_s']} s %" for level in data["service_levels"]]
        days.append(["Tag", "Anrufe", "angeboten", "angenommen", *levels, "Erstlösung %"])
        for row in data["series"]:
            days.append(
                [
                    row["period"],
                    row["total_calls"],
                    row["offered"],
                    row["answered"],
                    *(level["percent"] for level in row["service_levels"]),
                    row["first_contact_resolution"]["percent"],
                ]
            )
    every = book.create_sheet("Alle Werte")
    every.append(list(HEADER))
    for row in long_rows(data):
        every.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
