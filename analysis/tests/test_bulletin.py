"""The monthly bulletin's content, from the hand-built city of the engine's tests (March 2024):
committee formation S1 1 of 2 (50%), S2 1 of 1 (100%), S3 0 of 1 (0%); D1 2 of 3, D2 0 of 1; city 2 of 4."""
import datetime
from decimal import Decimal

from analysis.bulletin import bulletin_content
from communities.models import FirmListing
from tests.factories import PropertyFirmFactory

from .conftest import MARCH


def table(content, key):
    return next(t for t in content.tables if t.key == key)


def rows(tbl, *columns):
    labels = [str(column.label) for column in tbl.columns]
    return [tuple(row[labels.index(label)].value if row[labels.index(label)].value is not None
                  else row[labels.index(label)].text for label in columns) for row in tbl.rows]


def test_the_bulletin_opens_with_the_citys_core_indicators_and_their_change(computed):
    content = bulletin_content(computed.city, MARCH)
    assert content.title == "泉州市物业管理“四升一降”工作月度通报（2024年3月）"
    city = table(content, "city")
    formation = next(row for row in city.rows if row[0].text == "业委会组建率")
    assert (formation[1].value, formation[2].value, formation[3].value) == (Decimal("50"), 2, 4)
    assert any(sentence.startswith("业委会组建率 50.0%") and "目标 ≥ 80.0%" in sentence for sentence in content.summary)
    assert [row[0].text for row in city.rows] == ["小区党组织覆盖率", "业委会组建率", "议事协商覆盖率", "服务品质", "信访矛盾"]


def test_districts_and_streets_are_ranked_best_first_with_the_unvalued_last(computed):
    content = bulletin_content(computed.city, MARCH)
    streets = rows(table(content, "streets"), "名次", "街道(乡镇)", "业委会组建率")
    assert streets[:3] == [(1, computed.areas["S2"].name, Decimal("100")), (2, computed.areas["S1"].name,
                                                                              Decimal("50")),
                           (3, computed.areas["S3"].name, Decimal("0"))]
    assert all(rank == "—" for rank, _name, _value in streets[3:])
    districts = rows(table(content, "districts"), "名次", "区县")
    assert districts[:2] == [(1, computed.areas["D1"].name), (2, computed.areas["D2"].name)]


def test_laggards_list_the_streets_short_of_each_target_with_their_gap(computed):
    content = bulletin_content(computed.city, MARCH)
    laggards = table(content, "laggards-committee_formation_rate")
    assert rows(laggards, "街道(乡镇)", "还需组建业委会的小区(个)") == [(computed.areas["S3"].name, 1),
                                                                   (computed.areas["S1"].name, 1)]


def test_late_reports_are_those_submitted_after_the_due_day_or_not_at_all(computed):
    late = table(bulletin_content(computed.city, MARCH), "late")
    by_street = {row[1].text: (row[3].text, row[4].value, row[5].text) for row in late.rows}
    # S1 submitted on the due day (on time), S3 early; S2 a day late; the areas without a report not at all.
    assert by_street[computed.areas["S2"].name] == ("2024-04-11", 1, "逾期上报")
    assert computed.areas["S1"].name not in by_street and computed.areas["S3"].name not in by_street
    assert by_street["鲤中街道"][2] == "未上报"


def test_red_and_black_list_changes_are_the_listings_and_removals_of_the_month(computed):
    firm = PropertyFirmFactory(registered_district=computed.areas["D1"], name="泉州示例物业有限公司")
    FirmListing.objects.create(firm=firm, kind=FirmListing.Kind.BLACK, listed_on=datetime.date(2024, 3, 12),
                               reason="擅自撤离小区")
    FirmListing.objects.create(firm=firm, kind=FirmListing.Kind.RED, listed_on=datetime.date(2023, 6, 1),
                               delisted_on=datetime.date(2024, 3, 20), reason="服务优良")
    FirmListing.objects.create(firm=firm, kind=FirmListing.Kind.RED, listed_on=datetime.date(2024, 2, 1), reason="早前")
    listings = table(bulletin_content(computed.city, MARCH), "listings")
    assert rows(listings, "榜单", "变动", "日期", "事由") == [("黑榜", "上榜", "2024-03-12", "擅自撤离小区"),
                                                         ("红榜", "移出", "2024-03-20", "服务优良")]
