"""Helpers for API tests: clients authenticated with an API token or a session."""
from rest_framework.test import APIClient

from accounts.models import ApiToken


def token_client(user, *, can_write: bool = False) -> APIClient:
    _, key = ApiToken.issue(user=user, name=f"{user.username} 测试系统", can_write=can_write)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def session_client(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def results(response) -> list:
    assert response.status_code == 200, response.content
    return response.json()["results"]


def codes(response, key: str = "code") -> list:
    return [row[key] for row in results(response)]


class TwoDistricts:
    """Two districts, one street and one compound each: enough to try every forbidden path."""

    def __init__(self):
        from tests.factories import CompoundFactory

        self.compound_a = CompoundFactory()
        self.compound_b = CompoundFactory()
        self.street_a = self.compound_a.community.street
        self.street_b = self.compound_b.community.street
        self.district_a = self.street_a.district
        self.district_b = self.street_b.district
