"""The city staff's page of functional zones: lists each zone's streets and history, moves a street."""
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from districts.models import District, Street, ZoneAdministration
from districts.services import divisions_load, street_zone_change
from tests.factories import city_staff, district_staff, street_officer

pytestmark = pytest.mark.django_db

D = datetime.date
URL = "/areas/zones/"


@pytest.fixture
def huian():
    """惠安县 and the zones: 泉州台商投资区 administers four of its townships."""
    return divisions_load(prefix="350521")


def test_city_staff_see_each_zone_with_its_streets_and_history_in_bounded_queries(client, huian,
                                                                                 django_assert_max_num_queries):
    street_zone_change(street=Street.objects.get(code="350521105"), zone=None, on=D(2025, 7, 1))
    client.force_login(city_staff())
    with django_assert_max_num_queries(12):
        response = client.get(URL)
    assert response.status_code == 200
    zone = next(z for z in response.context["zones"] if z.code == "350500TZ")
    assert "350521105" not in {row.street.code for row in zone.administered}
    assert [(row.street.code, row.valid_to) for row in zone.past] == [("350521105", D(2025, 7, 1))]
    page = response.content.decode()
    assert "泉州台商投资区" in page and "托管历史" in page and "2025-07-01" in page
    assert "东园镇（350521105，现属惠安县）" in page and "洛阳镇（350521104，现属泉州台商投资区）" in page
    assert reverse("districts:zones") in page  # the navigation links here


def test_city_staff_move_a_street_into_a_zone_from_a_date(client, huian):
    street, zone = Street.objects.get(code="350521101"), District.objects.get(code="350500TZ")
    client.force_login(city_staff())
    response = client.post(URL, {"street": street.pk, "zone": zone.pk, "on": "2025-03-01"}, follow=True)
    assert response.redirect_chain == [(URL, 302)]
    assert "自 2025-03-01 起由 泉州台商投资区 管理" in response.content.decode()
    street.refresh_from_db()
    assert street.district == zone
    assert ZoneAdministration.objects.filter(street=street, zone=zone, valid_from=D(2025, 3, 1)).exists()


def test_a_street_goes_back_to_its_county_when_no_zone_is_chosen(client, huian):
    street = Street.objects.get(code="350521105")
    client.force_login(city_staff())
    client.post(URL, {"street": street.pk, "zone": "", "on": "2025-07-01"})
    street.refresh_from_db()
    assert street.district.code == "350521"


@pytest.mark.parametrize(("on", "message"), [
    ("", "请填写生效日期。"),
    ("2025-13-01", "生效日期格式应为"),
    ("tomorrow", "生效日期不能晚于今天"),
])
def test_the_date_is_required_and_not_in_the_future_with_a_message_naming_it(client, huian, on, message):
    street = Street.objects.get(code="350521101")
    if on == "tomorrow":
        on = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    client.force_login(city_staff())
    response = client.post(URL, {"street": street.pk, "zone": District.objects.get(code="350500TZ").pk, "on": on})
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["on"])
    street.refresh_from_db()
    assert street.district.code == "350521"
    assert not ZoneAdministration.objects.filter(street=street).exists()


@pytest.mark.parametrize("who", ["district", "officer"])
def test_district_staff_and_street_officers_are_refused_the_page_and_the_write(client, huian, who):
    street, zone = Street.objects.get(code="350521101"), District.objects.get(code="350500TZ")
    user = district_staff(street.district) if who == "district" else street_officer(street)
    client.force_login(user)
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"street": street.pk, "zone": zone.pk, "on": "2025-03-01"}).status_code == 403
    street.refresh_from_db()
    assert street.district.code == "350521"
    assert not ZoneAdministration.objects.filter(street=street).exists()
    landing = client.get("/", follow=True)
    assert landing.status_code == 200 and "监测看板" in landing.content.decode()
    assert reverse("districts:zones") not in landing.content.decode()
