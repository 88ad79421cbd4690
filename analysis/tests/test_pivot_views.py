"""The pivot table (数据透视) over HTTP on the hand-built city: stored figures only, laid out as asked,
validated in Chinese, bounded, downloaded formatted, saved and shared within each viewer's scope."""
import csv
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from analysis.models import SavedPivot
from metrics.models import IndicatorValue
from metrics.selectors import indicator_values_for_run
from tests.factories import city_staff, district_staff, street_officer

from .conftest import JANUARY, MARCH

RATE = "committee_formation_rate"


def streets_by_month(world, **changes):
    """District D1's streets, January to March 2024 month by month, one indicator in the filter."""
    return {"indicator": [RATE], "area": "D1", "level": "street", "kind": "month", "period_from": "2024-01",
            "period_to": "2024-03", "indicator_axis": "filter", "area_axis": "rows", "period_axis": "columns",
            **changes}


def body_rows(content: str) -> list[str]:
    return re.findall(r"<tr>(.*?)</tr>", content.split("<tbody>", 1)[1].split("</tbody>", 1)[0], re.S)


def hints(row: str) -> list[str]:
    return re.findall(r'title="(分子 [^"]*)"', row)


def stored(indicator, level, code, period):
    return IndicatorValue.objects.get(indicator_id=indicator, area_level=level, area_code=code, period=period)


def test_streets_by_month_show_the_stored_values_with_numerator_and_denominator_on_hover(computed, client):
    client.force_login(city_staff())
    content = client.get(reverse("analysis:pivot"), streets_by_month(computed)).content.decode()
    rows = body_rows(content)
    names = [re.search(r'<th scope="row">([^<]*)</th>', row)[1] for row in rows]
    assert names == [f"{computed.areas['D1'].name}（合计）", computed.areas["S1"].name, computed.areas["S2"].name]
    march = stored(RATE, "street", "S1", MARCH)
    assert f"{march.value:.1f}%" in rows[1]
    assert hints(rows[1])[-1] == f"分子 {march.numerator:,.0f} / 分母 {march.denominator:,.0f}"
    assert "业委会组建率（%）" in content and 'id="pivot-data"' in content


def test_a_quarter_and_a_run_of_months_come_from_the_engines_run_read(computed, client):
    client.force_login(city_staff())
    expected = {row.area_code: row for row in indicator_values_for_run(
        area_level="street", area_codes=["S1", "S2"], first=JANUARY, last=MARCH, indicator_codes=["complaint_rate"])}
    for kind in ("quarter", "run"):
        content = client.get(reverse("analysis:pivot"), streets_by_month(
            computed, kind=kind, indicator=["complaint_rate"])).content.decode()
        rows = body_rows(content)
        for row, code in zip(rows[1:], ("S1", "S2")):
            value = expected[code]
            assert f"{value.value:.2f}" in row, kind
            assert hints(row) == [f"分子 {value.numerator:,.0f} / 分母 {value.denominator:,.2f}".replace(".00", "")]


def test_rows_sort_by_a_column_with_missing_values_last(computed, client):
    client.force_login(city_staff())
    response = client.get(reverse("analysis:pivot"), streets_by_month(computed, sort="2", order="asc"))
    rows = body_rows(response.content.decode())
    march = [stored(RATE, "street", code, MARCH).value for code in ("S1", "S2")]
    first = computed.areas["S1"].name if march[0] <= march[1] else computed.areas["S2"].name
    assert first in rows[0]
    assert 'aria-sort="ascending"' in response.content.decode()


@pytest.mark.parametrize("level", ["street", "community"])
def test_the_page_costs_the_same_queries_whatever_the_number_of_areas(computed, client, django_assert_num_queries,
                                                                      level):
    client.force_login(city_staff())
    client.get(reverse("analysis:pivot"))  # the session's first reads
    # Session and user, the unread notices, the user's area and the page's choice of areas (its
    # districts and streets), periods, indicators, the area asked for, the areas under it (count and
    # rows), the values of each level, the saved views.
    with django_assert_num_queries(14):
        response = client.get(reverse("analysis:pivot"), streets_by_month(computed, area="350500", level=level))
    assert response.status_code == 200


