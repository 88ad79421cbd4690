"""Indicator definitions, targets and the values feed: filters, scope, targets and attainment, CSV, ETags."""
import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from metrics.models import Comparison, IndicatorValue, Target
from tests.api_clients import TwoDistricts, codes, results, token_client
from tests.factories import CommunityFactory, StreetFactory, city_staff, district_staff, street_officer

pytestmark = pytest.mark.django_db

FORMATION = "committee_formation_rate"


def value(area, period, indicator=FORMATION, numerator=8, denominator=10, **extra):
    return IndicatorValue.objects.create(
        indicator_id=indicator, area_level=area.level, area_code=area.code, period=period, numerator=numerator,
        denominator=denominator, value=Decimal(100) * numerator / denominator if denominator else None,
        computed_at=extra.pop("computed_at", timezone.now()), **extra)


@pytest.fixture
def areas():
    return TwoDistricts()


def test_indicators_list_definitions_with_chinese_names():
    rows = results(token_client(street_officer(StreetFactory())).get("/api/v1/indicators/"))
    by_code = {row["code"]: row for row in rows}
    assert by_code[FORMATION]["name"] == "业委会组建率"
    assert by_code["complaint_rate"]["direction"] == "down"
    assert by_code[FORMATION]["formula"]


def test_value_row_carries_area_name_target_and_attainment(areas):
    Target.objects.create(indicator_id=FORMATION, comparison=Comparison.AT_LEAST, threshold=Decimal("80"),
                          deadline=datetime.date(2025, 5, 31))
    value(areas.street_a, datetime.date(2024, 12, 1), numerator=79, denominator=100)
    row = results(token_client(city_staff()).get("/api/v1/indicator-values/"))[0]
    assert row["area_name"] == areas.street_a.name and row["period"] == "2024-12"
    assert (row["numerator"], row["denominator"], row["value"]) == (79, 100, 79)
    assert row["target"]["threshold"] == 80
    assert row["attainment"] == "near"


def test_an_areas_own_target_overrides_the_city_wide_one(areas):
    Target.objects.create(indicator_id=FORMATION, threshold=Decimal("80"), deadline=datetime.date(2025, 5, 31))
    Target.objects.create(indicator_id=FORMATION, threshold=Decimal("95"), deadline=datetime.date(2025, 5, 31),
                          area_level="street", area_code=areas.street_a.code)
    created = value(areas.street_a, datetime.date(2024, 12, 1), numerator=9, denominator=10)
    row = token_client(city_staff()).get(f"/api/v1/indicator-values/{created.pk}/").json()
    assert row["target"]["threshold"] == 95 and row["attainment"] == "near"


def test_descendants_gives_every_street_under_an_area(areas):
    month = datetime.date(2024, 5, 1)
    for area in (areas.street_a, areas.street_b, areas.district_a):
        value(area, month)
    client = token_client(city_staff())
    everywhere = client.get("/api/v1/indicator-values/", {"area": "350500", "level": "street", "descendants": "true"})
    assert sorted(row["area_code"] for row in results(everywhere)) == sorted([areas.street_a.code,
                                                                               areas.street_b.code])
    in_a = client.get("/api/v1/indicator-values/", {"area": areas.district_a.code, "level": "street",
                                                    "descendants": "true"})
    assert [row["area_code"] for row in results(in_a)] == [areas.street_a.code]
    own = client.get("/api/v1/indicator-values/", {"area": areas.district_a.code})
    assert [row["area_level"] for row in results(own)] == ["district"]


def test_descendants_without_level_gives_the_area_and_every_area_under_it(areas):
    month = datetime.date(2024, 5, 1)
    for area in (areas.street_a, areas.street_b, areas.district_a):
        value(area, month)
    rows = results(token_client(city_staff()).get("/api/v1/indicator-values/", {"area": areas.district_a.code,
                                                                                "descendants": "true"}))
    assert sorted(row["area_code"] for row in rows) == sorted([areas.district_a.code, areas.street_a.code])


def test_descendants_without_area_changes_nothing(areas):
    value(areas.street_a, datetime.date(2024, 5, 1))
    client = token_client(city_staff())
    assert results(client.get("/api/v1/indicator-values/", {"level": "street", "descendants": "true"})) \
        == results(client.get("/api/v1/indicator-values/", {"level": "street"}))


def test_indicator_and_period_filters(areas):
    for month in (1, 2, 3):
        value(areas.street_a, datetime.date(2024, month, 1))
        value(areas.street_a, datetime.date(2024, month, 1), indicator="party_org_coverage")
    value(areas.street_a, datetime.date(2024, 1, 1), indicator="complaint_rate")
    client = token_client(city_staff())
    several = client.get("/api/v1/indicator-values/", {"indicator": f"{FORMATION},party_org_coverage",
                                                       "period_from": "2024-02", "period_to": "2024-03"})
    assert len(results(several)) == 4
    assert {row["period"] for row in results(client.get("/api/v1/indicator-values/", {"period": "2024-01"}))} \
        == {"2024-01"}


def test_updated_since_selects_recently_computed_values(areas):
    value(areas.street_a, datetime.date(2024, 1, 1), computed_at=timezone.now() - datetime.timedelta(days=3))
    fresh = value(areas.street_a, datetime.date(2024, 2, 1))
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    assert codes(token_client(city_staff()).get("/api/v1/indicator-values/", {"updated_since": since}), "id") \
        == [fresh.pk]


def test_street_officer_sees_values_of_its_own_areas_only(areas):
    month = datetime.date(2024, 5, 1)
    community = CommunityFactory(street=areas.street_a)
    own = [value(areas.street_a, month), value(community, month), value(areas.district_a, month)]
    other = value(areas.street_b, month)
    client = token_client(street_officer(areas.street_a))
    assert sorted(codes(client.get("/api/v1/indicator-values/"), "id")) == sorted(v.pk for v in own)
    assert client.get(f"/api/v1/indicator-values/{other.pk}/").status_code == 404


