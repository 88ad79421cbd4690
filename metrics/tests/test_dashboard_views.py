"""Dashboard pages over HTTP: bounded queries, the user's area only, downloads, no phone numbers."""
import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from metrics.services import recompute_range
from tests.factories import (
    CommitteeMemberFactory,
    CommunityFactory,
    CompoundFactory,
    city_staff,
    district_staff,
    street_officer,
)

from .conftest import MARCH

JANUARY = datetime.date(2024, 1, 1)
# Pages cost the same number of queries whatever the data: sign-in, periods, areas, the engine's reads.
MAX_QUERIES = {"overview": 22, "district": 22, "street": 22, "community": 18, "compound": 24, "laggards": 9}


@pytest.fixture
def computed(world, settings):
    settings.METRICS_BASELINE_PERIOD = "2024-01"
    recompute_range(first=JANUARY, last=MARCH)
    return world


def page_urls(world):
    return {
        "overview": reverse("dashboard:overview"),
        "district": reverse("dashboard:district", kwargs={"code": "D1"}),
        "street": reverse("dashboard:street", kwargs={"code": "S1"}),
        "community": reverse("dashboard:community", kwargs={"code": "C1"}),
        "compound": reverse("dashboard:compound", kwargs={"code": "A"}),
        "laggards": reverse("dashboard:laggards"),
    }


@pytest.mark.parametrize("name", list(MAX_QUERIES))
@pytest.mark.parametrize("period", ["2024-03", "2024-Q1", "2024", "2024-02..2024-03"])
def test_each_page_costs_a_bounded_number_of_queries(computed, client, django_assert_max_num_queries, name, period):
    client.force_login(city_staff())
    extra = 0 if period == "2024-03" else 8  # a quarter, a year or a run adds the engine's span reads (a fixed number)
    with django_assert_max_num_queries(MAX_QUERIES[name] + extra):
        response = client.get(page_urls(computed)[name], {"period": period})
    assert response.status_code == 200


def test_queries_do_not_grow_with_the_number_of_compounds(computed, client, django_assert_num_queries):
    client.force_login(city_staff())
    url = reverse("dashboard:community", kwargs={"code": "C1"})
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    CompoundFactory.create_batch(20, community=computed.areas["C1"])
    recompute_range(first=MARCH, last=MARCH)
    with django_assert_num_queries(len(before)):
        client.get(url)


def test_laggards_cost_the_same_queries_whatever_the_number_of_communities(computed, client,
                                                                            django_assert_num_queries):
    client.force_login(district_staff(computed.areas["D1"]))
    url = reverse("dashboard:laggards")
    client.get(url, {"level": "community"})
    with CaptureQueriesContext(connection) as before:
        client.get(url, {"level": "community"})
    for community in CommunityFactory.create_batch(5, street=computed.areas["S1"]):
        CompoundFactory.create_batch(2, community=community)
    recompute_range(first=MARCH, last=MARCH)
    with django_assert_num_queries(len(before)):
        response = client.get(url, {"level": "community"})
    assert "共 7 个未达标或接近目标的区域" in response.content.decode()


def test_a_laggards_page_after_the_last_is_not_found(computed, client):
    client.force_login(city_staff())
    url = reverse("dashboard:laggards")
    assert client.get(url, {"level": "street", "page-committee_formation_rate": "1"}).status_code == 200
    assert client.get(url, {"level": "street", "page-committee_formation_rate": "2"}).status_code == 404
    assert client.get(url, {"level": "street", "page-committee_formation_rate": "9" * 30}).status_code == 404


def test_city_overview_shows_cards_charts_tables_and_links_to_definitions(computed, client):
    client.force_login(city_staff())
    content = client.get(reverse("dashboard:overview"), {"period": "2024-03"}).content.decode()
    for text in ("业委会组建率", "趋势", 'id="trend-chart"', 'id="bar-chart"', 'id="dashboard-data"',
                 "街道(乡镇)排名", "达标热力表", "最近计算", "2024年3月"):
        assert text in content
    assert f'{reverse("metrics:definitions")}#committee_formation_rate' in content
    assert "?period=2024-03&amp;export=ranking&amp;format=xlsx" in content


def test_a_street_officer_sees_only_their_street(computed, client):
    client.force_login(street_officer(computed.areas["S1"]))
    assert client.get(reverse("dashboard:overview")).url == reverse("dashboard:street", kwargs={"code": "S1"})
    assert client.get(reverse("dashboard:street", kwargs={"code": "S1"})).status_code == 200
    assert client.get(reverse("dashboard:community", kwargs={"code": "C2"})).status_code == 200
    assert client.get(reverse("dashboard:compound", kwargs={"code": "A"})).status_code == 200
    for name, code in (("street", "S2"), ("street", "S3"), ("district", "D1"), ("community", "C3"),
                       ("compound", "F")):
        assert client.get(reverse(f"dashboard:{name}", kwargs={"code": code})).status_code == 404, (name, code)


def test_a_street_page_leads_to_this_months_report(computed, client):
    client.force_login(street_officer(computed.areas["S1"]))
    content = client.get(reverse("dashboard:street", kwargs={"code": "S1"})).content.decode()
    assert "/reports/S1/" in content and "月报：填报与查看" in content


def test_district_staff_see_their_district_only(computed, client):
    client.force_login(district_staff(computed.areas["D1"]))
    assert client.get(reverse("dashboard:overview")).url == reverse("dashboard:district", kwargs={"code": "D1"})
    content = client.get(reverse("dashboard:district", kwargs={"code": "D1"})).content.decode()
    assert reverse("reporting:review_queue") in content
    for name, code in (("district", "D2"), ("street", "S3"), ("community", "C4"), ("compound", "G")):
        assert client.get(reverse(f"dashboard:{name}", kwargs={"code": code})).status_code == 404, (name, code)