@pytest.mark.parametrize(("changes", "message"), [
    ({"indicator": [RATE, "party_org_coverage"]}, "指标：放在筛选区时只能有一项（现为 2 项）"),
    ({"period_to": "2024-13"}, "截止月份：请按 YYYY-MM 填写月份"),
    ({"period_to": "2099-01"}, "截止月份：月份区间最长 120 个月"),
    ({"period_to": "2024-06"}, "截止月份：2024-06 尚无已到截止日的指标数据，最近可选 2024-03。"),
    ({"period_from": "2024-03", "period_to": "2024-01"}, "截止月份：起始月份 2024-03 晚于截止月份 2024-01。"),
    ({"area": "S1", "level": "district"}, "展开到：须为所选区域本级或其下级"),
    ({"indicator": ["no_such"]}, "指标：选择一个有效的选项"),
])
def test_a_selection_that_does_not_validate_says_why_naming_the_field(computed, client, changes, message):
    client.force_login(city_staff())
    content = client.get(reverse("analysis:pivot"), streets_by_month(computed, **changes)).content.decode()
    assert message in content
    assert 'id="pivot-data"' not in content


def test_a_selection_larger_than_the_cell_limit_is_refused(computed, client, monkeypatch):
    monkeypatch.setattr("analysis.forms.MAX_CELLS", 5)
    client.force_login(city_staff())
    content = client.get(reverse("analysis:pivot"), streets_by_month(computed)).content.decode()
    assert "共 9 个单元格，超过上限 5" in content and "<tbody>" not in content


