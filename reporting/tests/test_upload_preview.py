"""The Excel template carries last month's values on a sheet the import ignores; the upload's preview
is grouped (changes by kind, unchanged and error counts) with the confirmation above the lists."""
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from reporting.excel import PREVIOUS_SHEET, monthly_template, read_monthly_workbook
from reporting.periods import add_months
from reporting.preview import SHOWN_PER_GROUP
from reporting.services import monthly_records_save, monthly_report_get_or_create
from tests.factories import CompoundFactory

from .conftest import PERIOD, filled_template, row

pytestmark = pytest.mark.django_db


def save(street, period, officer, *rows):
    report = monthly_report_get_or_create(street=street, period=period)
    monthly_records_save(report=report, rows=list(rows), actor=officer, expected_version=report.version, source="t")


def test_the_template_lists_last_months_values_in_grey_on_its_own_sheet(street, compounds, officer):
    save(street, add_months(PERIOD, -1), officer, row("C0001", petitions=17, public_revenue_disclosed=True))
    workbook = load_workbook(BytesIO(monthly_template(street=street, period=PERIOD)))

    previous = workbook[PREVIOUS_SHEET]

    assert workbook.sheetnames.index(PREVIOUS_SHEET) == 2  # after the data and the instructions
    assert [cell.value for cell in previous[1]] == [cell.value for cell in workbook.worksheets[0][1]]
    assert (previous["A2"].value, previous["E2"].value, previous["T2"].value) == ("C0001", 17, "是")
    assert previous["E2"].font.color.rgb.endswith("808080")
    assert previous["E3"].value is None  # 温陵小区 had no data last month
    assert any("上月数据" in str(line[0].value) and "导入时不读取" in str(line[0].value)
               for line in workbook["填写说明"].iter_rows())


def test_the_import_ignores_the_previous_months_sheet(street, compounds):
    workbook = load_workbook(BytesIO(filled_template(street, {"E2": 5})))
    workbook[PREVIOUS_SHEET]["E2"] = "不是数字"
    workbook[PREVIOUS_SHEET]["A9"] = "X9999"
    buffer = BytesIO()
    workbook.save(buffer)

    rows = read_monthly_workbook(buffer.getvalue(), street=street, period=PERIOD)

    assert [(r.code, r.values["petitions"]) for r in rows] == [("C0001", 5), ("C0002", None)]


def preview(client, street, cells):
    return client.post(reverse("reporting:upload", kwargs={"street_code": street.code, "period": PERIOD}),
                       {"file": SimpleUploadedFile("月报.xlsx", filled_template(street, cells))})


def test_the_preview_counts_each_kind_of_change_and_puts_the_confirmation_above_the_lists(
        client, report, officer, media, community):
    save(report.street, PERIOD, officer, row("C0001", petitions=1), row("C0002", petitions=2))
    CompoundFactory(community=community, code="C0003", name="新建小区")
    client.force_login(officer)

    # C0001 changes, C0002 stays, C0003 is new.
    page = preview(client, report.street, {"E2": 9, "E4": 3}).content.decode()

    summary = page[page.index('data-testid="preview-summary"'):page.index("</section>", page.index('data-testid="preview-summary"'))]
    assert "修改 1" in summary and "新增 1" in summary and "不变 1" in summary
    assert 'data-testid="confirm-upload"' in summary and "确认导入 2 个小区" in summary
    assert page.index('data-testid="confirm-upload"') < page.index('data-testid="preview-group-update"')
    assert 'class="card sticky-top"' in page


def test_a_long_preview_lists_a_bounded_number_of_rows_per_group(client, report, officer, media, community):
    CompoundFactory.create_batch(SHOWN_PER_GROUP + 5, community=community)
    client.force_login(officer)
    cells = {f"C{line}": 1 for line in range(2, SHOWN_PER_GROUP + 9)}

    page = preview(client, report.street, cells).content.decode()

    assert f"新增 {SHOWN_PER_GROUP + 7}" in page
    assert f"仅列出前 {SHOWN_PER_GROUP} 个小区，确认导入时全部保存" in page
