"""Holes the route × role test found, each pinned by a focused test."""
import datetime

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Permission
from django.utils import timezone

from metrics.models import RecomputeJob
from reporting.services import monthly_report_get_or_create
from tests.api_clients import token_client
from tests.factories import CompoundFactory, city_staff, street_officer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_an_officer_with_admin_access_cannot_delete_a_recompute_job(client):
    officer = street_officer(CompoundFactory().community.street, is_staff=True)
    officer.user_permissions.set(Permission.objects.filter(content_type__app_label="communities"))
    job = RecomputeJob.objects.create(period_from=datetime.date(2024, 5, 1), period_to=datetime.date(2024, 5, 1))
    client.force_login(officer)

    response = client.post(f"/admin/metrics/recomputejob/{job.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert RecomputeJob.objects.filter(pk=job.pk).exists()


def test_a_report_transition_with_a_format_suffix_is_answered_not_crashed():
    compound = CompoundFactory()
    report = monthly_report_get_or_create(street=compound.community.street, period=datetime.date(2024, 5, 1))
    client = token_client(street_officer(compound.community.street), can_write=True)

    suffixed = client.post(f"/api/v1/monthly-reports/{report.pk}/submit.json")
    plain = client.post(f"/api/v1/monthly-reports/{report.pk}/submit/")

    assert suffixed.status_code == plain.status_code == 409  # an empty report cannot be submitted
    assert suffixed.json() == plain.json()


def test_the_system_administrator_cleans_up_expired_login_attempts_and_keeps_the_fresh_ones(client):
    staff = city_staff(is_staff=True, is_superuser=True)
    expired, fresh = (AccessAttempt.objects.create(username=name, ip_address="10.0.0.1", user_agent="test",
                                                   get_data="", post_data="", failures_since_start=1)
                      for name in ("expired", "fresh"))
    AccessAttempt.objects.filter(pk=expired.pk).update(attempt_time=timezone.now() - datetime.timedelta(hours=2))
    client.force_login(staff)

    response = client.post("/admin/axes/accessattempt/", {"action": "cleanup_expired_attempts",
                                                           "_selected_action": [fresh.pk], "index": "0"})

    assert response.status_code == 302
    assert list(AccessAttempt.objects.values_list("username", flat=True)) == ["fresh"]
