"""Output of the database commands: an aligned table for people, CSV and JSON for programs."""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections.abc import Sequence

FORMATS = ("table", "csv", "json")

Cell = str | int | float | None

# Control characters from the data (a CRM's note, a caller's name) would move the cursor,
# clear the screen or forge rows in a terminal or a spreadsheet: shown escaped instead.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """`text` with every control character written as an escape (ESC as \\x1b)."""
    return _CONTROL.sub(_escape, text)


def add_format_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--format", choices=FORMATS, default="table", help="output format (default: table)"
    )


def text(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float):
        return f"{cell:.1f}"
    return printable(str(cell))


def print_table(headers: Sequence[str], rows: Sequence[Sequence[Cell]]) -> None:
    cells = [[text(c) for c in row] for row in rows]
    widths = [max([len(h), *(len(row[i]) for row in cells)]) for i, h in enumerate(headers)]
    # Numbers right-aligned, so columns of counts can be compared at a glance.
    numeric = [
        all(isinstance(row[i], int | float) or row[i] is None for row in rows) and rows
        for i in range(len(headers))
    ]
    for row in [list(headers), *cells]:
        line = "  ".join(
            cell.rjust(width) if numeric[i] else cell.ljust(width)
            for i, (cell, width) in enumerate(zip(row, widths, strict=True))
        )
        print(line.rstrip())


def print_csv(headers: Sequence[str], rows: Sequence[Sequence[Cell]]) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows(
        [
            ["" if c is None else printable(c) if isinstance(c, str) else c for c in row]
            for row in rows
        ]
    )


def print_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def print_rows(fmt: str, headers: Sequence[str], rows: Sequence[Sequence[Cell]]) -> None:
    """A list of records in the chosen format (JSON: a list of objects keyed by header)."""
    if fmt == "json":
        print_json([dict(zip(headers, row, strict=True)) for row in rows])
    elif fmt == "csv":
        print_csv(headers, rows)
    else:
        print_table(headers, rows)
