"""Every spreadsheet the portal writes (.xlsx and CSV) goes through here, so that no text in it runs.

Excel, LibreOffice and Google Sheets run a cell whose text starts with `=`, `+`, `-`, `@`, a tab or
a carriage return as a formula: a compound named `=HYPERLINK("http://…","点击")` would be a live
link in every download of its street. One rule (`runs_as_formula`) decides which text is at risk;
each format neutralises it the way that format allows, keeping the value:

- .xlsx: the cell is written as text with Excel's own "quote prefix" (what Excel records when
  someone types `'=…`): shown and read back exactly as stored, never evaluated.
- CSV has no cell types, so the text gets a leading apostrophe (OWASP's advice);
  `csv_cell_restored` takes it off again when a CSV file the portal wrote comes back.

A plain number such as `-12.5` is left alone: it cannot carry a formula, and feeds send decimals as
text. The portal writes no formulas of its own into cells (data validations are not cells).
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_TEXT_PREFIX = "'"
_PLAIN_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
# Sheet titles: at most 31 characters, none of these.
_TITLE_FORBIDDEN = str.maketrans("", "", "[]:*?/\\")


def runs_as_formula(value) -> bool:
    """Whether a spreadsheet program would run `value` as a formula if it were written as it is."""
    return (isinstance(value, str) and value.startswith(FORMULA_STARTS)
            and not _PLAIN_NUMBER.fullmatch(value))


def csv_cell(value):
    """`value` as a CSV cell may carry it: text that would run gets the apostrophe in front."""
    return CSV_TEXT_PREFIX + value if runs_as_formula(value) else value


def csv_cell_restored(value):
    """The inverse of csv_cell, for CSV files coming back: the text as it was before it was written."""
    if isinstance(value, str) and value.startswith(CSV_TEXT_PREFIX) and runs_as_formula(value[1:]):
        return value[1:]
    return value


def workbook_bytes(workbook: Workbook) -> bytes:
    """The workbook as .xlsx bytes, every cell whose text would run written as quoted text."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if runs_as_formula(cell.value):
                    cell.data_type = "s"  # openpyxl had taken "=…" for a formula
                    cell.quotePrefix = True
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table_workbook_bytes(title: str, header: Iterable, rows: Iterable[Iterable]) -> bytes:
    """A one-sheet workbook: a bold, frozen header row, then the rows."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(title).translate(_TITLE_FORBIDDEN)[:31] or "data"
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for values in rows:
        sheet.append(list(values))
    sheet.freeze_panes = "A2"
    return workbook_bytes(workbook)
