"""Loading the national division codes and the zones' dated administration of streets."""
import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from communities.models import Community
from districts.models import District, Street, ZoneAdministration
from districts.services import divisions_load, street_zone_change
from tests.api_clients import token_client
from tests.factories import city_staff

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.fixture
def quanzhou():
    return divisions_load(prefix="3505")


@pytest.fixture
def licheng():
    return divisions_load(prefix="350502")


@pytest.fixture
def huian():
    """惠安县 and, with the city, the zones: the Taiwanese investment zone's townships are listed here."""
    return divisions_load(prefix="350521")


def test_quanzhou_loads_its_township_rows_and_communities_without_jinmen(quanzhou):
    # The data lists 175 township-level rows and 2,573 communities and villages under 3505; one
    # of each is 金门县's placeholder, which the default exclusion leaves out.
    assert Street.objects.filter(code__startswith="3505").count() == 174
    assert Community.objects.filter(code__startswith="3505").count() == 2572
    assert not Street.objects.filter(code__startswith="350527").exists()
    assert not District.objects.filter(code="350527").exists()
    assert quanzhou.created["street"] == 174 - 15 and quanzhou.created["community"] == 2572


def test_excluding_nothing_loads_the_whole_listing():
    divisions_load(prefix="3505", exclude=())
    assert Street.objects.filter(code__startswith="3505").count() == 175
    assert Community.objects.filter(code__startswith="3505").count() == 2573


def test_loading_again_changes_nothing(quanzhou, django_assert_max_num_queries):
    with django_assert_max_num_queries(20):
        again = divisions_load(prefix="3505")
    assert set(again.created.values()) == {0} and set(again.updated.values()) == {0}
    assert again.zone_streets == 0


def test_a_load_restores_an_official_name_and_takes_the_kind_from_it(licheng):
    Community.objects.filter(code="350502003001").update(name="旧名社区", kind=Community.Kind.VILLAGE)
    assert divisions_load(prefix="350502").updated["community"] == 1
    community = Community.objects.get(code="350502003001")
    assert (community.name, community.kind) == ("新峰社区", Community.Kind.COMMUNITY)
    assert community.history.first().history_change_reason == "导入统计用区划代码"


def test_kinds_come_from_the_names(licheng, huian):
    kinds = dict(Street.objects.filter(code__in=["350502003", "350521105", "350521200", "350502400"])
                 .values_list("code", "kind"))
    assert kinds == {"350502003": Street.Kind.STREET, "350521105": Street.Kind.TOWN,
                     "350521200": Street.Kind.TOWNSHIP, "350502400": Street.Kind.OTHER}
    assert Community.objects.get(code="350502003001").kind == Community.Kind.COMMUNITY
    assert Community.objects.filter(street__code="350521105", kind=Community.Kind.VILLAGE).exists()
    assert District.objects.get(code="350582").kind == District.Kind.COUNTY_CITY


def test_the_taiwanese_investment_zone_administers_its_four_townships(huian):
    zone = District.objects.get(code="350500TZ")
    assert set(zone.streets.values_list("name", flat=True)) == {"洛阳镇", "东园镇", "张坂镇", "百崎回族乡"}
    assert set(ZoneAdministration.objects.filter(zone=zone).values_list("street__code", flat=True)) == {
        "350521104", "350521105", "350521106", "350521200"}
    assert not District.objects.get(code="350521").streets.filter(name="东园镇").exists()


def test_the_api_answers_official_codes(licheng, huian):
    client = token_client(city_staff())
    assert client.get("/api/v1/streets/350502003/").json()["name"] == "鲤中街道"
    dongyuan = client.get("/api/v1/streets/350521105/").json()
    assert (dongyuan["name"], dongyuan["district"]) == ("东园镇", "350500TZ")
    assert client.get("/api/v1/communities/350502003001/").json()["name"] == "新峰社区"
    communities = {c["name"] for c in client.get("/api/v1/communities/", {"area": "350502003",
                                                                        "page_size": 50}).json()["results"]}
    assert {"新峰社区", "清正社区", "东门社区"} <= communities


