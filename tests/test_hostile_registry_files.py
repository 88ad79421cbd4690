"""Hostile registry files in the admin's import: refused with a Chinese message, within bounded memory.

The library read .xlsx with openpyxl, which pads every row to the width and height the sheet's XML
claims; the registry admins now read with common.xlsx (common.resources.RegistryXLSX). Each file
goes through the admin's import page in a capped child (tests/capped.py).
"""
import re

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from communities.models import Compound
from communities.resources import CompoundResource
from tests.capped import capped_memory, run_capped  # noqa: F401 - capped_memory is a fixture
from tests.factories import CompoundFactory, UserFactory
from tests.hostile_files import (
    SHARED_STRINGS,
    SHEET,
    cells_without_r,
    huge_inline_string,
    repacked,
    rows_without_r,
    shared_strings,
)
from tests.registry_files import export_file

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("capped_memory")]


def exported() -> bytes:
    return export_file(CompoundResource(), "xlsx", Compound.objects.all())


def sheet_with(rows) -> bytes:
    content = exported()
    return repacked(content, replace={SHEET: [
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<dimension ref="A1:XFD1048576"/><sheetData>', *([rows] if isinstance(rows, bytes) else rows),
        b"</sheetData></worksheet>"]})


def import_page(client, content: bytes, fmt: str = "XLSX") -> tuple[int, str]:
    formats = [fmt.__name__ for fmt in admin.site._registry[Compound].get_import_formats()]
    response = client.post(reverse("admin:communities_compound_import"), {
        "format": next(index for index, name in enumerate(formats) if fmt in name),
        "import_file": SimpleUploadedFile(f"小区.{fmt.lower()}", content), "resource": 0})
    return response.status_code, response.content.decode()


def inline(text: str, reference: str) -> bytes:
    return b'<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' % (reference.encode(), text.encode())


def header_and(*cells: bytes) -> bytes:
    """The export's header row written inline, and a row 2 of `cells`."""
    headers = [str(field.column_name) for field in CompoundResource().get_export_fields()]
    first = b"".join(inline(text, f"{chr(65 + n)}1") for n, text in enumerate(headers))
    return b'<row r="1">' + first + b'</row><row r="2">' + b"".join(cells) + b"</row>"


def column_of(header: str) -> str:
    headers = [str(field.column_name) for field in CompoundResource().get_export_fields()]
    return chr(65 + headers.index(header))


@pytest.fixture
def staff_client(client):
    CompoundFactory()
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


@pytest.mark.parametrize("name, rows, message", [
    ("cells without r", cells_without_r(row=2, count=16_384), "工作表列数过多"),
    ("a claimed dimension and one far cell", b'<row r="40000"><c r="XFD40000"><v>1</v></c></row>',
     "工作表列数过多"),
    ("a million rows without r", rows_without_r(1_000_000), "工作表行数过多"),
    ("a huge inline string", huge_inline_string(cell=b"B2", size=40 * 1024 * 1024), "一行内容过多"),
])
def test_the_import_page_refuses_a_hostile_file(staff_client, name, rows, message):
    before = list(Compound.objects.values_list("code", "name"))
    status, page = run_capped(lambda: import_page(staff_client, sheet_with(rows))).value
    assert status == 200 and re.search(message, page), name
    assert list(Compound.objects.values_list("code", "name")) == before


def test_an_exported_file_still_imports(staff_client):
    status, page = import_page(staff_client, exported())
    assert status == 200 and "导入" in page and "工作表" not in page


def test_a_shared_strings_bomb_is_read_only_as_far_as_the_cells_need(staff_client):
    compound = Compound.objects.get()
    rows = header_and(b'<c r="A2" t="s"><v>1999999</v></c>')
    content = repacked(sheet_with(rows), replace={SHARED_STRINGS: shared_strings(2_000_000, last=compound.code.encode())})
    before = list(Compound.objects.values_list("code", "name"))
    imported = run_capped(lambda: import_page(staff_client, content))
    assert not imported.raised and imported.value[0] == 200, imported
    assert imported.memory_growth < 500 * 1024 * 1024, imported
    assert list(Compound.objects.values_list("code", "name")) == before


def test_a_cell_of_1e400000_is_refused_as_too_large_at_once(staff_client):
    compound = Compound.objects.get()
    households = column_of("户数")
    rows = header_and(inline(compound.code, "A2"), inline(compound.name, "B2"),
                      b'<c r="%s2"><v>1e400000</v></c>' % households.encode())
    status, page = run_capped(lambda: import_page(staff_client, sheet_with(rows)), cpu_seconds=10).value
    assert status == 200 and "数值过大" in page


def test_a_csv_cell_of_1e400000_is_refused_as_too_large_at_once(staff_client):
    content = export_file(CompoundResource(), "csv", Compound.objects.all())
    header, line = content.splitlines()[:2]
    households = header.split(",").index("户数")
    cells = line.split(",")
    cells[households] = "1e400000"
    status, page = run_capped(lambda: import_page(staff_client, f"{header}\n{','.join(cells)}\n".encode(), "CSV"),
                              cpu_seconds=10).value
    assert status == 200 and "数值过大" in page
