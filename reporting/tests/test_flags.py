"""Flags: a value is flagged only when it is both a multiple of its median and a minimum absolute
difference away from it; each flagged value carries its reason and the officer's explanation, kept
with the record and its history."""
from decimal import Decimal

import pytest

from reporting.models import MonthlyRecord
from reporting.periods import add_months
from reporting.selectors import monthly_report_history
from reporting.services import monthly_records_save, monthly_report_get_or_create
from reporting.validation import RowInput, validate_monthly_rows

from .conftest import PERIOD, row

pytestmark = pytest.mark.django_db


def history(street, compound, **values):
    """Four previous months of the same values."""
    for months_back in range(1, 5):
        period = add_months(PERIOD, -months_back)
        report = monthly_report_get_or_create(street=street, period=period)
        MonthlyRecord.objects.create(report=report, compound=compound, period=period, **values)


def flags_for(street, **values):
    return validate_monthly_rows(street=street, period=PERIOD, rows=[row("C0001", **values)]).rows[0].flags


@pytest.mark.parametrize("median_history, typed", [
    ({"petitions": 1}, {"petitions": 4}),  # four times the median, but only 3 more
    ({"fees_due": Decimal("100"), "fees_collected": Decimal("100")},
     {"fees_due": "500", "fees_collected": "500"}),  # five times, but only 400 元 more
])
def test_small_numbers_are_not_flagged_however_large_the_multiple(street, compounds, median_history, typed):
    history(street, compounds[0], **median_history)
    assert flags_for(street, **typed) == []


def test_zero_against_a_small_median_is_not_flagged(street, compounds):
    for months_back, petitions in zip(range(1, 5), (0, 1, 0, 1)):  # median 0.5
        period = add_months(PERIOD, -months_back)
        MonthlyRecord.objects.create(report=monthly_report_get_or_create(street=street, period=period),
                                     compound=compounds[0], period=period, petitions=petitions)
    assert flags_for(street, petitions=0) == []


def test_a_large_difference_that_is_also_a_multiple_is_flagged_with_its_reason(street, compounds):
    history(street, compounds[0], fees_due=Decimal("2000"), fees_collected=Decimal("2000"))
    [flag] = [f for f in flags_for(street, fees_due="9000", fees_collected="2000") if f["field"] == "fees_due"]
    assert flag["message"] == "应收物业费(元) 9000 远高于近6个月中位数 2000"
    assert flag["explanation"] == ""


def test_a_jump_from_a_median_of_zero_is_flagged_when_large_enough(street, compounds):
    history(street, compounds[0], hazards_found=0)
    assert [f["field"] for f in flags_for(street, hazards_found=12)] == ["hazards_found"]
    assert flags_for(street, hazards_found=3) == []


def test_the_minimum_difference_is_a_setting(street, compounds, settings):
    settings.MONTHLY_OUTLIER_MIN_COUNT_DIFFERENCE = 2
    history(street, compounds[0], petitions=1)
    assert [f["field"] for f in flags_for(street, petitions=4)] == ["petitions"]


# --- explanations -------------------------------------------------------------------------------

@pytest.fixture
def flagged_history(street, compounds):
    history(street, compounds[0], petitions=2)


def save(report, officer, *rows):
    plan = monthly_records_save(report=report, rows=list(rows), actor=officer, expected_version=report.version,
                                source="t")
    report.refresh_from_db()
    return plan


def stored_flag(field="petitions"):
    return next(flag for flag in MonthlyRecord.objects.get(compound__code="C0001", period=PERIOD).flags
                if flag["field"] == field)


def test_an_explanation_is_kept_with_the_flagged_value(report, officer, flagged_history):
    save(report, officer, row("C0001", petitions=30))
    save(report, officer, RowInput("C0001", {"petitions": 30}, explanations={"petitions": "小区外墙脱落集中投诉"}))
    assert stored_flag()["explanation"] == "小区外墙脱落集中投诉"


def test_a_save_without_explanations_keeps_the_stored_one(report, officer, flagged_history):
    save(report, officer, RowInput("C0001", {"petitions": 30}, explanations={"petitions": "集中投诉"}))
    save(report, officer, row("C0001", petitions=30, weekly_meetings=2))  # an Excel import, the API
    assert stored_flag()["explanation"] == "集中投诉"


def test_a_changed_value_drops_the_explanation_of_the_old_one(report, officer, flagged_history):
    save(report, officer, RowInput("C0001", {"petitions": 30}, explanations={"petitions": "集中投诉"}))
    save(report, officer, row("C0001", petitions=40))
    assert stored_flag()["explanation"] == ""


def test_changing_only_an_explanation_is_a_change_in_the_history(report, officer, flagged_history):
    save(report, officer, row("C0001", petitions=30))
    plan = save(report, officer, RowInput("C0001", {"petitions": 30}, explanations={"petitions": "集中投诉"}))
    assert [change.kind for change in plan.changed] == ["update"]
    entries = monthly_report_history(report=report)
    assert any(entry.field == "信访件数 说明" and entry.new == "集中投诉" for entry in entries)


def test_an_overlong_explanation_is_refused(report, officer, flagged_history):
    plan = save(report, officer, RowInput("C0001", {"petitions": 30}, explanations={"petitions": "长" * 201}))
    assert not plan.ok
    assert "说明不能超过200字" in plan.errors[0].message
    assert not MonthlyRecord.objects.filter(period=PERIOD).exists()
