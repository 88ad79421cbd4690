"""Forecasts to a target's deadline on hand-built monthly series: linear trends of numerators and
denominators over the last six months, projected to the deadline's month."""
import datetime
from decimal import Decimal

import pytest

from metrics.forecasts import MonthFigures, forecast, forecasts
from metrics.models import Comparison, IndicatorValue, Target
from metrics.periods import add_months

JUNE = datetime.date(2024, 6, 1)


def series(numerators, denominators, last=JUNE):
    first = add_months(last, -(len(numerators) - 1))
    return [MonthFigures(add_months(first, offset), Decimal(n), Decimal(d))
            for offset, (n, d) in enumerate(zip(numerators, denominators))]


def target(threshold, deadline, comparison=Comparison.AT_LEAST):
    return Target(indicator_id="committee_formation_rate", comparison=comparison, threshold=Decimal(threshold),
                  deadline=deadline)


def test_a_steady_gain_is_projected_to_the_deadline_with_the_pace_it_needs():
    # 40 → 50 of 100 compounds over six months: two a month; by June 2025 (12 months on) 74 of 100.
    result = forecast(target(80, datetime.date(2025, 6, 30)), "percent", series(range(40, 52, 2), [100] * 6), JUNE)
    assert result.months_left == 12 and result.months_used == 6
    assert result.projected_numerator == 74 and result.projected_value == Decimal("74.0000")
    assert not result.will_meet and result.projected_attainment == "missed"
    # 80 needed, 50 now: 30 in 12 months, 2.5 a month, rounded up to whole committees.
    assert result.needed_per_month == 3 and result.trend_per_month == Decimal("2.00")


def test_numerators_and_denominators_are_projected_separately():
    # 10 → 15 of 20 → 25: five months on, 20 of 30 (66.67%), not 15/25 + five months of the rate's trend.
    result = forecast(target(60, datetime.date(2024, 11, 30)), "percent", series(range(10, 16), range(20, 26)), JUNE)
    assert (result.projected_numerator, result.projected_denominator) == (20, 30)
    assert result.projected_value == Decimal("66.6667") and result.will_meet
    assert result.needed_per_month == 1  # 60% of 30 is 18, three more than 15 in five months: 0.6, rounded up


def test_a_least_squares_line_smooths_an_uneven_series():
    # 50, 54, 52, 56, 54, 58 of 100: slope 22 / 17.5 = 1.2571 a month (least squares), not the last step's 4.
    result = forecast(target(90, datetime.date(2024, 12, 31)), "percent", series([50, 54, 52, 56, 54, 58], [100] * 6),
                      JUNE)
    assert result.trend_per_month == Decimal("1.26")
    assert result.projected_numerator.quantize(Decimal("0.01")) == Decimal("64.69")  # 57.14 in June + 6 × 1.2571


def test_a_rate_never_projects_past_its_denominator():
    result = forecast(target(95, datetime.date(2025, 12, 31)), "percent", series(range(80, 98, 3), [100] * 6), JUNE)
    assert result.projected_value == Decimal("100.0000") and result.will_meet
    assert result.needed_per_month == 0  # 95 of 100 already passed: nothing more needed a month


def test_only_the_last_six_months_make_the_trend():
    # A flat year, then six months of one more a month: the old months do not slow the trend.
    months = series([10] * 6 + list(range(11, 17)), [100] * 12)
    result = forecast(target(80, datetime.date(2024, 12, 31)), "percent", months, JUNE)
    assert result.months_used == 6 and result.trend_per_month == Decimal("1.00")


def test_a_score_target_needs_a_rise_of_the_value_a_month():
    months = series([Decimal("7000"), Decimal("7200")], [100, 100])  # household-weighted scores 70, 72
    result = forecast(target(80, datetime.date(2024, 10, 31)), "score", months, JUNE)
    assert result.projected_value == Decimal("80.0000") and result.will_meet
    assert result.needed_per_month == Decimal("2.00") and result.trend_per_month == Decimal("2.00")


def test_no_forecast_past_the_deadline_or_without_the_months_figures():
    assert forecast(target(80, datetime.date(2024, 6, 30)), "percent", series([1, 2], [4, 4]), JUNE) is None
    assert forecast(target(80, datetime.date(2025, 6, 30)), "percent", series([1, 2], [4, 4], last=add_months(
        JUNE, -1)), JUNE) is None


@pytest.mark.django_db
def test_forecasts_read_the_areas_last_six_months_in_one_query(django_assert_num_queries):
    now = datetime.datetime(2024, 7, 1, tzinfo=datetime.timezone.utc)
    for offset, numerator in enumerate(range(30, 42, 2)):
        IndicatorValue.objects.create(indicator_id="committee_formation_rate", area_level="street", area_code="S1",
                                      period=add_months(JUNE, offset - 5), numerator=numerator, denominator=60,
                                      value=Decimal(numerator) * 100 / 60, computed_at=now)
    targets = {("committee_formation_rate", "S1"): [target(80, datetime.date(2027, 12, 31)),
                                                   target(80, datetime.date(2025, 5, 31))],
               ("committee_formation_rate", "S2"): [target(80, datetime.date(2025, 5, 31))]}
    with django_assert_num_queries(1):
        found = forecasts(area_level="street", targets=targets, period=JUNE,
                          units={"committee_formation_rate": "percent"})
    s1 = found[("committee_formation_rate", "S1")]
    assert [item.target.deadline.year for item in s1] == [2025, 2027]
    # 40 of 60 in June, two more a month: May 2025 (11 months) 62 → capped at 60, 100%.
    assert s1[0].projected_value == Decimal("100.0000") and s1[0].needed_per_month == 1
    assert found[("committee_formation_rate", "S2")] == []
