"""Cross-cutting API behaviour: authentication, token scopes, errors, CSV, cursor paging, ETags, throttling."""
import datetime

import pytest
from django.core.cache import cache
from django.http import StreamingHttpResponse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken, Role
from common.api.throttling import AnonymousIpRateThrottle, TokenRateThrottle
from tests.api_clients import codes, session_client, token_client
from tests.factories import CommunityFactory, CompoundFactory, UserFactory, city_staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_throttle_cache():
    cache.clear()


def test_anonymous_request_is_refused_with_json_error():
    response = APIClient().get("/api/v1/compounds/")
    assert response.status_code == 401
    assert response.json() == {"code": "not_authenticated", "message": response.json()["message"],
                               "field": None, "errors": []}
    assert response["WWW-Authenticate"].startswith("Token")


def test_unknown_token_is_refused():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-key")
    response = client.get("/api/v1/compounds/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_revoked_token_is_refused():
    client = token_client(city_staff())
    ApiToken.objects.update(revoked_at=timezone.now())
    assert client.get("/api/v1/compounds/").status_code == 401


def test_token_records_when_it_was_last_used():
    client = token_client(city_staff())
    client.get("/api/v1/compounds/")
    assert ApiToken.objects.get().last_used_at is not None


def test_bearer_keyword_is_accepted_too():
    _, key = ApiToken.issue(user=city_staff(), name="汇治理")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/v1/compounds/").status_code == 200


def test_only_a_digest_of_the_key_is_stored():
    token, key = ApiToken.issue(user=city_staff(), name="市大数据平台")
    assert key not in (token.key_digest, token.key_prefix + token.key_digest)
    assert token.key_digest == ApiToken.digest(key)


def test_read_only_token_gets_403_on_writes():
    response = token_client(city_staff()).post("/api/v1/compounds/", {}, format="json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_write_token_passes_the_scope_check():
    # Registry endpoints are read-only: past the token check, the method itself is refused.
    response = token_client(city_staff(), can_write=True).post("/api/v1/compounds/", {}, format="json")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_session_authentication_serves_the_browser():
    response = session_client(city_staff()).get("/api/v1/compounds/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    assert "text/html" in response["Content-Type"]


def test_invalid_filter_value_names_the_field():
    response = token_client(city_staff()).get("/api/v1/compounds/", {"as_of": "2024-13-40"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and body["field"] == "as_of"
    assert body["errors"][0]["field"] == "as_of"


def test_errors_are_json_even_when_csv_was_asked_for():
    response = token_client(city_staff()).get("/api/v1/compounds/", {"as_of": "bad", "format": "csv"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["field"] == "as_of"


def test_csv_by_format_parameter_is_streamed_with_bom():
    CompoundFactory(name="鲤中花园")
    response = token_client(city_staff()).get("/api/v1/compounds/", {"format": "csv"})
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeffcode,name,")
    assert "鲤中花园" in text


def test_csv_by_accept_header():
    CompoundFactory()
    response = token_client(city_staff()).get("/api/v1/compounds/", HTTP_ACCEPT="text/csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"


def test_csv_of_a_whole_list_is_not_paged():
    community = CommunityFactory()
    CompoundFactory.create_batch(3, community=community)
    response = token_client(city_staff()).get("/api/v1/compounds/", {"format": "csv", "page_size": 1})
    lines = b"".join(response.streaming_content).decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 1 + 3


def test_a_streamed_csv_is_private_to_the_caller():
    CompoundFactory()
    response = token_client(city_staff()).get("/api/v1/compounds/", {"format": "csv"})
    assert isinstance(response, StreamingHttpResponse)
    assert response["Cache-Control"] == "private, no-cache"
    assert {"Accept", "Authorization", "Cookie"} <= {part.strip() for part in response["Vary"].split(",")}


def test_a_body_over_the_size_limit_gets_the_api_json_error(settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096
    body = {"street": "350502003", "period": "2024-05", "records": [{"compound": "X" * 100}] * 100}
    response = token_client(city_staff(), can_write=True).post("/api/v1/monthly-reports/", body, format="json")
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "request_too_large" and "4 KB" in response.json()["message"]


@pytest.mark.parametrize("depth", [17, 100, 1000, 100_000])
def test_deeply_nested_json_is_refused_with_a_json_400_before_it_is_decoded(depth):
    client = token_client(city_staff(), can_write=True)
    response = client.post("/api/v1/monthly-reports/", "[" * depth + "]" * depth, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error" and "嵌套" in response.json()["message"]


def test_brackets_inside_strings_do_not_count_as_nesting():
    client = token_client(city_staff(), can_write=True)
    response = client.post("/api/v1/monthly-reports/", {"street": "[" * 100, "period": "2024-05", "records": []},
                           format="json")
    assert response.json()["field"] == "street"


def test_cursor_pagination_walks_every_row_once():
    community = CommunityFactory()
    created = sorted(c.code for c in CompoundFactory.create_batch(5, community=community))
    client = token_client(city_staff())
    seen, url = [], "/api/v1/compounds/?page_size=2"
    while url:
        page = client.get(url).json()
        seen += [row["code"] for row in page["results"]]
        url = page["next"]
    assert seen == created


def test_invalid_cursor_is_a_json_404():
    response = token_client(city_staff()).get("/api/v1/compounds/", {"cursor": "garbage"})
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_unchanged_page_answers_304_to_if_none_match():
    compound = CompoundFactory()
    client = token_client(city_staff())
    first = client.get("/api/v1/compounds/")
    etag = first["ETag"]
    again = client.get("/api/v1/compounds/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    compound.name = "改名小区"
    compound.save()
    changed = client.get("/api/v1/compounds/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_pages_are_private_to_the_caller():
    CompoundFactory()
    response = token_client(city_staff()).get("/api/v1/compounds/")
    assert response["Cache-Control"] == "private, no-cache"
    assert "Authorization" in response["Vary"]


def test_token_over_its_rate_gets_429_with_retry_after(monkeypatch):
    monkeypatch.setattr(TokenRateThrottle, "rate", "2/min", raising=False)
    client = token_client(city_staff())
    assert [client.get("/api/v1/districts/").status_code for _ in range(3)] == [200, 200, 429]
    response = client.get("/api/v1/districts/")
    assert response.json()["code"] == "throttled"
    assert 0 < int(response["Retry-After"]) <= 60


def test_each_token_has_its_own_bucket(monkeypatch):
    monkeypatch.setattr(TokenRateThrottle, "rate", "1/min", raising=False)
    first, second = token_client(city_staff()), token_client(city_staff())
    assert first.get("/api/v1/districts/").status_code == 200
    assert second.get("/api/v1/districts/").status_code == 200
    assert first.get("/api/v1/districts/").status_code == 429


def test_anonymous_ip_is_throttled_on_public_schema(monkeypatch):
    monkeypatch.setattr(AnonymousIpRateThrottle, "rate", "1/min", raising=False)
    client = APIClient()
    assert client.get("/api/schema/").status_code == 200
    response = client.get("/api/schema/")
    assert response.status_code == 429
    assert "Retry-After" in response


def test_docs_pages_load_vendored_assets_not_a_cdn():
    for url in ("/api/docs/", "/api/redoc/"):
        html = APIClient().get(url).content.decode()
        assert "/static/vendor/" in html
        assert "cdn.jsdelivr.net" not in html


def test_api_client_user_without_area_reads_city_wide():
    user = UserFactory(role=Role.API_CLIENT)
    compound = CompoundFactory()
    assert compound.code in codes(token_client(user).get("/api/v1/compounds/"))


def test_inactive_user_token_is_refused():
    user = city_staff()
    client = token_client(user)
    user.is_active = False
    user.save()
    assert client.get("/api/v1/compounds/").status_code == 401


def test_last_used_is_not_rewritten_on_every_request():
    client = token_client(city_staff())
    client.get("/api/v1/districts/")
    stamp = timezone.now() - datetime.timedelta(seconds=5)
    ApiToken.objects.update(last_used_at=stamp)
    client.get("/api/v1/districts/")
    assert ApiToken.objects.get().last_used_at == stamp
