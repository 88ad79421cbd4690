"""403, 404, 500 and a failed CSRF check: Chinese pages in the portal's layout with a way back; JSON
under /api/."""
import datetime

import pytest
from django.test import Client, RequestFactory

from common.errors import page_not_found, permission_denied
from reporting import selectors
from reporting.services import monthly_report_get_or_create
from tests.factories import CompoundFactory, district_staff, street_officer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def officer():
    return street_officer(CompoundFactory(code="C0001").community.street)


def signed_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def test_an_unknown_page_is_a_chinese_404_with_a_way_home_and_to_the_login(client):
    response = client.get("/no-such-page/")
    page = response.content.decode()

    assert response.status_code == 404
    assert "页面不存在" in page and 'class="topbar"' in page
    assert 'href="/"' in page and 'href="/accounts/login/"' in page
    assert "Not Found" not in page


def test_a_404_keeps_the_signed_in_users_navigation(officer):
    page = signed_in(officer).get("/no-such-page/").content.decode()

    assert "页面不存在" in page and "本月月报" in page and "退出" in page


def test_another_areas_object_is_a_404_that_does_not_name_it(officer):
    other = CompoundFactory(code="C0999", name="别的街道小区")

    response = signed_in(officer).get(f"/dashboard/compound/{other.code}/")

    assert response.status_code == 404
    assert "别的街道小区" not in response.content.decode() and "Compound" not in response.content.decode()


def test_a_forbidden_page_is_a_chinese_403_in_the_layout(officer):
    response = signed_in(officer).get("/reports/review/")
    page = response.content.decode()

    assert response.status_code == 403
    assert "没有访问权限" in page and 'class="topbar"' in page and 'href="/"' in page
    assert "Forbidden" not in page


def test_a_refusal_by_a_service_says_why(officer):
    monthly_report_get_or_create(street=officer.street, period=datetime.date(2024, 5, 1))
    reviewer = district_staff(officer.street.district)

    response = signed_in(reviewer).post(f"/reports/{officer.street.code}/2024-05/submit/")

    assert response.status_code == 403
    assert "只有本街道(乡镇)工作人员可以上报该月报" in response.content.decode()


def test_a_form_posted_without_its_csrf_token_gets_a_chinese_page():
    response = Client(enforce_csrf_checks=True).post("/accounts/login/", {"username": "x", "password": "y"})
    page = response.content.decode()

    assert response.status_code == 403
    assert "页面已过期" in page and "安全校验" in page and 'href="/"' in page
    assert "CSRF verification failed" not in page


def test_a_server_error_page_offers_a_way_back(monkeypatch, officer):
    def broken(**kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr(selectors, "monthly_grid_page", broken)

    response = signed_in(officer).get(f"/reports/{officer.street.code}/2024-05/grid/")
    page = response.content.decode()

    assert response.status_code == 500
    assert "服务器内部错误" in page and 'href="/"' in page and "a bug" not in page


def test_the_api_answers_its_errors_in_json():
    response = Client().get("/api/v1/no-such-resource/")

    assert response.status_code in (401, 404)
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("handler, status", [(page_not_found, 404), (permission_denied, 403)])
def test_page_handlers_answer_json_under_the_api(handler, status):
    response = handler(RequestFactory().get("/api/v1/anything/"), None)

    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
