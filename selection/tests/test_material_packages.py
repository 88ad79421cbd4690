"""Selection material named .docx or .xlsx must be that package, whatever zip it comes in (common.ooxml).

Every zip starts with PK\\x03\\x04, so a signature check let any zip (an archive of scripts, an .xlsx
renamed .docx, a macro-enabled .docm) through. The package's own relationships and content types
now say what its main part is. The probe's hostile workbooks go through the same check in a child
capped in memory and CPU (tests/capped.py): only two small parts are read, so they pass or fail on
what they are, within bounds.
"""
import zipfile
from io import BytesIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from selection import services
from tests.capped import capped_memory, run_capped  # noqa: F401 - capped_memory is a fixture
from tests.hostile_files import (
    SHARED_STRINGS,
    SHEET,
    billion_laughs,
    cells_without_r,
    huge_inline_string,
    nested,
    repacked,
    shared_strings,
    sheet_part,
    with_sheet_data,
)

from .test_materials import media, nomination  # noqa: F401 - fixtures: private media, a district's nomination

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("capped_memory")]

DOCX, XLSX = ".docx", ".xlsx"
CONTENT_TYPES = "[Content_Types].xml"
RELS = '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
TYPES = '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'


def word_document(main_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                  *, main_part="word/document.xml", target="word/document.xml") -> bytes:
    """A minimal Word package as Word writes one: content types, package relationships, the document."""
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr(CONTENT_TYPES, TYPES + '<Default Extension="rels" ContentType="application/'
                         'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
                         f'"application/xml"/><Override PartName="/{main_part}" ContentType="{main_type}"/></Types>')
        package.writestr("_rels/.rels", RELS + '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                         f'officeDocument/2006/relationships/officeDocument" Target="{target}"/></Relationships>')
        package.writestr(main_part, '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/'
                         'main"><w:body><w:p><w:r><w:t>鲤中街道申报材料</w:t></w:r></w:p></w:body></w:document>')
    return buffer.getvalue()


def workbook() -> bytes:
    book = Workbook()
    book.active.append(["街道", "得分"])
    book.active.append(["鲤中街道", 95])
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def any_zip() -> bytes:
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("run.sh", "#!/bin/sh\necho owned\n")
    return buffer.getvalue()


def add(nomination, name: str, content: bytes):
    nomination, user = nomination
    return services.material_add(nomination=nomination, user=user, upload=SimpleUploadedFile(name, content))


@pytest.mark.parametrize("extension, content, served", [
    (DOCX, word_document(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    (XLSX, workbook(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
])
def test_a_real_word_document_or_workbook_is_accepted(nomination, extension, content, served):
    assert add(nomination, "申报材料" + extension, content).content_type == served


@pytest.mark.parametrize("name, content", [
    ("any zip.docx", any_zip()),
    ("any zip.xlsx", any_zip()),
    ("a workbook.docx", workbook()),
    ("a word document.xlsx", word_document()),
    ("macros.docx", word_document("application/vnd.ms-word.document.macroEnabled.main+xml")),
    ("main part missing.docx", word_document(target="word/missing.xml")),
    ("main part untyped.docx", word_document("application/xml")),
    ("entities.docx", repacked(word_document(), replace={CONTENT_TYPES: billion_laughs(b"Types")})),
    ("nested.docx", repacked(word_document(), replace={CONTENT_TYPES: [TYPES.encode(), *nested(100_000), b"</Types>"]})),
    ("truncated.docx", word_document()[:200]),
])
def test_a_zip_that_is_not_the_package_its_name_says_is_refused(nomination, name, content):
    refused = run_capped(lambda: add(nomination, name, content))
    assert isinstance(refused.value, ValidationError) and "文件内容与扩展名不符" in refused.value.messages[0], refused
    assert not nomination[0].materials.exists()


def test_a_content_types_part_inflating_past_the_bound_is_refused_without_being_read_whole(nomination):
    huge = (b"<Default Extension='x%d' ContentType='a/b'/>" % n for n in range(2_000_000))
    content = repacked(word_document(), replace={CONTENT_TYPES: [TYPES.encode(), *huge, b"</Types>"]})
    refused = run_capped(lambda: add(nomination, "大.docx", content))
    assert isinstance(refused.value, ValidationError), refused
    assert refused.memory_growth < 200 * 1024 * 1024, refused


def probe_workbook(rows=None, replace=None) -> bytes:
    content = workbook()
    parts = dict(replace or {})
    if rows is not None:
        parts[SHEET] = with_sheet_data(sheet_part(content), rows)
    return repacked(content, replace=parts)


@pytest.mark.parametrize("name, content", [
    ("cells without r", lambda: probe_workbook(cells_without_r(row=20_000, count=16_384))),
    ("a huge inline string", lambda: probe_workbook(huge_inline_string(cell=b"B2", size=40 * 1024 * 1024))),
    ("a shared-strings bomb", lambda: probe_workbook(b'<row r="2"><c r="A2" t="s"><v>1999999</v></c></row>',
                                                     replace={SHARED_STRINGS: shared_strings(2_000_000, last=b"x")})),
    ("a cell of 1e400000", lambda: probe_workbook(b'<row r="2"><c r="B2"><v>1e400000</v></c></row>')),
])
def test_the_probes_workbooks_are_checked_within_bounds_as_the_packages_they_are(nomination, name, content):
    # Material is kept for the judges as sent, never read as data: the check opens two small parts.
    stored = run_capped(lambda: add(nomination, "材料.xlsx", content()).content_type, cpu_seconds=10)
    assert stored.value == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (name, stored)
    assert stored.memory_growth < 200 * 1024 * 1024, (name, stored)
