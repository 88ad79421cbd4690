"""Downloads of dashboard tables: .xlsx (openpyxl) and CSV with a UTF-8 BOM so Excel reads the Chinese."""
from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.styles import Font

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


def table_xlsx(table: Table) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    # Sheet titles are limited to 31 characters and a few forbidden symbols.
    sheet.title = "".join(ch for ch in table.title if ch not in "[]:*?/\\")[:31] or "data"
    for number, values in enumerate(_rows(table)):
        sheet.append(values)
        if number == 0:
            for cell in sheet[1]:
                cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows(_rows(table))
    return "\ufeff".encode() + buffer.getvalue().encode()


def table_response(table: Table, fmt: str, filename_stem: str) -> HttpResponse:
    content = table_xlsx(table) if fmt == XLSX else table_csv(table)
    response = HttpResponse(content, content_type=FORMATS[fmt])
    response["Content-Disposition"] = content_disposition_header(True, f"{filename_stem}.{fmt}")
    return response
