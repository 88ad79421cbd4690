import pytest

from tests.factories import city_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "测试密码-Quanzhou-2024"


def test_city_staff_signs_in_through_the_login_page(page, screenshot):
    user = city_staff(username="city_browser")
    page.goto("/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url
    assert page.locator(".account .who").inner_text().startswith("city_browser")
    screenshot("login-city-staff-home")
    assert page.console_errors == []


def test_wrong_password_is_refused_with_a_chinese_message(page):
    city_staff(username="city_wrong")
    page.goto("/accounts/login/")
    page.fill("#id_username", "city_wrong")
    page.fill("#id_password", "not-the-password")
    page.click("button[type=submit]")
    assert "/accounts/login/" in page.url
    assert "请输入一个正确的" in page.locator("[role=alert]").inner_text()
