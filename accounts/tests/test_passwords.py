"""Passwords: reset by email (the same answer whether or not the address is known, limited per client
and per address) and change, in Chinese."""
import re

import pytest
from django.core import mail

from tests.factories import street_officer, StreetFactory

pytestmark = pytest.mark.django_db

RESET = "/accounts/password/reset/"
NEW_PASSWORD = "新的密码-Licheng-2025"


@pytest.fixture(autouse=True)
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.PORTAL_BASE_URL = "https://pm.example.gov.cn"


@pytest.fixture
def officer():
    return street_officer(StreetFactory(), username="licheng", email="licheng@example.gov.cn")


def ask_reset(client, email, capture, **extra):
    with capture(execute=True):
        return client.post(RESET, {"email": email}, **extra)


def reset_link() -> str:
    return re.search(r"https://pm\.example\.gov\.cn(/accounts/password/reset/\S+/)", mail.outbox[-1].body)[1]


def test_the_reset_page_is_in_chinese(client):
    page = client.get(RESET).content.decode()

    assert "找回密码" in page and "发送重置链接" in page and "返回登录" in page


def test_a_known_address_gets_a_link_that_sets_a_new_password(client, officer, django_capture_on_commit_callbacks):
    response = ask_reset(client, "Licheng@Example.gov.cn", django_capture_on_commit_callbacks)

    assert response.status_code == 302 and response["Location"] == "/accounts/password/reset/sent/"
    assert [m.to for m in mail.outbox] == [["licheng@example.gov.cn"]]
    assert mail.outbox[0].subject == "[泉州物业监管] 重置密码"
    form = client.get(reset_link(), follow=True)
    assert "设置新密码" in form.content.decode()
    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done["Location"] == "/accounts/password/reset/complete/"
    officer.refresh_from_db()
    assert officer.check_password(NEW_PASSWORD)


def test_an_unknown_address_gets_the_same_answer_and_no_email(client, officer, django_capture_on_commit_callbacks):
    known = ask_reset(client, "licheng@example.gov.cn", django_capture_on_commit_callbacks)
    unknown = ask_reset(client, "nobody@example.gov.cn", django_capture_on_commit_callbacks)

    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert len(mail.outbox) == 1


def test_a_reset_link_works_once(client, officer, django_capture_on_commit_callbacks):
    ask_reset(client, officer.email, django_capture_on_commit_callbacks)
    link = reset_link()
    form = client.get(link, follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    again = client.get(link, follow=True).content.decode()

    assert "该重置链接无效或已过期" in again


def test_a_deactivated_account_gets_no_email(client, officer, django_capture_on_commit_callbacks):
    officer.is_active = False
    officer.save()

    ask_reset(client, officer.email, django_capture_on_commit_callbacks)

    assert mail.outbox == []


def test_one_address_can_be_sent_only_a_few_resets_an_hour(client, officer, settings, django_capture_on_commit_callbacks):
    for _attempt in range(settings.PASSWORD_RESET_PER_EMAIL_HOURLY):
        ask_reset(client, officer.email, django_capture_on_commit_callbacks, REMOTE_ADDR=f"10.0.0.{_attempt}")

    refused = ask_reset(client, officer.email, django_capture_on_commit_callbacks, REMOTE_ADDR="10.0.0.99")

    assert refused.status_code == 429
    assert "重置密码的请求过于频繁" in refused.content.decode()
    assert len(mail.outbox) == settings.PASSWORD_RESET_PER_EMAIL_HOURLY


def test_the_address_limit_counts_unknown_addresses_alike(client, settings, django_capture_on_commit_callbacks):
    for _attempt in range(settings.PASSWORD_RESET_PER_EMAIL_HOURLY):
        ask_reset(client, "nobody@example.gov.cn", django_capture_on_commit_callbacks)

    assert ask_reset(client, "nobody@example.gov.cn", django_capture_on_commit_callbacks).status_code == 429


def test_one_client_can_ask_only_a_few_resets_an_hour(client, settings, django_capture_on_commit_callbacks):
    for attempt in range(settings.PASSWORD_RESET_PER_IP_HOURLY):
        assert ask_reset(client, f"guess{attempt}@example.gov.cn", django_capture_on_commit_callbacks).status_code == 302

    assert ask_reset(client, "guess-next@example.gov.cn", django_capture_on_commit_callbacks).status_code == 429


def test_changing_the_password_needs_a_signed_in_user(client):
    response = client.get("/accounts/password/change/")

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_signed_in_user_changes_their_password_with_the_old_one(client, officer):
    client.force_login(officer)

    response = client.post("/accounts/password/change/", {
        "old_password": "测试密码-Quanzhou-2024", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert response["Location"] == "/accounts/password/change/done/"
    officer.refresh_from_db()
    assert officer.check_password(NEW_PASSWORD)
    assert "密码已修改" in client.get(response["Location"]).content.decode()


def test_a_wrong_old_password_is_refused_in_chinese(client, officer):
    client.force_login(officer)

    response = client.post("/accounts/password/change/", {
        "old_password": "不对的密码", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    assert response.status_code == 200
    assert "旧密码不正确" in response.content.decode()
    officer.refresh_from_db()
    assert not officer.check_password(NEW_PASSWORD)
