"""Notices, password reset and error pages in headless Chromium, on the embedded default (eager tasks)."""
import datetime
import re

import pytest
from django.core import mail

from reporting.services import monthly_records_save, monthly_report_get_or_create, monthly_report_submit
from reporting.validation import RowInput
from tests.factories import CompoundFactory, district_staff, street_officer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "测试密码-Quanzhou-2024"


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def sign_in(page, username, password=PASSWORD):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def test_a_reviewer_sees_the_submitted_report_in_the_bell_and_opens_it(page, screenshot):
    compound = CompoundFactory(code="C0001", community__street__name="鲤中街道")
    street = compound.community.street
    officer = street_officer(street, username="officer_browser")
    district_staff(street.district, username="reviewer_browser")
    report = monthly_report_get_or_create(street=street, period=datetime.date(2024, 5, 1))
    monthly_records_save(report=report, rows=[RowInput("C0001", {"petitions": 2})], actor=officer,
                         expected_version=report.version, source="test")
    report.refresh_from_db()
    monthly_report_submit(report=report, actor=officer)  # committed: its notice is delivered after the commit

    sign_in(page, "reviewer_browser")
    assert page.locator(".bell-count").inner_text() == "1"
    page.locator("a.bell").click()
    assert "鲤中街道2024年5月月报已上报，请审核" in page.locator("ul.inbox").inner_text()
    screenshot("notifications-01-inbox")
    page.get_by_role("button", name="查看").click()
    page.wait_for_load_state()
    assert page.url.split("?")[0].endswith(f"/reports/{street.code}/2024-05/")
    assert page.locator(".bell-count").count() == 0
    assert page.console_errors == []


def test_a_forgotten_password_is_reset_from_the_emailed_link(page, screenshot, live_server, settings):
    settings.PORTAL_BASE_URL = live_server.url
    street_officer(CompoundFactory().community.street, username="forgetful", email="forgetful@example.gov.cn")

    page.goto("/accounts/login/")
    page.get_by_role("link", name="忘记密码？").click()
    page.fill("#id_email", "forgetful@example.gov.cn")
    screenshot("password-01-request")
    page.get_by_role("button", name="发送重置链接").click()
    assert "请查收邮件" in page.locator("h1").inner_text()
    link = re.search(r"(http://\S+/accounts/password/reset/\S+/)", mail.outbox[-1].body)[1]
    page.goto(link)
    page.fill("#id_new_password1", "新的密码-Licheng-2025")
    page.fill("#id_new_password2", "新的密码-Licheng-2025")
    screenshot("password-02-new")
    page.get_by_role("button", name="保存新密码").click()
    assert "密码已重置" in page.locator("h1").inner_text()

    sign_in(page, "forgetful", "新的密码-Licheng-2025")
    assert "/accounts/login/" not in page.url
    assert page.console_errors == []


def test_an_unknown_page_is_the_portals_chinese_404_with_a_way_back(page, screenshot):
    response = page.goto("/no-such-page/")

    assert response.status == 404
    assert "页面不存在" in page.locator("h1").inner_text()
    screenshot("error-404")
    with page.expect_navigation():
        page.get_by_role("link", name="返回首页").click()
    # A visitor's home is the public one, not the staff login.
    assert page.url.endswith("/") and "样板街道(乡镇)推选" in page.locator("h1").inner_text()
