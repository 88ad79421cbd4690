"""Login lockout, the Content-Security-Policy, production settings and their guards."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.checks import run_checks
from django.test import Client, RequestFactory

from tests.factories import city_staff

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "测试密码-Quanzhou-2024"


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_account_with_a_chinese_message(client):
    user = city_staff()
    for _ in range(5):
        client.post("/accounts/login/", {"username": user.username, "password": "wrong"})

    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})

    assert response.status_code == 429
    assert "登录已锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_success_before_the_limit_resets_the_failure_count(client):
    user = city_staff()
    for _ in range(4):
        client.post("/accounts/login/", {"username": user.username, "password": "wrong"})
    client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    client.logout()
    for _ in range(4):
        client.post("/accounts/login/", {"username": user.username, "password": "wrong"})

    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})

    assert response.status_code == 302


@pytest.mark.django_db
def test_spraying_one_password_over_many_usernames_locks_the_address(client, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6
    user = city_staff()
    # One wrong guess each at six usernames: no account reaches its own limit of five.
    for n in range(6):
        client.post("/accounts/login/", {"username": f"staff{n}", "password": "Quanzhou2024!"},
                    REMOTE_ADDR="203.0.113.9")

    sprayer = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD},
                          REMOTE_ADDR="203.0.113.9")
    elsewhere = Client().post("/accounts/login/", {"username": user.username, "password": PASSWORD},
                              REMOTE_ADDR="198.51.100.7")

    assert sprayer.status_code == 429 and "登录已锁定" in sprayer.content.decode()
    assert elsewhere.status_code == 302


@pytest.mark.django_db
def test_the_address_lock_covers_the_admin_login_too(client, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 3
    user = city_staff(is_staff=True, is_superuser=True)
    for n in range(3):
        client.post("/accounts/login/", {"username": f"staff{n}", "password": "x"})

    response = client.post("/admin/login/", {"username": user.username, "password": PASSWORD})

    assert response.status_code == 429


@pytest.mark.django_db
def test_every_page_carries_a_policy_that_allows_only_our_own_files(client):
    policy = client.get("/accounts/login/")["Content-Security-Policy"]

    assert "script-src 'self'" in policy and "style-src 'self'" in policy
    assert "unsafe-inline" not in policy and "http" not in policy


@pytest.mark.django_db
def test_a_download_keeps_its_own_stricter_policy(client):
    from django.http import HttpResponse

    from common.security import ContentSecurityPolicyMiddleware

    def download(request):
        response = HttpResponse(b"x")
        response["Content-Security-Policy"] = "default-src 'none'; sandbox"
        return response

    response = ContentSecurityPolicyMiddleware(download)(RequestFactory().get("/"))

    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"


def test_the_console_sms_backend_is_refused_in_production(settings):
    settings.PRODUCTION = True
    settings.SELECTION_SMS_BACKEND = "selection.sms.ConsoleSmsBackend"

    errors = run_checks(include_deployment_checks=True, tags=["security"])

    assert "quanzhou_pm.E001" in [error.id for error in errors]


def test_an_email_backend_that_delivers_nothing_is_refused_in_production(settings):
    settings.PRODUCTION = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

    errors = run_checks(include_deployment_checks=True, tags=["security"])

    assert "quanzhou_pm.E002" in [error.id for error in errors]


def test_smtp_without_a_host_is_refused_in_production(settings):
    settings.PRODUCTION = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = ""

    errors = run_checks(include_deployment_checks=True, tags=["security"])

    assert "quanzhou_pm.E003" in [error.id for error in errors]


def test_production_settings_pass_check_deploy_without_a_warning():
    # Only the deployment's variables: browser tests in the same run set DJANGO_ALLOW_ASYNC_UNSAFE.
    inherited = {key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {**inherited, "PRODUCTION": "true", "DEBUG": "false", "ALLOWED_HOSTS": "pm.example.gov.cn",
           "SECRET_KEY": "check-deploy-" + "k7Qz9xVb2mN4pL8wR1tY6uJ3hG5fD0sA" * 2,
           "SELECTION_SMS_BACKEND": "selection.sms.SmsBackend", "EMAIL_HOST": "smtp.example.gov.cn"}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)

    assert result.returncode == 0, result.stdout + result.stderr