def test_district_staff_see_their_district_and_its_streets(areas):
    month = datetime.date(2024, 5, 1)
    own = [value(areas.street_a, month), value(areas.district_a, month)]
    value(areas.district_b, month)
    client = token_client(district_staff(areas.district_a))
    assert sorted(codes(client.get("/api/v1/indicator-values/"), "id")) == sorted(v.pk for v in own)


def test_targets_show_city_wide_and_own_area_ones(areas):
    city_wide = Target.objects.create(indicator_id=FORMATION, threshold=80, deadline=datetime.date(2025, 5, 31))
    own = Target.objects.create(indicator_id=FORMATION, threshold=90, deadline=datetime.date(2025, 5, 31),
                                area_level="district", area_code=areas.district_a.code)
    other = Target.objects.create(indicator_id=FORMATION, threshold=90, deadline=datetime.date(2025, 5, 31),
                                  area_level="district", area_code=areas.district_b.code)
    listed = codes(token_client(district_staff(areas.district_a)).get("/api/v1/targets/"), "id")
    assert {city_wide.pk, own.pk} <= set(listed) and other.pk not in listed


def test_feed_pages_through_cursor_and_answers_304(areas):
    for month in range(1, 8):
        value(areas.street_a, datetime.date(2024, month, 1))
    client = token_client(city_staff())
    seen, url = [], "/api/v1/indicator-values/?page_size=3"
    while url:
        response = client.get(url)
        assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
        seen += [row["period"] for row in response.json()["results"]]
        url = response.json()["next"]
    assert sorted(seen) == [f"2024-0{m}" for m in range(1, 8)]


def test_feed_as_csv_has_area_names_and_a_bom(areas):
    value(areas.street_a, datetime.date(2024, 5, 1))
    response = token_client(city_staff()).get("/api/v1/indicator-values/", {"format": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeffid,indicator,indicator_name,area_level,area_code,area_name,period,")
    assert areas.street_a.name in text and "target.threshold" in text


def test_feed_page_costs_a_bounded_number_of_queries(areas, django_assert_max_num_queries):
    streets = [areas.street_a, areas.street_b] + [StreetFactory(district=areas.district_a) for _ in range(3)]
    Target.objects.create(indicator_id=FORMATION, threshold=80, deadline=datetime.date(2025, 5, 31))
    for street in streets:
        for month in range(1, 7):
            value(street, datetime.date(2024, month, 1))
    client = token_client(city_staff())
    # Sign-in, the page, names, targets, indicators and the months rows are compared with and projected from.
    with django_assert_max_num_queries(7):
        assert len(results(client.get("/api/v1/indicator-values/"))) == 30


def test_each_value_comes_with_its_change_and_its_targets_projection(areas, settings):
    settings.METRICS_BASELINE_PERIOD = "2024-01"  # the target in force: the city's ≥ 80% by 2025-05-31
    for month, numerator in zip(range(1, 7), range(40, 52, 2)):  # 40 → 50 of 100: two more a month
        value(areas.street_a, datetime.date(2024, month, 1), numerator=numerator, denominator=100)
    rows = results(token_client(city_staff()).get("/api/v1/indicator-values/", {"period": "2024-06"}))
    june = next(row for row in rows if row["area_code"] == areas.street_a.code)
    assert (Decimal(str(june["change_vs_baseline"])), Decimal(str(june["change_vs_previous"]))) == (10, 2)
    projection = june["projection"]
    # 11 months on: 72 of 100 (missed); 30 more needed in 11 months, 2.7 a month, 3 whole committees.
    assert projection["deadline"] == "2025-05-31" and Decimal(str(projection["projected_value"])) == 72
    assert projection["attainment"] == "missed" and Decimal(str(projection["needed_per_month"])) == 3
    assert Decimal(str(projection["trend_per_month"])) == 2


def test_a_page_serializes_each_row_as_the_row_serializer_does(areas):
    from metrics.api.serializers import IndicatorValueSerializer

    from metrics.api.views import FEED_COLUMNS

    Target.objects.create(indicator_id=FORMATION, threshold=Decimal("80"), deadline=datetime.date(2025, 5, 31))
    computed_at = timezone.now()
    value(areas.street_a, datetime.date(2024, 12, 1), numerator=79, denominator=100, provisional=True)
    value(areas.district_a, datetime.date(2024, 12, 1), indicator="complaint_rate", numerator=3, denominator=0)
    # Rows sharing their month and time computed (represented once per page) but not their figures.
    value(areas.street_a, datetime.date(2024, 11, 1), numerator=7, computed_at=computed_at)
    value(areas.street_b, datetime.date(2024, 11, 1), numerator=9, computed_at=computed_at)
    rows = list(IndicatorValue.objects.order_by("pk"))
    expected = [IndicatorValueSerializer(row).data for row in rows]
    page = IndicatorValueSerializer(IndicatorValue.objects.order_by("pk"), many=True).data
    assert page == expected
    # The feed's list serializes values() rows: the same output.
    assert IndicatorValueSerializer(list(IndicatorValue.objects.order_by("pk").values(*FEED_COLUMNS)), many=True).data == expected
    assert page[1]["value"] is None and page[0]["target"]["threshold"] == 80
    assert page[2]["computed_at"] == page[3]["computed_at"] and page[2]["period"] == page[3]["period"] == "2024-11"
    assert [page[2]["value"], page[3]["value"]] == [70, 90] and page[3]["area_code"] == areas.street_b.code
