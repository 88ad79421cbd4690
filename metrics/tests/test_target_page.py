"""The city staff's targets page: lists the targets, adds, edits and deletes one through the services;
everyone else is refused the page and every write, and nothing is written."""
import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.models import Role
from metrics.models import Target
from metrics.selectors import indicator_values_with_comparison
from tests.factories import StreetFactory, UserFactory, city_staff, district_staff, street_officer

pytestmark = pytest.mark.django_db

D = datetime.date
URL = "/indicators/targets/"


@pytest.fixture
def street():
    return StreetFactory(name="鲤中街道", code="350502001")


def body(street=None, **overrides):
    return {"indicator": "committee_formation_rate", "area": f"street:{street.code}" if street else "",
            "comparison": "gte", "threshold": "90", "deadline": "2026-12-31", "note": "三年行动", **overrides}


def test_city_staff_see_every_target_with_its_area_unit_and_deadline_in_bounded_queries(
        client, street, django_assert_max_num_queries):
    Target.objects.create(indicator_id="complaint_rate", area_level="street", area_code=street.code,
                          comparison="lte", threshold=Decimal("1.5"), deadline=D(2026, 6, 30), note="压降")
    client.force_login(city_staff())
    with django_assert_max_num_queries(12):
        response = client.get(URL)
    assert response.status_code == 200
    page = response.content.decode()
    assert "业委会组建率" in page and "全市" in page and "80.0%" in page and "2025-05-31" in page
    assert "鲤中街道" in page and "350502001" in page and "1.50件/千户" in page and "压降" in page
    assert "鲤中街道（350502001）" in page  # offered in the area select
    assert reverse("metrics:targets") in page  # the navigation links here


def test_city_staff_add_a_street_target_that_the_dashboards_then_use(client, street):
    client.force_login(city_staff())
    response = client.post(URL, body(street), follow=True)
    assert response.redirect_chain == [(URL, 302)]
    assert "已添加目标" in response.content.decode()
    target = Target.objects.get(area_code=street.code)
    assert (target.area_level, target.indicator_id, target.threshold, target.deadline, target.note) == (
        "street", "committee_formation_rate", Decimal("90"), D(2026, 12, 31), "三年行动")
    row = next(row for row in indicator_values_with_comparison(area_level="street", area_codes=[street.code],
                                                               period=D(2026, 5, 1))
               if row.indicator.code == "committee_formation_rate")
    assert row.target == target  # the street's own target overrides the city-wide one


def test_city_staff_edit_a_target_from_its_prefilled_form(client, street):
    target = Target.objects.get(indicator_id="committee_formation_rate", deadline=D(2027, 12, 31))
    client.force_login(city_staff())
    edit = reverse("metrics:target_edit", kwargs={"pk": target.pk})
    form = client.get(edit).context["form"]
    assert form["threshold"].value() == "95" and form["area"].value() == ""
    response = client.post(edit, body(street, threshold="97.5", deadline="2027-12-31", comparison="eq"))
    assert response.status_code == 302
    target.refresh_from_db()
    assert (target.area_level, target.area_code, target.comparison, target.threshold) == (
        "street", street.code, "eq", Decimal("97.5"))


def test_city_staff_delete_a_target(client):
    target = Target.objects.get(indicator_id="party_org_coverage")
    client.force_login(city_staff())
    assert client.post(reverse("metrics:target_delete", kwargs={"pk": target.pk})).status_code == 302
    assert not Target.objects.filter(pk=target.pk).exists()


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"threshold": "120"}, "threshold", "目标值须在 0 至 100%"),
    ({"threshold": "-1"}, "threshold", "目标值须在 0 至 100%"),
    ({"indicator": "complaint_rate", "threshold": "1001"}, "threshold", "目标值须在 0 至 1000件/千户"),
    ({"threshold": ""}, "threshold", "请填写目标值"),
    ({"deadline": "2026-02-30"}, "deadline", "完成时限格式应为"),
    ({"deadline": ""}, "deadline", "请填写完成时限"),
    ({"area": "street:350599999"}, "area", "区域不存在"),
    ({"area": "鲤中街道"}, "area", "区域不存在"),
    ({"deadline": "2027-12-31", "area": ""}, "deadline", "已有同一完成时限的目标"),
])
def test_a_wrong_target_is_refused_in_chinese_naming_the_field_and_nothing_is_written(
        client, street, overrides, field, message):
    before = list(Target.objects.values_list("pk", "threshold", "deadline"))
    client.force_login(city_staff())
    response = client.post(URL, body(**overrides))
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors[field])
    assert list(Target.objects.values_list("pk", "threshold", "deadline")) == before


def test_a_target_may_be_saved_again_with_its_own_deadline(client):
    target = Target.objects.get(indicator_id="committee_formation_rate", deadline=D(2027, 12, 31))
    client.force_login(city_staff())
    client.post(reverse("metrics:target_edit", kwargs={"pk": target.pk}), body(deadline="2027-12-31", threshold="96"))
    target.refresh_from_db()
    assert target.threshold == Decimal("96")


@pytest.mark.parametrize("who", ["district", "officer", "judge"])
def test_everyone_else_is_refused_the_page_and_every_write(client, street, who):
    user = {"district": lambda: district_staff(street.district), "officer": lambda: street_officer(street),
            "judge": lambda: UserFactory(role=Role.JUDGE)}[who]()
    target = Target.objects.order_by("pk").first()
    before = list(Target.objects.values_list("pk", "threshold", "deadline", "area_code"))
    client.force_login(user)
    edit = reverse("metrics:target_edit", kwargs={"pk": target.pk})
    assert client.get(URL).status_code == 403
    assert client.get(edit).status_code == 403
    assert client.post(URL, body(street)).status_code == 403
    assert client.post(edit, body(street, threshold="1")).status_code == 403
    assert client.post(reverse("metrics:target_delete", kwargs={"pk": target.pk})).status_code == 403
    assert list(Target.objects.values_list("pk", "threshold", "deadline", "area_code")) == before
    landing = client.get("/", follow=True)
    assert reverse("metrics:targets") not in landing.content.decode()
