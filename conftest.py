"""Project-wide test fixtures.

Tests that need a real service call `require_service`: they skip on a machine without it, but
under CI (CI=true) a missing service is a failure, so a green CI means the real parts ran.
"""
import os

import pytest
from django.db import connection


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_service(available: bool, what: str) -> None:
    if available:
        return
    if _in_ci():
        pytest.fail(f"{what} is required under CI but is not available")
    pytest.skip(f"{what} not available on this machine")


@pytest.fixture
def require_postgres():
    require_service(connection.vendor == "postgresql", "PostgreSQL (set DATABASE_URL)")


@pytest.fixture
def redis_url():
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
        ok = True
    except Exception:
        ok = False
    require_service(ok, f"Redis at {url}")
    return url
