"""CSV files people open in a spreadsheet: every export of the app is written through here.

A cell that begins with =, +, - or @ (or a tab or carriage return) could run as a formula in Excel,
LibreOffice or Google Sheets; such cells get a leading apostrophe so they show as plain text. Files start
with a byte-order mark, so Excel reads names with accents correctly.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> object:
    """The value as a spreadsheet should show it: never a formula."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class CsvLines:
    """A CSV file written a row at a time (reports whose sections have different columns)."""

    def __init__(self):
        self._out = io.StringIO()
        self._writer = csv.writer(self._out, lineterminator="\r\n")

    def __call__(self, row: Iterable[object]) -> None:
        self._writer.writerow([safe_cell(cell) for cell in row])

    def text(self) -> str:
        return "\ufeff" + self._out.getvalue()


def to_csv(header: Sequence[object], rows: Iterable[Sequence[object]]) -> str:
    """A CSV file of one table."""
    write = CsvLines()
    write(header)
    for row in rows:
        write(row)
    return write.text()


def filename(*parts: str) -> str:
    """A file name made only of letters, digits and dashes, whatever a class is called."""
    words = [re.sub(r"[^A-Za-z0-9]+", "-", part).strip("-") for part in parts]
    return "-".join(word for word in words if word) + ".csv"
