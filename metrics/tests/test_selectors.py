"""Baseline and previous-month deltas, targets in force and attainment, quarters, years and any run of months."""
import datetime
from decimal import Decimal

import pytest

from metrics.models import Comparison, IndicatorValue, Target
from metrics.selectors import (
    Attainment,
    attainment,
    indicator_values_for_run,
    indicator_values_with_comparison,
    target_in_force,
)
from metrics.models import StaleStreetMonth
from metrics.services import process_stale_street_months, recompute_range, recompute_street_month
from reporting.models import MonthlyRecord, ReportState

from .conftest import FEBRUARY, MARCH, record, report
from .oracle import rows_of, run_from_facts

JANUARY = datetime.date(2024, 1, 1)


def test_target_in_force_is_the_earliest_deadline_not_yet_passed(db):
    near = Target(indicator_id="committee_formation_rate", threshold=Decimal("80"), deadline=datetime.date(2025, 5, 31))
    far = Target(indicator_id="committee_formation_rate", threshold=Decimal("95"), deadline=datetime.date(2027, 12, 31))
    assert target_in_force([far, near], datetime.date(2025, 5, 1)) is near
    assert target_in_force([far, near], datetime.date(2025, 6, 1)) is far
    assert target_in_force([far, near], datetime.date(2028, 1, 1)) is far


@pytest.mark.parametrize(("comparison", "threshold", "value", "expected"), [
    (Comparison.AT_LEAST, "80", "80", Attainment.MET),
    (Comparison.AT_LEAST, "80", "75", Attainment.NEAR),
    (Comparison.AT_LEAST, "80", "74.9999", Attainment.MISSED),
    (Comparison.AT_MOST, "10", "14", Attainment.NEAR),
    (Comparison.AT_MOST, "10", "9", Attainment.MET),
    (Comparison.AT_MOST, "10", "16", Attainment.MISSED),
    (Comparison.EQUAL, "100", "100", Attainment.MET),
    (Comparison.EQUAL, "100", "96", Attainment.NEAR),
    (Comparison.EQUAL, "100", "60", Attainment.MISSED),
])
def test_attainment_is_direction_aware_with_five_points_near(comparison, threshold, value, expected):
    target = Target(comparison=comparison, threshold=Decimal(threshold), deadline=datetime.date(2025, 5, 31))
    assert attainment(Decimal(value), target) == expected


def test_no_value_has_no_attainment():
    assert attainment(None, Target(threshold=Decimal("80"), deadline=datetime.date(2025, 5, 31))) is None


def test_comparison_rows_carry_baseline_previous_month_and_target(world, settings, django_assert_max_num_queries):
    settings.METRICS_BASELINE_PERIOD = "2024-01"
    recompute_range(first=JANUARY, last=MARCH)
    with django_assert_max_num_queries(3):
        rows = indicator_values_with_comparison(area_level="street", area_codes=["S1", "S2"], period=MARCH)
    by_key = {(row.indicator.code, row.area_code): row for row in rows}
    assert len(rows) == 2 * 18
    formation = by_key[("committee_formation_rate", "S2")]
    # January and February: F's committee not yet elected (0 of 1); March: 100%.
    assert (formation.value, formation.baseline_value, formation.previous_value) == (Decimal("100"), Decimal("0"), Decimal("0"))
    assert (formation.delta_vs_baseline, formation.delta_vs_previous) == (Decimal("100"), Decimal("100"))
    assert formation.target.threshold == Decimal("80")  # the 2025-05-31 target is still ahead in March 2024
    assert formation.attainment == Attainment.MET
    s1 = by_key[("committee_formation_rate", "S1")]
    assert (s1.value, s1.attainment) == (Decimal("50"), Attainment.MISSED)
    coverage = by_key[("party_org_coverage", "S1")]
    assert (coverage.target.comparison, coverage.attainment) == (Comparison.EQUAL, Attainment.MISSED)
    assert by_key[("consultation_coverage", "S1")].target is None


def test_an_area_target_overrides_the_city_wide_one(world):
    Target.objects.create(indicator_id="committee_formation_rate", area_level="street", area_code="S1",
                          threshold=Decimal("50"), deadline=datetime.date(2025, 5, 31))
    recompute_range(first=MARCH, last=MARCH)
    rows = indicator_values_with_comparison(area_level="street", area_codes=["S1"], period=MARCH)
    formation = next(row for row in rows if row.indicator.code == "committee_formation_rate")
    assert (formation.target.threshold, formation.attainment) == (Decimal("50"), Attainment.MET)


