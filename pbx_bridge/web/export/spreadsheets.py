"""CSV for German Excel (';', decimal comma, UTF-8 with BOM) and XLSX, both streamed in
constant memory: rows are written as they come from the database."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, BinaryIO

from openpyxl import Workbook

Cell = str | int | float | None
BOM = "\ufeff"
# A cell starting with one of these is a formula to a spreadsheet: such text is quoted with
# an apostrophe, so a caller's note cannot run anything in the supervisor's Excel.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _german(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "ja" if cell else "nein"
    if isinstance(cell, float):
        return f"{cell:.1f}".replace(".", ",")
    if isinstance(cell, int):
        return str(cell)
    return _defused(cell)


def _defused(text: str) -> str:
    if text.startswith(FORMULA_START) and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    # Phone numbers in E.164 (+49…) and negative figures stay as they are.
    return text[1:].replace(".", "").replace(" ", "").isdigit()


def german_csv(headers: Sequence[str], rows: Iterable[Sequence[Cell]]) -> Iterator[bytes]:
    """The CSV as chunks of bytes: the BOM and headers first, then ~64 kB at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([_german(c) for c in row])
        if buffer.tell() > 65536:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def xlsx_file(title: str, headers: Sequence[str], rows: Iterable[Sequence[Cell]]) -> BinaryIO:
    """An XLSX in a temporary file (write-only mode keeps memory flat), rewound for reading."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append(list(headers))
    for row in rows:
        sheet.append([_xlsx_cell(c) for c in row])
    target = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 - handed to the response
    workbook.save(target)
    target.seek(0)
    return target


def _xlsx_cell(cell: Cell) -> Any:
    return _defused(cell) if isinstance(cell, str) else cell
