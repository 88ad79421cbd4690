"""Periods, dates and times outside the years the portal accepts (common.years) are refused, never a 500.

`?period=0000-01` gave a 500 on every dashboard page: the picker built `date(0, 1, 1)`. A year the
constructor takes but the months around it do not (0001-01 has no month before; 9999-12 no due day
after) failed further in, and so did a time in 9999 with an offset west of UTC. Every dashboard page
(in each download format), every API list, every monthly-report page and every admin change list
gets each of them.
"""
import pytest
from django.contrib import admin
from django.db import models
from django.urls import reverse

from reporting.periods import parse_period
from tests.factories import CompoundFactory, city_staff

pytestmark = pytest.mark.django_db

OUT_OF_RANGE_PERIODS = ["0000-01", "0001-01", "1899-12", "3000-01", "9999-12"]
DASHBOARD_PERIODS = [*OUT_OF_RANGE_PERIODS, "0000-Q1", "0001-Q1", "9999-Q4", "0000", "0001", "9999"]
API_PARAMETERS = [(name, value) for name in ("period", "period_from", "period_to") for value in OUT_OF_RANGE_PERIODS]
EDGE_TIMES = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "3000-01-01T00:00:00Z"]


@pytest.fixture
def compound():
    return CompoundFactory()


@pytest.fixture
def staff_client(client):
    client.force_login(city_staff())
    client.raise_request_exception = False
    return client


def dashboard_urls(compound):
    community = compound.community
    street = community.street
    return [reverse("dashboard:overview"), reverse("dashboard:laggards"),
            reverse("dashboard:district", kwargs={"code": street.district.code}),
            reverse("dashboard:street", kwargs={"code": street.code}),
            reverse("dashboard:community", kwargs={"code": community.code}),
            reverse("dashboard:compound", kwargs={"code": compound.code})]


@pytest.mark.parametrize("period", DASHBOARD_PERIODS)
def test_every_dashboard_page_answers_an_out_of_range_period_with_its_latest_period(compound, staff_client, period):
    served = {}
    for url in dashboard_urls(compound):
        for fmt in (None, "xlsx", "csv"):
            response = staff_client.get(url, {"period": period, **({"format": fmt} if fmt else {})})
            served[url, fmt] = response.status_code
    assert set(served.values()) == {200}, served


@pytest.mark.parametrize("name, value", API_PARAMETERS)
def test_every_api_list_refuses_an_out_of_range_period_with_a_400(staff_client, name, value):
    lists = staff_client.get("/api/v1/").json()
    answers = {url: staff_client.get(url, {name: value}) for url in lists.values()}
    assert {url: answer.status_code for url, answer in answers.items() if answer.status_code not in (200, 400)} == {}
    refused = [answer.json() for answer in answers.values() if answer.status_code == 400]
    assert refused, "no list filters by it"
    assert {error["field"] for error in refused} == {name}


@pytest.mark.parametrize("value", EDGE_TIMES)
def test_every_api_list_answers_a_time_at_the_edge_of_the_calendar_without_a_500(staff_client, value):
    lists = staff_client.get("/api/v1/").json()
    answers = {url: staff_client.get(url, {"updated_since": value}).status_code for url in lists.values()}
    assert {url: status for url, status in answers.items() if status not in (200, 400)} == {}


@pytest.mark.parametrize("period", OUT_OF_RANGE_PERIODS)
def test_monthly_report_pages_of_an_out_of_range_month_are_not_found(compound, staff_client, period):
    street = compound.community.street.code
    for suffix in ("", "grid/", "history/", "template.xlsx", "upload/"):
        assert staff_client.get(f"/reports/{street}/{period}/{suffix}").status_code == 404, suffix


@pytest.mark.parametrize("text", ["1900-01", "2024-05", "2999-12"])
def test_months_inside_the_accepted_years_parse(text):
    assert f"{parse_period(text):%Y-%m}" == text


def out_of_range_date_lookups(model) -> list[dict]:
    lookups = []
    for field in model._meta.concrete_fields:
        if isinstance(field, models.DateField):  # DateTimeField too
            name = field.name
            lookups += [{f"{name}__year": "0"}, {f"{name}__year": "10000"}, {f"{name}__gte": "0001-01-01"},
                        {f"{name}__year": "9999", f"{name}__month": "12", f"{name}__day": "31"}]
    return lookups


def test_every_admin_change_list_answers_an_out_of_range_date_lookup_without_a_500(staff_client):
    staff_client.force_login(city_staff(is_staff=True, is_superuser=True))
    served, tried = {}, 0
    for model, model_admin in admin.site._registry.items():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for lookup in out_of_range_date_lookups(model):
            status = staff_client.get(url, lookup).status_code
            tried += 1
            if status not in (200, 302):
                served[url, tuple(lookup.items())] = status
    assert tried > 50
    assert served == {}
