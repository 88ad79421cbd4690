"""The portal's error pages: a database outage is a 503 in Chinese with Retry-After (HTML for pages,
the API's JSON shape under /api/); any other failure is our own 500 page, never a traceback."""
import datetime

import pytest
from django.db import InterfaceError, OperationalError
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import ApiToken
from reporting import selectors, services
from tests.factories import CompoundFactory, street_officer

pytestmark = pytest.mark.django_db

PERIOD = datetime.date(2024, 5, 1)


@pytest.fixture
def officer():
    compound = CompoundFactory(code="C0001")
    return street_officer(compound.community.street)


@pytest.fixture
def report(officer):
    return services.monthly_report_get_or_create(street=officer.street, period=PERIOD)


def grid_url(officer):
    return f"/reports/{officer.street.code}/2024-05/grid/"


def browser(officer) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(officer)
    return client


def fail_with(monkeypatch, module, name, exc):
    def fail(*args, **kwargs):
        raise exc

    monkeypatch.setattr(module, name, fail)


def test_a_save_cut_off_by_the_database_answers_503_saying_nothing_was_saved(monkeypatch, officer, report):
    fail_with(monkeypatch, services, "monthly_records_save",
              OperationalError("terminating connection due to administrator command"))
    response = browser(officer).post(grid_url(officer), {"version": report.version, "C0001__petitions": "3"})
    page = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "数据库暂时不可用" in page and "没有保存" in page
    assert "Traceback" not in page and "Server Error" not in page and "terminating" not in page


def test_a_page_read_during_an_outage_asks_to_retry_without_mentioning_a_save(monkeypatch, officer, report):
    fail_with(monkeypatch, selectors, "monthly_grid_page", InterfaceError("connection already closed"))
    response = browser(officer).get(grid_url(officer))
    page = response.content.decode()
    assert response.status_code == 503
    assert "数据库暂时不可用，请稍后重试" in page and "没有保存" not in page


def test_the_api_answers_a_database_outage_with_a_json_503(monkeypatch, officer, report):
    fail_with(monkeypatch, services, "monthly_records_save", OperationalError("server closed the connection"))
    _, key = ApiToken.issue(user=officer, name="测试系统", can_write=True)
    client = APIClient(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {key}")
    response = client.patch(f"/api/v1/monthly-reports/{report.pk}/",
                            {"version": report.version, "records": [{"compound": "C0001", "petitions": 3}]},
                            format="json")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response.json() == {"code": "database_unavailable", "field": None, "errors": [],
                               "message": "数据库暂时不可用，您刚才提交的修改没有保存，请稍后重试。"}


def test_any_other_failure_is_our_own_500_page(monkeypatch, officer, report):
    fail_with(monkeypatch, selectors, "monthly_grid_page", ValueError("a bug"))
    response = browser(officer).get(grid_url(officer))
    page = response.content.decode()
    assert response.status_code == 500
    assert "服务器内部错误" in page and "a bug" not in page and "Retry-After" not in response