def test_a_zone_takes_over_a_street_from_a_date_and_keeps_the_earlier_record(huian):
    street, zone = Street.objects.get(code="350521101"), District.objects.get(code="350500TZ")
    street_zone_change(street=street, zone=zone, on=D(2025, 3, 1))
    street.refresh_from_db()
    assert street.district == zone
    [row] = ZoneAdministration.objects.filter(street=street)
    assert (row.valid_from, row.valid_to) == (D(2025, 3, 1), None)


def test_a_street_returns_to_its_county_from_a_date(huian):
    street = Street.objects.get(code="350521105")
    street_zone_change(street=street, zone=None, on=D(2025, 7, 1))
    street.refresh_from_db()
    assert street.district.code == "350521"
    [row] = ZoneAdministration.objects.filter(street=street)
    assert (row.zone.code, row.valid_from, row.valid_to) == ("350500TZ", None, D(2025, 7, 1))
    assert row.history.first().history_change_reason == "变更（自2025-07-01起生效）"


def test_only_a_functional_zone_administers_a_street(huian):
    with pytest.raises(ValidationError) as raised:
        street_zone_change(street=Street.objects.get(code="350521105"), zone=District.objects.get(code="350524"),
                           on=D(2025, 7, 1))
    assert "功能区" in str(raised.value)
    assert Street.objects.get(code="350521105").district.code == "350500TZ"


def test_a_change_before_a_recorded_later_change_is_refused(huian):
    street = Street.objects.get(code="350521105")
    street_zone_change(street=street, zone=None, on=D(2025, 7, 1))
    with pytest.raises(ValidationError):
        street_zone_change(street=street, zone=District.objects.get(code="350500KF"), on=D(2025, 1, 1))


def test_the_command_loads_a_prefix_and_says_what_it_did():
    out = io.StringIO()
    call_command("load_divisions", "350502", stdout=out)
    assert "社区(村)：新建 " in out.getvalue()
    # Every community of 鲤城区's listing, under its streets (清濛经济开发区 administered by a zone).
    assert Community.objects.filter(code__startswith="350502").count() == Community.objects.filter(
        street__district__code__in=["350502", "350500KF"]).count() == 82
    assert not Street.objects.filter(code__startswith="350503").exclude(
        code__in=["350503001", "350503002"]).exists()


def test_the_city_moves_a_street_to_a_zone_from_a_date_by_command(huian):
    out = io.StringIO()
    call_command("street_zone", "350521101", "350500TZ", "--from", "2025-03-01", stdout=out)
    assert "螺阳镇（350521101）自 2025-03-01 起由 泉州台商投资区" in out.getvalue()
    call_command("street_zone", "350521101", "--from", "2025-09-01", stdout=out)
    assert Street.objects.get(code="350521101").district.code == "350521"
    assert list(ZoneAdministration.objects.filter(street__code="350521101").values_list("valid_from", "valid_to")) == [
        (D(2025, 3, 1), D(2025, 9, 1))]


def test_the_command_names_what_it_refuses(huian):
    with pytest.raises(CommandError, match="功能区"):
        call_command("street_zone", "350521101", "350524", "--from", "2025-03-01", stdout=io.StringIO())


def test_a_move_marks_the_streets_months_from_that_date_for_recompute(huian):
    from metrics.models import StaleStreetMonth

    street = Street.objects.get(code="350521101")
    street_zone_change(street=street, zone=District.objects.get(code="350500TZ"), on=D(2025, 3, 15))
    periods = StaleStreetMonth.objects.filter(street=street).values_list("period", flat=True)
    assert min(periods) == D(2025, 3, 1)


def test_another_city_loads_its_own_prefix_beside_quanzhou():
    divisions_load(prefix="3501")
    fuzhou = District.objects.get(code="350102")
    assert (fuzhou.name, fuzhou.city.code, fuzhou.city.name) == ("鼓楼区", "350100", "福州市")
    assert Street.objects.filter(district__city__code="350100").count() == Street.objects.filter(
        code__startswith="3501").count() > 0
    assert not District.objects.filter(city__code="350100", kind=District.Kind.FUNCTIONAL_ZONE).exists()


def test_a_prefix_outside_the_data_is_refused_by_name():
    with pytest.raises(CommandError, match="没有代码以 99 开头"):
        call_command("load_divisions", "99", stdout=io.StringIO())
