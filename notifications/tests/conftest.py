import datetime

import pytest

from reporting.services import monthly_records_save, monthly_report_get_or_create
from reporting.validation import RowInput
from tests.factories import CompoundFactory, StreetFactory, district_staff, street_officer

PERIOD = datetime.date(2024, 5, 1)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def compound():
    return CompoundFactory(code="C0001", name="泉秀花园", community__street__name="鲤中街道")


@pytest.fixture
def street(compound):
    return compound.community.street


@pytest.fixture
def officer(street):
    return street_officer(street, username="officer", email="officer@example.gov.cn")


@pytest.fixture
def reviewer(street):
    return district_staff(street.district, username="reviewer", email="reviewer@example.gov.cn")


@pytest.fixture
def other_district_staff():
    return district_staff(StreetFactory().district, username="other", email="other@example.gov.cn")


@pytest.fixture
def report(street, compound, officer):
    report = monthly_report_get_or_create(street=street, period=PERIOD)
    monthly_records_save(report=report, rows=[RowInput(compound.code, {"petitions": 1})], actor=officer,
                         expected_version=report.version, source="test")
    report.refresh_from_db()
    return report
