"""Approved monthly data reaches the indicators: the approval marks the street-month stale in its
own transaction, and draining the stale queue recomputes it."""
import pytest
from django.db import transaction

from metrics.models import IndicatorValue, StaleStreetMonth
from metrics.services import process_stale_street_months
from reporting.services import monthly_records_save, monthly_report_approve, monthly_report_submit

from .conftest import PERIOD, row

pytestmark = pytest.mark.django_db


def _consultation_coverage(street):
    return IndicatorValue.objects.filter(indicator_id="consultation_coverage", area_level="street",
                                         area_code=street.code, period=PERIOD).first()


def test_an_approval_makes_the_street_month_stale_and_the_queue_recomputes_it(
        report, officer, reviewer, street, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        plan = monthly_records_save(report=report, actor=officer, expected_version=report.version, source="test",
                                    rows=[row("C0001", weekly_meetings="2"), row("C0002", weekly_meetings="0")])
        assert not plan.errors
        report.refresh_from_db()
        monthly_report_submit(report=report, actor=officer)
    StaleStreetMonth.objects.all().delete()

    with django_capture_on_commit_callbacks(execute=True):
        monthly_report_approve(report=report, actor=reviewer)
    assert StaleStreetMonth.objects.filter(street=street, period=PERIOD).exists()

    process_stale_street_months(settle_seconds=0)
    value = _consultation_coverage(street)
    # One of the two compounds held a meeting: 1 / 2, from approved data.
    assert (value.numerator, value.denominator) == (1, 2)
    assert not value.provisional
    assert not StaleStreetMonth.objects.exists()


def test_the_mark_commits_and_rolls_back_with_the_change(report, officer, street):
    StaleStreetMonth.objects.all().delete()
    with pytest.raises(RuntimeError), transaction.atomic():
        monthly_records_save(report=report, actor=officer, expected_version=report.version, source="test",
                             rows=[row("C0001", weekly_meetings="1")])
        assert StaleStreetMonth.objects.filter(street=street, period=PERIOD).exists()
        raise RuntimeError("the request fails after the save")
    assert not StaleStreetMonth.objects.exists()
    report.refresh_from_db()
    monthly_records_save(report=report, actor=officer, expected_version=report.version, source="test",
                         rows=[row("C0001", weekly_meetings="1")])
    assert list(StaleStreetMonth.objects.values_list("street_id", "period")) == [(street.pk, PERIOD)]