def test_the_xlsx_is_headed_and_formatted_and_the_csv_neutralises_formulas(computed, client):
    street = computed.areas["S1"]
    street.name = '=HYPERLINK("http://x","点击")'
    street.save()
    client.force_login(city_staff())
    params = streets_by_month(computed, indicator_axis="columns", indicator=[RATE, "complaint_rate"])
    response = client.get(reverse("analysis:pivot"), {**params, "format": "xlsx"})
    assert response["Content-Disposition"].endswith('.xlsx"') or ".xlsx" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.content))
    sheet, detail = workbook.worksheets
    lines = [sheet.cell(row=n, column=1).value for n in range(1, 5)]
    assert lines[0].startswith("数据透视：业委会组建率、信访矛盾")
    assert lines[1] == f"区域：{computed.areas['D1'].name}及其下各街道(乡镇)"
    assert lines[2] == "统计期：2024-01 至 2024-03，逐月" and lines[3].startswith("单位：")
    header = next(row for row in sheet.iter_rows() if row[0].value == "区域")
    assert sheet.freeze_panes == f"A{header[0].row + 1}"
    labels = [cell.value for cell in header]
    assert labels[1] == "业委会组建率（%） · 2024年1月" and labels[4] == "信访矛盾（件/千户） · 2024年1月"
    s1 = next(row for row in sheet.iter_rows() if row[0].value == street.name)
    assert s1[0].data_type == "s" and s1[0].quotePrefix
    assert s1[3].number_format == '0.0"%"' and s1[6].number_format == "0.00"
    assert s1[3].value == stored(RATE, "street", "S1", MARCH).value
    numerators = [row[6].value for row in detail.iter_rows(min_row=detail.freeze_panes and 1) if row[3].value == "业委会组建率"]
    assert numerators and all(isinstance(value, int) for value in numerators)

    response = client.get(reverse("analysis:pivot"), {**params, "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "区域" and any(row[0] == "'" + street.name for row in rows)


def test_a_saved_view_reopens_from_its_link_and_a_street_officer_of_another_street_sees_only_theirs(computed,
                                                                                                   client):
    owner = street_officer(computed.areas["S1"])
    client.force_login(owner)
    params = streets_by_month(computed, area="S1", level="community")
    response = client.post(reverse("analysis:pivot_save"), {**params, "name": "鲤中社区组建率"})
    saved = SavedPivot.objects.get(owner=owner)
    assert response.status_code == 302 and response["Location"] == reverse("analysis:saved_pivot", args=[saved.pk])
    assert saved.params["area"] == "S1" and saved.params["level"] == "community"
    content = client.get(response["Location"]).content.decode()
    assert computed.areas["C1"].name in content and "鲤中社区组建率" in content

    client.force_login(street_officer(computed.areas["S2"]))
    content = client.get(reverse("analysis:saved_pivot", args=[saved.pk])).content.decode()
    assert f"所选区域不在您的查看范围内，已改为您所辖的{computed.areas['S2'].name}" in content
    rows = body_rows(content)
    assert computed.areas["C3"].name in rows[1]
    assert computed.areas["C1"].name not in content and computed.areas["S1"].name not in content


def test_only_the_owner_changes_or_deletes_a_saved_view(computed, client):
    owner = city_staff()
    saved = SavedPivot.objects.create(owner=owner, name="各区组建率", params=streets_by_month(computed))
    url, delete = reverse("analysis:saved_pivot", args=[saved.pk]), reverse("analysis:saved_pivot_delete",
                                                                             args=[saved.pk])
    client.force_login(city_staff())
    assert client.get(url).status_code == 200
    assert client.post(url, {**streets_by_month(computed), "name": "改名"}).status_code == 403
    assert client.post(delete).status_code == 403
    saved.refresh_from_db()
    assert saved.name == "各区组建率"

    client.force_login(owner)
    assert client.post(url, {**streets_by_month(computed, period_from="2024-02"), "name": "改名"}).status_code == 302
    saved.refresh_from_db()
    assert saved.name == "改名" and saved.params["period_from"] == "2024-02"
    assert client.post(delete).status_code == 302
    assert not SavedPivot.objects.exists()


def test_a_name_taken_by_the_owner_is_refused_in_chinese(computed, client):
    owner = city_staff()
    SavedPivot.objects.create(owner=owner, name="组建率", params={})
    client.force_login(owner)
    response = client.post(reverse("analysis:pivot_save"), {**streets_by_month(computed), "name": "组建率"},
                           follow=True)
    assert "名称：您已有名为“组建率”的数据透视，请换一个名称。" in response.content.decode()
    assert SavedPivot.objects.count() == 1


def test_an_owner_keeps_a_bounded_number_of_saved_views(computed, client):
    from analysis.services import MAX_SAVED_PIVOTS

    owner = city_staff()
    SavedPivot.objects.bulk_create(SavedPivot(owner=owner, name=f"视图{n}", params={})
                                   for n in range(MAX_SAVED_PIVOTS))
    client.force_login(owner)
    response = client.post(reverse("analysis:pivot_save"), {**streets_by_month(computed), "name": "再存一个"},
                           follow=True)
    assert f"每人最多保存 {MAX_SAVED_PIVOTS} 个数据透视" in response.content.decode()
    assert SavedPivot.objects.filter(owner=owner).count() == MAX_SAVED_PIVOTS


def test_district_staff_asking_for_another_district_get_their_own(computed, client):
    client.force_login(district_staff(computed.areas["D2"]))
    content = client.get(reverse("analysis:pivot"), streets_by_month(computed)).content.decode()
    assert "已改为您所辖的" in content
    assert computed.areas["S3"].name in content and computed.areas["S1"].name not in content


def test_a_stored_selection_of_any_shape_is_validated_again(computed, client):
    saved = SavedPivot.objects.create(owner=city_staff(), name="坏", params={"indicator": {"x": 1}, "area": ["D1"]})
    client.force_login(saved.owner)
    response = client.get(reverse("analysis:saved_pivot", args=[saved.pk]))
    assert response.status_code == 200 and "指标：" in response.content.decode()


def test_periods_not_over_are_left_out_and_said(computed, client):
    client.force_login(city_staff())
    content = client.get(reverse("analysis:pivot"), streets_by_month(
        computed, kind="year", period_from="2024-01", period_to="2024-03")).content.decode()
    assert "2024年 尚未结束或未到截止日，未列出。" in content
    assert "起始月份：所选月份内没有已结束的年度。" in content


def test_sort_links_keep_every_indicator_of_the_selection(computed, client):
    client.force_login(city_staff())
    content = client.get(reverse("analysis:pivot"), streets_by_month(
        computed, indicator=[RATE, "complaint_rate"], indicator_axis="rows")).content.decode()
    links = re.findall(r'<a class="sort no-print" href="([^"]*)"', content)
    assert len(links) == 3
    assert all(f"indicator={RATE}&amp;indicator=complaint_rate" in link for link in links)


def test_a_city_wide_link_opened_by_a_street_officer_lays_out_their_street_and_its_communities(computed, client):
    saved = SavedPivot.objects.create(owner=city_staff(), name="各区", params=streets_by_month(
        computed, area="350500", level="district"))
    client.force_login(street_officer(computed.areas["S1"]))
    rows = body_rows(client.get(reverse("analysis:saved_pivot", args=[saved.pk])).content.decode())
    assert [re.search(r'<th scope="row">([^<]*)</th>', row)[1] for row in rows] == [
        f"{computed.areas['S1'].name}（合计）", computed.areas["C1"].name, computed.areas["C2"].name]


def chart_data(content: str) -> dict:
    import json

    return json.loads(re.search(r'<script id="pivot-data" type="application/json">(.*?)</script>', content, re.S)[1])


def test_the_chart_draws_the_tables_cells_with_time_on_its_axis(computed, client):
    client.force_login(city_staff())
    content = client.get(reverse("analysis:pivot"), streets_by_month(computed)).content.decode()
    chart = chart_data(content)
    assert chart["kind"] == "line" and chart["categories"] == ["2024年1月", "2024年2月", "2024年3月"]
    s1 = next(series for series in chart["series"] if series["name"] == computed.areas["S1"].name)
    march = stored(RATE, "street", "S1", MARCH).value
    assert s1["data"][2] == float(march) and s1["labels"][2] == f"{march:.1f}%"
    # Periods on rows: they stay on the chart's axis; a bar chart when asked.
    content = client.get(reverse("analysis:pivot"), streets_by_month(
        computed, area_axis="columns", period_axis="rows", chart="bar")).content.decode()
    chart = chart_data(content)
    assert chart["kind"] == "bar" and chart["categories"] == ["2024年1月", "2024年2月", "2024年3月"]
    assert [series["name"] for series in chart["series"]][1:] == [computed.areas["S1"].name, computed.areas["S2"].name]


def test_every_dimension_in_the_filters_gives_the_one_stored_value(computed, client):
    client.force_login(city_staff())
    content = client.get(reverse("analysis:pivot"), streets_by_month(
        computed, area="S1", level="street", period_from="2024-03", area_axis="filter",
        period_axis="filter")).content.decode()
    march = stored(RATE, "street", "S1", MARCH)
    rows = body_rows(content)
    assert len(rows) == 1 and f"{march.value:.1f}%" in rows[0]
    assert f"区域：<strong>{computed.areas['S1'].name}</strong>" in content


def test_a_dashboards_link_naming_its_area_and_indicator_opens_that_areas_default_pivot(computed, client):
    client.force_login(city_staff())
    page = client.get(reverse("dashboard:street", kwargs={"code": "S1"}), {"indicator": "complaint_rate"})
    link = re.search(r'href="(/analysis/pivot/\?[^"]*)">数据透视</a>', page.content.decode())[1].replace("&amp;", "&")
    content = client.get(link).content.decode()
    rows = body_rows(content)
    assert [re.search(r'<th scope="row">([^<]*)</th>', row)[1] for row in rows] == [
        f"{computed.areas['S1'].name}（合计）", computed.areas["C1"].name, computed.areas["C2"].name]
    assert "指标：<strong>信访矛盾（件/千户）</strong>" in content


def test_an_indicator_repeated_in_a_link_counts_once(computed, client):
    client.force_login(city_staff())
    content = client.get(reverse("analysis:pivot"), streets_by_month(computed, indicator=[RATE] * 50)).content.decode()
    assert len(body_rows(content)) == 3 and "只能有一项" not in content
