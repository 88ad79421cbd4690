"""Approved monthly data reaches the indicators: the approval marks the street-month stale in its
own transaction, and draining the stale queue recomputes it."""
import datetime
from decimal import Decimal

import pytest
from django.db import transaction

from metrics.models import IndicatorValue, StaleStreetMonth
from metrics.services import process_stale_street_months
from reporting.services import (
    monthly_records_save,
    monthly_report_approve,
    monthly_report_get_or_create,
    monthly_report_submit,
)

from .conftest import PERIOD, row

pytestmark = pytest.mark.django_db


def _street_value(street, indicator, period):
    return IndicatorValue.objects.filter(indicator_id=indicator, area_level="street", area_code=street.code,
                                         period=period).first()


def _consultation_coverage(street):
    return _street_value(street, "consultation_coverage", PERIOD)


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


def test_the_mark_commits_and_rolls_back_with_the_change(report, officer, street, compounds):
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
    # The month and the rest of its quarter, for the one compound whose record changed.
    c0001 = compounds[0].pk
    assert sorted(StaleStreetMonth.objects.values_list("street_id", "period", "compound_id")) == [
        (street.pk, PERIOD, c0001), (street.pk, datetime.date(2024, 6, 1), c0001)]


def test_a_save_marks_its_compounds_and_an_approval_the_whole_street(report, officer, reviewer, street, compounds):
    StaleStreetMonth.objects.all().delete()
    monthly_records_save(report=report, actor=officer, expected_version=report.version, source="test",
                         rows=[row("C0002", weekly_meetings="1")])
    assert set(StaleStreetMonth.objects.filter(period=PERIOD).values_list("compound_id", flat=True)) == {compounds[1].pk}
    report.refresh_from_db()
    monthly_report_submit(report=report, actor=officer)
    StaleStreetMonth.objects.all().delete()
    monthly_report_approve(report=report, actor=reviewer)
    assert set(StaleStreetMonth.objects.filter(period=PERIOD).values_list("compound_id", flat=True)) == {None}


def test_a_score_approved_early_in_the_quarter_reaches_its_later_months(officer, reviewer, street, compounds):
    """May takes the quarter's latest score so far: approving April's score after May was published
    re-publishes May."""
    def approve(period, rows):
        report = monthly_report_get_or_create(street=street, period=period)
        monthly_records_save(report=report, actor=officer, expected_version=report.version, source="test", rows=rows)
        report.refresh_from_db()
        monthly_report_submit(report=report, actor=officer)
        monthly_report_approve(report=report, actor=reviewer)
        process_stale_street_months(settle_seconds=0)

    approve(PERIOD, [row("C0001", weekly_meetings="1")])
    assert _street_value(street, "service_quality", PERIOD).value is None  # nobody scored yet

    approve(datetime.date(2024, 4, 1), [row("C0001", evaluation_score="90")])
    assert _street_value(street, "service_quality", datetime.date(2024, 4, 1)).value == Decimal("90")
    assert _street_value(street, "service_quality", PERIOD).value == Decimal("90")
