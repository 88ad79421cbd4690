"""Property-based requests generated from the OpenAPI schema, run in-process against the WSGI app.

A fixed, small budget of examples per operation keeps the run to a couple of minutes; every
response must be free of server errors and match the schema (status, content type, body).
"""
import datetime
from decimal import Decimal

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.models import ApiToken
from common.api.throttling import TokenRateThrottle
from metrics.models import IndicatorValue
from reporting.services import monthly_records_save, monthly_report_get_or_create
from reporting.validation import RowInput
from tests.factories import (
    CommitteeMemberFactory,
    PartyOrganisationFactory,
    ServiceContractFactory,
    city_staff,
)

EXAMPLES_PER_OPERATION = 10
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


@pytest.fixture
def api_key(db, monkeypatch, settings):
    """A write token of a city-wide user and one of each kind of row for the operations to find."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()
    monkeypatch.setattr(TokenRateThrottle, "rate", "100000/min", raising=False)
    user = city_staff()
    contract = ServiceContractFactory()
    compound = contract.compound
    CommitteeMemberFactory(committee__compound=compound)
    PartyOrganisationFactory(street=compound.community.street).compounds.add(compound)
    report = monthly_report_get_or_create(street=compound.community.street, period=datetime.date(2024, 5, 1))
    monthly_records_save(report=report, rows=[RowInput(compound.code, {"weekly_meetings": 1})], actor=user,
                         expected_version=report.version, source="test")
    IndicatorValue.objects.create(indicator_id="committee_formation_rate", area_level="street",
                                  area_code=compound.community.street.code, period=datetime.date(2024, 5, 1),
                                  numerator=1, denominator=1, value=Decimal(100), computed_at=timezone.now())
    _, key = ApiToken.issue(user=user, name="schemathesis", can_write=True)
    # The WSGI handler closes the database connection after each request; inside the test's
    # transaction it must stay open (Django's own test client does the same).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield key
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@hypothesis_settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case, api_key):
    case.call_and_validate(headers={"Authorization": f"Token {api_key}"}, checks=CHECKS)
