"""The pivot table in headless Chromium: built, sorted, charted, saved, reopened from its link and
downloaded, with no console errors (the strict Content-Security-Policy included)."""
import csv
import io

import pytest
from openpyxl import load_workbook

from analysis.models import SavedPivot
from districts.models import District
from tests.factories import city_staff, street_officer
from tests.test_dashboard_browser import assert_chart_drawn, demo_city, hover_tooltip, sign_in  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def build(page, district, indicators):
    """Fill the pivot form as a user would and submit it."""
    page.get_by_role("link", name="数据透视").first.click()
    assert page.locator("#pivot-chart").count() == 1  # the default pivot is drawn at once
    for box in page.locator(".pivot-indicators input[type=checkbox]").all():
        box.uncheck()
    for name in indicators:
        page.locator(".pivot-indicators label", has_text=name).locator("input").check()
    page.select_option("#id_area", district.code)
    page.select_option("#id_level", "street")
    page.select_option("#id_kind", "month")
    page.fill("#id_period_from", "2026-08")
    page.fill("#id_period_to", "2026-10")
    page.select_option("#id_indicator_axis", "rows")
    page.select_option("#id_area_axis", "rows")
    page.select_option("#id_period_axis", "columns")
    with page.expect_navigation():
        page.get_by_role("button", name="生成透视表").click()


def table_text(page) -> list[list[str]]:
    return [row.locator("th, td").all_inner_texts() for row in page.locator("#table-pivot tbody tr").all()]


def test_a_pivot_is_built_saved_reopened_from_its_link_and_exported(page, screenshot, demo_city):  # noqa: F811
    city_staff(username="pivot_browser")
    sign_in(page, "pivot_browser")
    district = District.objects.get(pk=demo_city["district"].pk)
    streets = district.streets.count()
    build(page, district, ["业委会组建率", "小区党组织覆盖率"])

    rows = table_text(page)
    assert len(rows) == 2 * (1 + streets)
    assert rows[0][0] == f"{district.name}（合计）" and rows[0][1].startswith("小区党组织覆盖率")
    header = page.locator("#table-pivot thead th").all_inner_texts()
    assert [text.split(" ")[0] for text in header[2:]] == ["2026年8月", "2026年9月", "2026年10月"]
    hint = page.locator("#table-pivot tbody td[title]").first.get_attribute("title")
    assert hint.startswith("分子 ") and " / 分母 " in hint
    assert_chart_drawn(page, "pivot-chart")
    tip, markers_drawn = hover_tooltip(page, "pivot-chart")
    assert tip and markers_drawn and "%" in tip[0][1]
    screenshot("pivot-01-built")

    # Sort by October, largest first.
    with page.expect_navigation():
        page.locator("#table-pivot thead th").nth(4).locator("a.sort").click()
    assert page.locator("#table-pivot thead th").nth(4).get_attribute("aria-sort") == "descending"
    sorted_rows = table_text(page)

    page.fill("#id_name", "鲤城各街道组建与覆盖")
    with page.expect_navigation():
        page.get_by_role("button", name="保存为视图").click()
    saved = SavedPivot.objects.get(name="鲤城各街道组建与覆盖")
    assert page.url.endswith(f"/analysis/pivot/saved/{saved.pk}/")
    link = page.locator(".share-link").inner_text()
    assert link.endswith(f"/analysis/pivot/saved/{saved.pk}/")
    screenshot("pivot-02-saved")

    page.goto(link)
    assert page.locator("h1").inner_text() == "鲤城各街道组建与覆盖"
    assert table_text(page) == sorted_rows
    assert_chart_drawn(page, "pivot-chart")

    with page.expect_download() as download:
        page.locator("#table-pivot .downloads a", has_text="Excel").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    with open(download.value.path(), "rb") as file:
        sheet = load_workbook(io.BytesIO(file.read())).worksheets[0]
    assert sheet.cell(row=1, column=1).value.startswith("数据透视：")
    table_header = next(row for row in sheet.iter_rows() if row[0].value == "区域")
    assert sheet.freeze_panes == f"A{table_header[0].row + 1}"
    first = sheet[table_header[0].row + 1]
    assert first[0].value == sorted_rows[0][0] and first[4].number_format == '0.0"%"'
    with page.expect_download() as download:
        page.locator("#table-pivot .downloads a", has_text="CSV").click()
    with open(download.value.path(), encoding="utf-8-sig") as file:
        exported = list(csv.reader(file))
    assert exported[0][:2] == ["区域", "指标"] and len(exported) == len(sorted_rows) + 1
    assert page.console_errors == []


def test_a_link_opened_by_a_street_officer_shows_only_their_street(page, demo_city):  # noqa: F811
    owner = city_staff(username="pivot_owner")
    saved = SavedPivot.objects.create(owner=owner, name="全市各区", params={
        "indicator": ["committee_formation_rate"], "area": "350500", "level": "district", "kind": "month",
        "period_from": "2026-10", "period_to": "2026-10", "indicator_axis": "filter", "area_axis": "rows",
        "period_axis": "columns"})
    street = demo_city["street"]
    street_officer(street, username="pivot_street")
    sign_in(page, "pivot_street")
    page.goto(f"/analysis/pivot/saved/{saved.pk}/")
    assert f"已改为您所辖的{street.name}" in page.locator(".notice").first.inner_text()
    rows = table_text(page)
    assert rows[0][0] == f"{street.name}（合计）"
    assert all(demo_city["other_street"].name not in row[0] for row in rows)
    assert page.console_errors == []