def test_quarter_sums_flows_takes_stocks_at_its_last_month_and_the_latest_score(world):
    s1 = world.areas["S1"]
    a, b, e = (world.compounds[c] for c in "ABE")
    jan = report(s1, JANUARY, state=ReportState.APPROVED, submitted_on_local=datetime.datetime(2024, 2, 1, 9))
    record(jan, a, petitions=6, guards_employed=100, guards_certified=0, evaluation_score=Decimal("50"))
    record(jan, b, weekly_meetings=1)
    MonthlyRecord.objects.filter(compound=e, period=FEBRUARY).update(petitions=1)
    recompute_range(first=JANUARY, last=MARCH)
    values = {v.indicator_code: v for v in indicator_values_for_run(area_level="street", area_codes=["S1"],
                                                                     first=JANUARY, last=MARCH)}
    # Complaints: Jan 6 + Feb 1 + Mar 9 = 16 per 0.6 thousand households (at March).
    assert (values["complaint_rate"].numerator, values["complaint_rate"].denominator) == (16, Decimal("0.6"))
    # Guards are a stock: March's 4 of 7, not January's 100.
    assert values["guard_certification_rate"].value == Decimal("57.1429")
    # A met in March, B in January, E in March: all three of S1's compounds.
    assert values["consultation_coverage"].value == Decimal("100")
    # Latest scores: A 90 (March, not January's 50), E 80 (February).
    assert values["service_quality"].value == Decimal("83.3333")
    # Reports are a flow: on time Jan (A, B) + Feb (E) + Mar (A, B, E) = 6 of Jan 4 + Feb 4 + Mar 3
    # expected (M counted until its merge on 1 March).
    assert (values["report_timeliness"].numerator, values["report_timeliness"].denominator) == (6, 11)


def with_a_january(world):
    s1 = world.areas["S1"]
    jan = report(s1, JANUARY, state=ReportState.APPROVED, submitted_on_local=datetime.datetime(2024, 2, 1, 9))
    record(jan, world.compounds["A"], petitions=6, guards_employed=100, evaluation_score=Decimal("50"))
    record(jan, world.compounds["B"], weekly_meetings=1)


def codes_of(level):
    return list(IndicatorValue.objects.filter(area_level=level).values_list("area_code", flat=True).distinct())


@pytest.mark.parametrize("first, last", [(JANUARY, MARCH), (FEBRUARY, MARCH), (JANUARY, FEBRUARY), (MARCH, MARCH),
                                         (FEBRUARY, FEBRUARY)])
def test_a_run_read_from_the_stored_sums_equals_the_run_computed_compound_by_compound(world, first, last):
    with_a_january(world)
    recompute_range(first=JANUARY, last=MARCH)
    for level in ("community", "street", "district", "city"):
        run = indicator_values_for_run(area_level=level, area_codes=codes_of(level), first=first, last=last)
        assert run and rows_of(run) == run_from_facts(level, first, last), level


def test_a_run_of_one_month_is_the_published_month(world):
    with_a_january(world)
    recompute_range(first=JANUARY, last=MARCH)
    for month in (JANUARY, FEBRUARY, MARCH):
        for level in ("community", "street", "district", "city"):
            published = {(v.indicator_id, v.area_code, v.numerator, v.denominator, v.value)
                         for v in IndicatorValue.objects.filter(period=month, area_level=level)}
            assert rows_of(indicator_values_for_run(area_level=level, area_codes=None, first=month, last=month)) == published


def test_a_run_of_some_indicators_and_areas_reads_only_those(world, django_assert_num_queries):
    recompute_range(first=JANUARY, last=MARCH)
    with django_assert_num_queries(2):  # the run, and the indicators' units
        run = indicator_values_for_run(area_level="street", area_codes=["S1", "S3"], first=JANUARY, last=MARCH,
                                       indicator_codes=["complaint_rate", "service_quality"])
    assert {(v.indicator_code, v.area_code) for v in run} == {
        ("complaint_rate", "S1"), ("service_quality", "S1"), ("complaint_rate", "S3"), ("service_quality", "S3")}


def test_a_street_recompute_after_an_edit_leaves_every_run_as_computed_compound_by_compound(world):
    recompute_range(first=JANUARY, last=MARCH)
    MonthlyRecord.objects.filter(compound=world.compounds["E"], period=FEBRUARY).update(
        petitions=40, evaluation_score=Decimal("61.25"), monthly_meetings=0)
    recompute_street_month(street_id=world.areas["S1"].pk, period=FEBRUARY)
    # February's facts are carried into March's: the recompute marked March, the stale job takes it.
    assert StaleStreetMonth.objects.filter(street=world.areas["S1"], period=MARCH).exists()
    process_stale_street_months(settle_seconds=0)
    for level in ("community", "street", "district", "city"):
        run = indicator_values_for_run(area_level=level, area_codes=codes_of(level), first=JANUARY, last=MARCH)
        assert rows_of(run) == run_from_facts(level, JANUARY, MARCH), level
    service_quality = {v.indicator_code: v for v in indicator_values_for_run(
        area_level="street", area_codes=["S1"], first=JANUARY, last=MARCH)}["service_quality"]
    # A's March 90 over 100 households and E's February 61.25 over 200.
    assert service_quality.value == Decimal("70.8333")


def test_a_run_whose_later_months_are_not_computed_yet_runs_to_its_latest_computed_month(world):
    recompute_range(first=JANUARY, last=FEBRUARY)
    to_february = indicator_values_for_run(area_level="street", area_codes=["S1"], first=JANUARY, last=FEBRUARY)
    to_march = indicator_values_for_run(area_level="street", area_codes=["S1"], first=JANUARY, last=MARCH)
    assert to_february and rows_of(to_march) == rows_of(to_february)
    assert {v.last_period for v in to_march} == {FEBRUARY}
    assert not indicator_values_for_run(area_level="street", area_codes=["S1"], first=MARCH, last=MARCH)
