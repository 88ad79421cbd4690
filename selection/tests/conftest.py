import datetime

import pytest
from django.core.cache import cache
from django.utils import timezone

from accounts.models import Role
from selection import services
from selection.models import StageKind
from tests.factories import StreetFactory, UserFactory, city_staff


@pytest.fixture(autouse=True)
def fresh_cache():
    # Rate-limit counters and console SMS codes live in the cache: no test sees another's.
    cache.clear()
    yield
    cache.clear()


def today() -> datetime.date:
    return timezone.localdate()


def all_stages_open() -> dict:
    start, end = today() - datetime.timedelta(days=10), today() + datetime.timedelta(days=10)
    return {kind: (start, end) for kind in StageKind.values}


def judge(**kwargs):
    return UserFactory(role=Role.JUDGE, **kwargs)


@pytest.fixture
def staff():
    return city_staff()


@pytest.fixture
def make_round(staff):
    def make(*, quota=2, limit=3, open_=True, **kwargs):
        selection_round = services.round_create(year=2025, title="2025年度样板街道(乡镇)推选", quota=quota,
                                                nomination_limit_per_district=limit, stages=all_stages_open(),
                                                created_by=staff, **kwargs)
        if open_:
            selection_round = services.round_open(selection_round=selection_round, user=staff)
        return selection_round

    return make


@pytest.fixture
def nominate(staff):
    def add(selection_round, street=None, **kwargs):
        return services.nomination_create(selection_round=selection_round, street=street or StreetFactory(),
                                          user=staff, **kwargs)

    return add


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
