"""Downloads of dashboard tables: .xlsx and CSV with a UTF-8 BOM so Excel reads the Chinese, both
written through common.spreadsheets (no cell text runs as a formula)."""
from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from common.spreadsheets import csv_cell, workbook_bytes

from metrics.models import Unit

from .tables import Table

XLSX = "xlsx"
CSV = "csv"
FORMATS = {
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    CSV: "text/csv; charset=utf-8",
}


def _rows(table: Table):
    yield [str(column.label) for column in table.columns]
    for row in table.rows:
        yield [cell.export_value for cell in row]


def units_line() -> str:
    """What the figures of a download are in: each unit with its decimal places (Unit.decimals)."""
    units = "；".join(_("%(unit)s 保留 %(places)d 位小数") % {"unit": unit.label, "places": unit.decimals}
                     for unit in Unit)
    return _("单位：%(units)s；分子、分母为个数（物业费为元）。") % {"units": units}


def heading(title: str, *, area: str, period: str) -> list[str]:
    """The lines above a downloaded table: what it is, of which area and period, in which units."""
    return [str(title), _("区域：%(area)s") % {"area": area}, _("统计期：%(period)s") % {"period": period},
            units_line(), _("导出时间：%(time)s") % {"time": f"{timezone.localtime():%Y-%m-%d %H:%M}"}]


def _sheet_title(text: str, taken: set[str]) -> str:
    # Sheet titles are limited to 31 characters and a few forbidden symbols, and unique in a workbook.
    title = "".join(ch for ch in str(text) if ch not in "[]:*?/\\")[:31] or "data"
    number = 2
    while title in taken:
        suffix = f"({number})"
        title, number = f"{title[:31 - len(suffix)]}{suffix}", number + 1
    taken.add(title)
    return title


def _write_sheet(sheet, table: Table, heading: list[str]) -> None:
    """The heading lines (title, area, period...), then the table with a bold, frozen header row and
    each cell's number format (the cell's own, else its column's)."""
    for line in heading:
        sheet.append([line])
    if heading:
        sheet.cell(row=1, column=1).font = Font(bold=True, size=13)
        sheet.append([])
    header_row = len(heading) + 2 if heading else 1  # heading lines, a blank row, then the header
    sheet.append([str(column.label) for column in table.columns])
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
    # Cells written by position: openpyxl's row lookups (sheet[n], max_row) scan every cell written so far.
    for number, row in enumerate(table.rows, start=header_row + 1):
        for place, (cell, column) in enumerate(zip(row, table.columns), start=1):
            written = sheet.cell(row=number, column=place, value=cell.export_value)
            number_format = cell.number_format or column.number_format
            if number_format and isinstance(written.value, (int, float, Decimal)):
                written.number_format = number_format
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)


def tables_xlsx(tables: list[Table], heading: list[str] = ()) -> bytes:
    """A workbook with one sheet per table, each under the same heading lines."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    taken: set[str] = set()
    for table in tables:
        _write_sheet(workbook.create_sheet(_sheet_title(table.title, taken)), table, list(heading))
    return workbook_bytes(workbook)


def table_xlsx(table: Table, heading: list[str] = ()) -> bytes:
    return tables_xlsx([table], heading)


def _csv_value(value):
    # Stored values have four decimal places: a count is written 2983, not 2983.0000.
    if isinstance(value, Decimal):
        return f"{value.normalize():f}" if value != value.to_integral_value() else f"{value:.0f}"
    return value


def table_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for values in _rows(table):
        writer.writerow([csv_cell(_csv_value(value)) for value in values])
    return "\ufeff".encode() + buffer.getvalue().encode()


def table_response(table: Table, fmt: str, filename_stem: str, heading: list[str] = ()) -> HttpResponse:
    """The table as a download: an .xlsx under its heading lines, or a CSV of the table alone (a file
    for programs, whose first row is the header)."""
    content = table_xlsx(table, heading) if fmt == XLSX else table_csv(table)
    response = HttpResponse(content, content_type=FORMATS[fmt])
    response["Content-Disposition"] = content_disposition_header(True, f"{filename_stem}.{fmt}")
    return response
