"""Malformed or hostile .xlsx files: each gets a clear Chinese error on every way in, and changes nothing.

Each case goes through read_monthly_workbook (first in a child process capped in memory and CPU
time, so a regression fails the test instead of eating the machine), the upload page and
import_monthly. The bombs are built in memory (tests/hostile_files.py), so nothing big is ever
written to disk.
"""
import re
import zipfile
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from reporting.excel import ExcelLayoutError, headers, monthly_template, read_monthly_workbook
from reporting.models import MonthlyRecord, MonthlyReport
from reporting.services import monthly_records_save

from tests.capped import capped_memory, run_capped  # noqa: F401 - capped_memory is a fixture
from tests.hostile_files import (
    SHARED_STRINGS,
    SHEET,
    WORKBOOK,
    billion_laughs,
    cells_without_r,
    huge_inline_string,
    nested,
    repacked,
    rows_without_r,
    shared_strings,
    sheet_part,
    with_sheet_data,
)

from .conftest import PERIOD, row

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("capped_memory")]


@pytest.fixture
def saved(report, officer, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    monthly_records_save(report=report, rows=[row("C0001", petitions=4)], actor=officer,
                         expected_version=report.version, source="测试")
    report.refresh_from_db()
    return report


def database_state(report):
    report.refresh_from_db()
    return (MonthlyReport.objects.count(), MonthlyRecord.objects.count(), MonthlyRecord.history.count(),
            report.version, list(MonthlyRecord.objects.values_list("compound__code", "petitions")))


def assert_refused_everywhere(content, message, *, report, officer, client, tmp_path, name="月报.xlsx",
                              reader=True):
    """The same file through the reader, the upload page and the command: refused, nothing changed."""
    before = database_state(report)
    if reader:
        refused = run_capped(lambda: read_monthly_workbook(content, street=report.street, period=PERIOD))
        assert isinstance(refused.value, ExcelLayoutError), refused
        assert re.search(message, refused.value.message), refused
    client.force_login(officer)
    url = reverse("reporting:upload", kwargs={"street_code": report.street.code, "period": PERIOD})
    response = client.post(url, {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 400
    assert re.search(message, response.content.decode())
    assert "reporting_pending_upload" not in client.session
    kept = tmp_path / "media" / "reporting" / "uploads"
    assert not kept.exists() or not list(kept.iterdir()), "a refused file is never kept"
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message) as refused:
        call_command("import_monthly", str(path), "--street", report.street.code, "--period", "2024-05")
    assert refused.value.returncode == 1  # the command's exit status
    assert database_state(report) == before


def template(report, cells=None, text_cells=None) -> bytes:
    workbook = load_workbook(BytesIO(monthly_template(street=report.street, period=PERIOD)))
    sheet = workbook.worksheets[0]
    for ref, value in (cells or {}).items():
        sheet[ref] = value
    for ref, value in (text_cells or {}).items():
        sheet[ref] = value
        sheet[ref].data_type = "s"  # stored as text, not as a formula
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_csv_renamed_xlsx(saved, officer, client, tmp_path):
    assert_refused_everywhere("小区代码,小区名称\nC0001,泉秀花园\n".encode(), "不是有效的 .xlsx 文件",
                              report=saved, officer=officer, client=client, tmp_path=tmp_path)


def test_legacy_xls_content_renamed_xlsx(saved, officer, client, tmp_path):
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    assert_refused_everywhere(ole2, r"旧版 Excel（\.xls）", report=saved, officer=officer, client=client,
                              tmp_path=tmp_path)


def test_xlsx_renamed_xls(saved, officer, client, tmp_path):
    # A good workbook, wrong name: the page and the command go by the name, as the user was told to.
    assert_refused_everywhere(template(saved, {"E2": 9}), r"只能(上传|导入) \.xlsx 格式的文件", report=saved,
                              officer=officer, client=client, tmp_path=tmp_path, name="月报.xls", reader=False)


def test_zip_without_workbook_parts(saved, officer, client, tmp_path):
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    assert_refused_everywhere(buffer.getvalue(), "缺少 Excel 工作簿的必需部分", report=saved, officer=officer,
                              client=client, tmp_path=tmp_path)


def test_zip_bomb(saved, officer, client, tmp_path):
    cells = b'<c r="C2"><v>1</v></c>' * 50_000  # ~1 MB, written 200 times: a 200 MB sheet
    content = repacked(template(saved), replace={"xl/worksheets/sheet1.xml": (cells for _ in range(200))})
    assert len(content) < 1024 * 1024
    assert_refused_everywhere(content, "文件解压后过大", report=saved, officer=officer, client=client,
                              tmp_path=tmp_path)


def test_zip_bomb_lying_about_its_size(saved, officer, client, tmp_path, settings):
    # The directory claims 1,000 bytes; the part really inflates to 20 MB. Reading stops at the claim.
    settings.MONTHLY_UPLOAD_MAX_UNCOMPRESSED_BYTES = 2 * 1024 * 1024
    cells = b'<c r="C2"><v>1</v></c>' * 50_000
    content = bytearray(repacked(template(saved), replace={"xl/worksheets/sheet1.xml": (cells for _ in range(20))}))
    name = b"xl/worksheets/sheet1.xml"
    central = content.rindex(b"PK\x01\x02", 0, content.rindex(name))
    local = content.rindex(b"PK\x03\x04", 0, content.index(name))
    content[central + 24:central + 28] = (1000).to_bytes(4, "little")
    content[local + 22:local + 26] = (1000).to_bytes(4, "little")
    assert_refused_everywhere(bytes(content), "文件已损坏或格式不受支持", report=saved, officer=officer, client=client,
                              tmp_path=tmp_path)


def test_too_many_zip_entries(saved, officer, client, tmp_path, settings):
    extra = [(f"xl/junk/{n}.xml", b"") for n in range(settings.MONTHLY_UPLOAD_MAX_ZIP_ENTRIES)]
    assert_refused_everywhere(repacked(template(saved), extra=extra), "文件内部条目过多", report=saved,
                              officer=officer, client=client, tmp_path=tmp_path)


def test_path_traversal_entry(saved, officer, client, tmp_path):
    content = repacked(template(saved), extra=[("../../x", b"owned")])
    assert_refused_everywhere(content, "非法路径“../../x”", report=saved, officer=officer, client=client,
                              tmp_path=tmp_path)


def test_formula_cell(saved, officer, client, tmp_path):
    assert_refused_everywhere(template(saved, {"E2": "=1+1"}), "含有公式", report=saved, officer=officer,
                              client=client, tmp_path=tmp_path)


def test_hyperlink_formula_cell(saved, officer, client, tmp_path):
    content = template(saved, {"B2": '=HYPERLINK("http://evil.example/","点击")'})
    assert_refused_everywhere(content, "含有公式", report=saved, officer=officer, client=client, tmp_path=tmp_path)


def test_formula_typed_as_text(saved, officer, client, tmp_path):
    content = template(saved, text_cells={"E3": "=1+1"})
    assert_refused_everywhere(content, "E3 单元格含有公式", report=saved, officer=officer, client=client,
                              tmp_path=tmp_path)


def test_wrong_first_sheet(saved, officer, client, tmp_path):
    workbook = Workbook()
    workbook.active.title = "Sheet1"
    workbook.active.append(["编号", "名称"])
    buffer = BytesIO()
    workbook.save(buffer)
    assert_refused_everywhere(buffer.getvalue(), "第一张工作表应为“月报数据”，实为“Sheet1”", report=saved,
                              officer=officer, client=client, tmp_path=tmp_path)


def test_wrong_headers(saved, officer, client, tmp_path):
    assert_refused_everywhere(template(saved, {"C1": "别的"}), "C列应为“三方议事会议次数”，实为“别的”",
                              report=saved, officer=officer, client=client, tmp_path=tmp_path)


def test_far_away_cell_would_make_the_reader_allocate_the_whole_grid(saved, officer, client, tmp_path):
    # One cell at U1000000 in a file of a few KB: calamine would allocate 1,000,000 × 21 cells.
    assert_refused_everywhere(template(saved, {"U1000000": 1}), "工作表行数过多（第 1000000 行有内容",
                              report=saved, officer=officer, client=client, tmp_path=tmp_path)


def test_far_away_column_is_refused(saved, officer, client, tmp_path):
    assert_refused_everywhere(template(saved, {"XFD2": 1}), "工作表列数过多", report=saved, officer=officer,
                              client=client, tmp_path=tmp_path)


def test_a_million_rows(saved, officer, client, tmp_path):
    def sheet():
        yield b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        for start in range(1, 1_000_001, 10_000):
            yield b"".join(b'<row r="%d"><c r="C%d"><v>1</v></c></row>' % (n, n) for n in range(start, start + 10_000))
        yield b"</sheetData></worksheet>"

    content = repacked(template(saved), replace={"xl/worksheets/sheet1.xml": sheet()})
    assert_refused_everywhere(content, "工作表行数过多", report=saved, officer=officer, client=client,
                              tmp_path=tmp_path)


def test_more_rows_than_the_street_has_compounds(saved, officer, client, tmp_path):
    cells = {f"A{n}": f"X{n:04d}" for n in range(4, 54)} | {f"C{n}": 1 for n in range(4, 54)}
    assert_refused_everywhere(template(saved, cells), r"52 行数据，超过本街道的小区数（2 个）", report=saved,
                              officer=officer, client=client, tmp_path=tmp_path)


def test_file_over_the_size_limit(saved, officer, client, tmp_path, settings):
    content = template(saved)
    settings.MONTHLY_UPLOAD_MAX_BYTES = len(content) - 1
    assert_refused_everywhere(content, "文件不能超过", report=saved, officer=officer, client=client, tmp_path=tmp_path)


def test_the_template_itself_still_passes(saved):
    rows = read_monthly_workbook(template(saved, {"E3": 2}), street=saved.street, period=PERIOD)
    assert [(r.code, r.values["petitions"]) for r in rows] == [("C0001", 4), ("C0002", 2)]
    assert headers()[0] == "小区代码"


# --- The probe's files: what the XML claims must not decide what the reader builds ---------------

def hostile(saved, rows=None, *, replace=None) -> bytes:
    """The street's template with its compound rows replaced by `rows` (the header stays), and parts replaced."""
    content = template(saved)
    parts = dict(replace or {})
    if rows is not None:
        parts[SHEET] = with_sheet_data(sheet_part(content), rows)
    return repacked(content, replace=parts)


def test_cells_without_r_cannot_make_the_reader_allocate_the_grid(saved, officer, client, tmp_path):
    # 16,384 cells with no `r` in row 20,000: calamine placed them by a counter the container check
    # never saw and allocated 20,000 × 16,384 cells (10 GB) for a 6 KB file.
    content = hostile(saved, cells_without_r(row=20_000, count=16_384))
    assert len(content) < 10 * 1024
    assert_refused_everywhere(content, "工作表列数过多", report=saved, officer=officer, client=client,
                              tmp_path=tmp_path)


def test_a_single_quoted_far_reference_is_seen_for_what_it_is(saved, officer, client, tmp_path):
    content = hostile(saved, b"<row r='20000'><c r='XFD20000'><v>1</v></c></row>")
    assert_refused_everywhere(content, "工作表列数过多", report=saved, officer=officer, client=client,
                              tmp_path=tmp_path)


def test_a_million_rows_without_r(saved, officer, client, tmp_path):
    content = hostile(saved, rows_without_r(1_000_000))
    assert_refused_everywhere(content, "工作表行数过多", report=saved, officer=officer, client=client,
                              tmp_path=tmp_path)


def test_a_cell_longer_than_excel_allows(saved, officer, client, tmp_path):
    content = hostile(saved, huge_inline_string(cell=b"B2", size=100_000))
    assert_refused_everywhere(content, r"单元格内容过长（超过 32767 个字符）", report=saved, officer=officer,
                              client=client, tmp_path=tmp_path)


def test_a_huge_inline_string(saved, officer, client, tmp_path):
    # 40 MB of text in one cell, a few KB zipped.
    content = hostile(saved, huge_inline_string(cell=b"B2", size=40 * 1024 * 1024))
    assert len(content) < 200 * 1024
    assert_refused_everywhere(content, "一行内容过多", report=saved, officer=officer, client=client,
                              tmp_path=tmp_path)


def test_a_shared_strings_bomb_is_read_only_as_far_as_the_cells_need(saved):
    # Two million shared strings; the one cell that uses them names the last.
    content = hostile(saved, b'<row r="2"><c r="A2" t="s"><v>1999999</v></c><c r="E2"><v>3</v></c></row>',
                      replace={SHARED_STRINGS: shared_strings(2_000_000, last=b"C0002")})
    read = run_capped(lambda: read_monthly_workbook(content, street=saved.street, period=PERIOD))
    assert not read.raised, read
    assert [(r.code, r.values["petitions"]) for r in read.value] == [("C0002", 3)]


def test_a_cell_naming_a_shared_string_the_file_does_not_have(saved, officer, client, tmp_path):
    content = hostile(saved, b'<row r="2"><c r="A2" t="s"><v>999999999</v></c></row>',
                      replace={SHARED_STRINGS: shared_strings(10, last=b"C0002")})
    assert_refused_everywhere(content, "文件已损坏", report=saved, officer=officer, client=client, tmp_path=tmp_path)


def test_one_long_shared_string_in_every_cell_is_kept_once(saved):
    long_name = "长" * 30_000
    cells = b"".join(b'<c r="%s2" t="s"><v>0</v></c>' % column.encode() for column in "BCDEFGHIJKLMNOPQRSTU")
    rows = (b'<row r="%d">' % n + cells.replace(b"2\"", b'%d"' % n) + b"</row>" for n in range(2, 20_001))
    content = hostile(saved, rows, replace={SHARED_STRINGS: shared_strings(1, last=long_name.encode())})
    # 19,999 rows × 20 cells × 30,000 characters would be 36 GB as separate strings.
    refused = run_capped(lambda: read_monthly_workbook(content, street=saved.street, period=PERIOD))
    assert isinstance(refused.value, ExcelLayoutError), refused
    assert "19999 行数据，超过本街道的小区数" in refused.value.message
    assert refused.memory_growth < 300 * 1024 * 1024, refused


def test_deeply_nested_xml_in_a_cell(saved):
    rows = [b'<row r="2"><c r="A2" t="inlineStr"><is><t>C0001</t></is></c><c r="E2">', *nested(1_000_000),
            b"<v>2</v></c></row>"]
    read = run_capped(lambda: read_monthly_workbook(hostile(saved, rows), street=saved.street, period=PERIOD))
    assert not read.raised, read
    assert [(r.code, r.values["petitions"]) for r in read.value] == [("C0001", 2)]


def test_deeply_nested_workbook_part(saved, officer, client, tmp_path):
    workbook = [b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">', *nested(1_000_000),
                b"</workbook>"]
    assert_refused_everywhere(repacked(template(saved), replace={WORKBOOK: workbook}), "文件已损坏",
                              report=saved, officer=officer, client=client, tmp_path=tmp_path)


@pytest.mark.parametrize("part, root", [(SHEET, b"worksheet"), (WORKBOOK, b"workbook")])
def test_entity_expansion_is_refused(saved, officer, client, tmp_path, part, root):
    content = repacked(template(saved), replace={part: billion_laughs(root)})
    assert_refused_everywhere(content, "文件已损坏", report=saved, officer=officer, client=client, tmp_path=tmp_path)


def test_a_sheet_written_without_r_attributes_reads_like_the_same_sheet_with_them(saved):
    # Without `r` a cell is one column right of the one before: every cell of the rows is filled.
    cells = {f"{column}{line}": 0 for column in "CDEFGHIJKLMNOPQRS" for line in (2, 3)}
    content = template(saved, {**cells, "E2": 5, "T2": "是", "T3": "否", "U2": 88, "U3": 91.5})
    plain = re.sub(rb' r="[A-Z]*[0-9]+"', b"", sheet_part(content))
    assert b' r="' not in plain
    without = read_monthly_workbook(repacked(content, replace={SHEET: plain}), street=saved.street, period=PERIOD)
    assert without == read_monthly_workbook(content, street=saved.street, period=PERIOD)
    assert [(r.code, r.values["petitions"], r.values["evaluation_score"]) for r in without] == [
        ("C0001", 5, 88), ("C0002", 0, 91.5)]


@pytest.mark.parametrize("value", [b"<v>1e4000000</v>", b'<is><t>1e4000000</t></is>'])
def test_a_number_with_a_huge_exponent_is_refused_at_once(saved, officer, client, value):
    # int(Decimal("1e4000000")) alone would take about twenty minutes of CPU.
    kind = b' t="inlineStr"' if value.startswith(b"<is>") else b""
    cells = b"".join(b'<c r="%s2"%s>%s</c>' % (column, kind, value) for column in (b"E", b"J", b"U"))
    content = hostile(saved, b'<row r="2"><c r="A2" t="inlineStr"><is><t>C0001</t></is></c>' + cells + b"</row>")
    client.force_login(officer)
    url = reverse("reporting:upload", kwargs={"street_code": saved.street.code, "period": PERIOD})

    def preview():
        response = client.post(url, {"file": SimpleUploadedFile("月报.xlsx", content)})
        return response.status_code, response.content.decode()

    status, page = run_capped(preview).value
    assert status == 400
    assert page.count("数值过大") == 3