def test_laggards_of_a_street_officer_are_their_communities(computed, client):
    client.force_login(street_officer(computed.areas["S1"]))
    content = client.get(reverse("dashboard:laggards"), {"level": "street"}).content.decode()
    assert computed.areas["S2"].name not in content and computed.areas["S3"].name not in content
    assert '<option value="community" selected>' in content


def test_pages_need_sign_in(computed, client):
    for url in page_urls(computed).values():
        assert client.get(url).status_code == 302


def test_the_ranking_downloads_as_xlsx_with_the_same_numbers(computed, client):
    client.force_login(city_staff())
    response = client.get(reverse("dashboard:district", kwargs={"code": "D1"}),
                          {"period": "2024-03", "export": "ranking", "format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "D1-2024-03-ranking.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    header = next(number for number, row in enumerate(rows) if row[0] == "名次")
    assert rows[header][:4] == ("名次", "街道(乡镇)", "区县", "业委会组建率")
    assert [(row[0], row[3]) for row in rows[header + 1:]] == [(1, 100), (2, 50)]


def test_a_dashboard_xlsx_is_headed_with_title_area_period_and_units_and_formats_each_figure(computed, client):
    client.force_login(city_staff())
    response = client.get(reverse("dashboard:district", kwargs={"code": "D1"}),
                          {"period": "2024-02..2024-03", "export": "indicators", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    lines = [sheet.cell(row=number, column=1).value for number in range(1, 5)]
    assert lines[0] == "全部指标" and lines[1] == f"区域：{computed.areas['D1'].name}"
    assert lines[2] == "统计期：2024-02 至 2024-03" and lines[3].startswith("单位：% 保留 1 位小数")
    assert sheet.cell(row=1, column=1).font.bold
    header = next(row for row in sheet.iter_rows() if row[0].value == "指标")
    assert sheet.freeze_panes == f"A{header[0].row + 1}"
    by_name = {row[0].value: row for row in sheet.iter_rows(min_row=header[0].row + 1)}
    rate, complaints = by_name["业委会组建率"], by_name["信访矛盾"]
    assert rate[1].number_format == '0.0"%"' and complaints[1].number_format == "0.00"
    # Counts are integers with a thousands separator, not "2983.0000".
    assert isinstance(rate[2].value, int) and isinstance(rate[3].value, int)
    assert rate[2].number_format == "#,##0" and rate[3].number_format == "#,##0"
    assert rate[4].number_format == "+0.0;-0.0;0.0"


def test_every_table_downloads_as_csv_with_a_bom(computed, client):
    client.force_login(city_staff())
    for key in ("indicators", "ranking", "heat"):
        response = client.get(reverse("dashboard:district", kwargs={"code": "D1"}),
                              {"period": "2024-03", "export": key, "format": "csv"})
        assert response.content.startswith("\ufeff".encode())
        header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert header and all(header[1:]) or key == "indicators"
    compound_tables = ("registry", "committees", "party", "contracts", "monthly", "changes")
    for key in compound_tables:
        response = client.get(reverse("dashboard:compound", kwargs={"code": "A"}), {"export": key, "format": "csv"})
        assert response.status_code == 200, key
    assert client.get(reverse("dashboard:overview"), {"export": "nope"}).status_code == 404


def test_compound_page_shows_committee_members_without_phone_numbers(computed, client):
    committee = computed.compounds["A"].committees.get()
    CommitteeMemberFactory(committee=committee, name="林秀英", phone="13905951234")
    client.force_login(city_staff())
    content = client.get(reverse("dashboard:compound", kwargs={"code": "A"})).content.decode()
    # City staff are outside the owning street: the name is masked, on the page and in its files.
    assert "林**" in content and "林秀英" not in content
    assert "13905951234" not in content and "1390595" not in content
    for text in ("登记信息", "业主委员会及成员", "党组织覆盖", "物业服务企业与合同", "月度数据", "变更记录", "2024-03"):
        assert text in content
    export = client.get(reverse("dashboard:compound", kwargs={"code": "A"}), {"export": "committees", "format": "csv"})
    assert "13905951234" not in export.content.decode("utf-8-sig")
    assert "林秀英" not in export.content.decode("utf-8-sig")


def test_the_owning_streets_officer_sees_members_names_on_the_compound_page(computed, client):
    committee = computed.compounds["A"].committees.get()
    CommitteeMemberFactory(committee=committee, name="林秀英", phone="13905951234")
    client.force_login(street_officer(computed.compounds["A"].community.street))
    export = client.get(reverse("dashboard:compound", kwargs={"code": "A"}), {"export": "committees", "format": "csv"})
    assert "林秀英" in export.content.decode("utf-8-sig")


def test_compound_history_lists_changes_with_old_and_new_values(computed, client):
    compound = computed.compounds["B"]
    compound.households = 320
    compound.save()
    client.force_login(city_staff())
    content = client.get(reverse("dashboard:compound", kwargs={"code": "B"})).content.decode()
    assert "户数：300 → 320" in content


def test_provisional_values_are_marked_on_the_page(computed, client):
    recompute_range(first=MARCH, last=MARCH, include_submitted=True)
    client.force_login(city_staff())
    content = client.get(reverse("dashboard:street", kwargs={"code": "S3"}), {"period": "2024-03"}).content.decode()
    assert "暂定" in content and 'class="provisional"' in content


def test_without_computed_values_the_page_says_so(db, client):
    client.force_login(city_staff())
    assert "尚未计算任何指标值" in client.get(reverse("dashboard:overview")).content.decode()
