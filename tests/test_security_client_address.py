"""One client address for every per-address limit: public voting, the API's anonymous throttle and
the login lockout all read it through common.security.client_ip, behind TRUSTED_PROXY_COUNT proxies.

What a client writes into X-Forwarded-For never opens a bucket of its own: only the entry the
outermost trusted proxy appended counts, and without a trusted proxy the header is ignored.
"""
import pytest
from axes.helpers import get_client_ip_address
from django.conf import settings as django_settings
from django.test import RequestFactory
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from common.api.throttling import AnonymousIpRateThrottle
from common.security import client_ip

NGINX = "127.0.0.1"
VOTER_A = "203.0.113.9"


def request_from(remote_addr: str, forwarded: str | None = None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote_addr, **extra)


def test_behind_one_proxy_the_client_address_is_the_one_nginx_appended(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    assert client_ip(request_from(NGINX, f"6.6.6.6, {VOTER_A}")) == VOTER_A


def test_behind_two_proxies_the_client_is_the_second_entry_from_the_right(settings):
    settings.TRUSTED_PROXY_COUNT = 2

    assert client_ip(request_from(NGINX, f"6.6.6.6, {VOTER_A}, 10.0.0.5")) == VOTER_A


def test_without_a_proxy_a_forwarded_header_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0

    assert client_ip(request_from(VOTER_A, "6.6.6.6")) == VOTER_A


@pytest.mark.parametrize("forwarded", [None, "", "not-an-address", "6.6.6.6, <script>", "6.6.6.6,"])
def test_a_header_too_short_or_not_an_address_counts_as_the_connecting_peer(settings, forwarded):
    settings.TRUSTED_PROXY_COUNT = 1 if forwarded is None or forwarded.count(",") else 2

    assert client_ip(request_from(NGINX, forwarded)) == NGINX


@pytest.mark.parametrize("proxies", [0, 1, 2])
@pytest.mark.parametrize("forwarded", [None, VOTER_A, f"6.6.6.6, {VOTER_A}", f"1.1.1.1, 6.6.6.6, {VOTER_A}",
                                       "garbage, 6.6.6.6"])
def test_login_lockout_and_the_api_throttle_read_the_same_address(settings, proxies, forwarded):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = request_from(NGINX, forwarded)

    assert get_client_ip_address(request) == AnonymousIpRateThrottle().get_ident(request) == client_ip(request)


def test_drf_and_the_portal_count_the_same_proxies():
    assert api_settings.NUM_PROXIES == django_settings.TRUSTED_PROXY_COUNT


@pytest.mark.django_db
@pytest.mark.parametrize("proxies", [0, 1])
def test_rewriting_x_forwarded_for_gives_no_fresh_api_bucket(monkeypatch, settings, proxies):
    settings.TRUSTED_PROXY_COUNT = proxies
    monkeypatch.setattr(AnonymousIpRateThrottle, "rate", "2/min", raising=False)
    client = APIClient(REMOTE_ADDR=NGINX if proxies else VOTER_A)

    statuses = [client.get("/api/schema/", HTTP_X_FORWARDED_FOR=f"10.0.{n}.1, {VOTER_A}").status_code
                for n in range(3)]

    assert statuses == [200, 200, 429]
