"""Recomputing: street-months, atomic publishing, stale marks and their coalescing."""
import datetime
from decimal import Decimal
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection

from committees.models import CommitteeMember
from communities.models import CompoundManagementPeriod, ManagementMode, PropertyFirm
from metrics import services
from metrics.models import CompoundMonthFact, IndicatorValue, RecomputeJob, StaleStreetMonth
from metrics.periods import current_period
from metrics.services import (
    mark_street_months_stale,
    process_stale_street_months,
    recompute_month,
    recompute_street_month,
)
from tests.factories import CompoundFactory, OwnersCommitteeFactory

from .conftest import FEBRUARY, MARCH


def snapshot(period):
    return {(v.indicator_id, v.area_level, v.area_code): (v.numerator, v.denominator, v.value)
            for v in IndicatorValue.objects.filter(period=period)}


def test_street_month_recompute_matches_a_whole_month_recompute(world):
    recompute_month(period=MARCH)
    a = world.compounds["A"]
    a.households = 600
    a.save()
    recompute_street_month(street_id=world.areas["S1"].pk, period=MARCH)
    after_street = snapshot(MARCH)
    recompute_month(period=MARCH)
    assert after_street == snapshot(MARCH)
    # S1 = (5 + 2 + 2) per (600 + 300 + 200) / 1000 households.
    assert after_street[("complaint_rate", "street", "S1")][2] == Decimal("8.1818")


def test_street_month_recompute_in_a_district_without_sanyou_firms_keeps_the_city_firm_value(world):
    # D2's only 三有 firm leaves the register: D2 has no firm value, the city's is D1's alone.
    PropertyFirm.objects.filter(registered_district=world.areas["D2"]).delete()
    recompute_month(period=MARCH)
    whole_month = snapshot(MARCH)
    recompute_street_month(street_id=world.areas["S3"].pk, period=MARCH)
    recompute_street_month(street_id=world.areas["S1"].pk, period=MARCH)
    assert snapshot(MARCH) == whole_month
    # D1: firm1 covered of firm1 and firm2.
    assert whole_month[("firm_party_org_coverage", "city", world.city.code)][:2] == (Decimal(1), Decimal(2))


def test_street_month_recompute_leaves_other_months_and_streets_alone(world):
    recompute_month(period=FEBRUARY)
    recompute_month(period=MARCH)
    february, s3 = snapshot(FEBRUARY), IndicatorValue.objects.filter(period=MARCH, area_code="S3").count()
    recompute_street_month(street_id=world.areas["S1"].pk, period=MARCH)
    assert snapshot(FEBRUARY) == february
    assert IndicatorValue.objects.filter(period=MARCH, area_code="S3").count() == s3


def test_a_failed_recompute_leaves_the_published_month_untouched(world):
    recompute_month(period=MARCH)
    before = snapshot(MARCH)
    with mock.patch.object(services, "_firm_figures", side_effect=RuntimeError("boom")):
        with pytest.raises(RuntimeError):
            recompute_month(period=MARCH)
    assert snapshot(MARCH) == before
    assert CompoundMonthFact.objects.filter(period=MARCH).count() == 5


def test_management_mode_change_counts_from_the_month_it_holds_at_month_end(world):
    b = world.compounds["B"]
    CompoundManagementPeriod.objects.filter(compound=b).update(valid_to=datetime.date(2024, 3, 20))
    CompoundManagementPeriod.objects.create(compound=b, mode=ManagementMode.STATE_TRUSTEESHIP,
                                            valid_from=datetime.date(2024, 3, 20))
    recompute_month(period=FEBRUARY)
    recompute_month(period=MARCH)
    assert snapshot(FEBRUARY)[("property_service_coverage", "street", "S1")][2] == Decimal("50")  # A, E of A, B, E, M
    assert snapshot(MARCH)[("property_service_coverage", "street", "S1")][2] == Decimal("100")


def test_dissolved_committee_stops_counting(world):
    committee = world.compounds["A"].committees.get()
    committee.dissolved_on = datetime.date(2024, 3, 31)
    committee.save()
    recompute_month(period=MARCH)
    assert snapshot(MARCH)[("committee_formation_rate", "street", "S1")][:2] == (Decimal(0), Decimal(2))


def test_stale_marks_are_coalesced_per_street_month(world):
    s1 = world.areas["S1"].pk
    for _ in range(50):
        mark_street_months_stale(street_ids=[s1], periods=[MARCH])
    assert StaleStreetMonth.objects.count() == 1


def test_fifty_edits_cause_one_recompute(world, django_capture_on_commit_callbacks):
    a = world.compounds["A"]
    with django_capture_on_commit_callbacks(execute=True):
        for households in range(101, 151):
            a.households = households
            a.save()
    with mock.patch.object(services, "recompute_street_month", wraps=services.recompute_street_month) as recompute:
        process_stale_street_months(settle_seconds=0)
    assert {(c.kwargs["street_id"], c.kwargs["period"]) for c in recompute.call_args_list} == {
        (world.areas["S1"].pk, period) for period in services.periods_since(None)}
    assert recompute.call_count == len(services.periods_since(None))
    assert not StaleStreetMonth.objects.exists()


def test_marks_younger_than_the_settle_delay_wait(world):
    mark_street_months_stale(street_ids=[world.areas["S1"].pk], periods=[MARCH])
    assert process_stale_street_months(settle_seconds=60) == 0
    assert StaleStreetMonth.objects.count() == 1


def test_processing_a_stale_mark_publishes_the_edit(world, django_capture_on_commit_callbacks):
    recompute_month(period=MARCH)
    with django_capture_on_commit_callbacks(execute=True):
        CommitteeMember.objects.filter(committee__compound=world.compounds["E"]).update(is_party_member=True)
        mark_street_months_stale(street_ids=[world.areas["S1"].pk], periods=[MARCH])
    process_stale_street_months(settle_seconds=0)
    assert snapshot(MARCH)[("red_committee_share", "street", "S1")][2] == Decimal("100")


def test_registry_edit_marks_its_street_from_the_effective_month(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        OwnersCommitteeFactory(compound=world.compounds["B"], elected_on=datetime.date(2024, 6, 1),
                               term_start=datetime.date(2024, 6, 1), term_end=datetime.date(2029, 5, 31))
    marked = set(StaleStreetMonth.objects.values_list("street__code", "period"))
    assert ("S1", datetime.date(2024, 6, 1)) in marked
    assert ("S1", datetime.date(2024, 5, 1)) not in marked
    assert ("S1", current_period()) in marked
    assert {code for code, _ in marked} == {"S1"}


def test_moving_an_election_date_later_marks_the_months_it_used_to_count(world, django_capture_on_commit_callbacks):
    committee = world.compounds["F"].committees.get()
    with django_capture_on_commit_callbacks(execute=True):
        committee.elected_on = committee.term_start = datetime.date(2024, 5, 1)
        committee.save()
    assert StaleStreetMonth.objects.filter(street__code="S2", period=MARCH).exists()


def test_many_stale_streets_in_a_month_are_recomputed_as_one_month(world, settings):
    settings.METRICS_STALE_WHOLE_MONTH_THRESHOLD = 2
    mark_street_months_stale(street_ids=[world.areas[s].pk for s in ("S1", "S2")], periods=[MARCH])
    with mock.patch.object(services, "recompute_month", wraps=services.recompute_month) as whole_month:
        assert process_stale_street_months(settle_seconds=0) == 2
    whole_month.assert_called_once_with(period=MARCH)
    assert IndicatorValue.objects.filter(period=MARCH, area_code="S3").exists()


def test_recompute_job_records_its_progress(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = services.recompute_job_start(job=RecomputeJob(period_from=datetime.date(2024, 1, 15),
                                                            period_to=MARCH))
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.period_from) == (
        RecomputeJob.Status.DONE, 3, 3, datetime.date(2024, 1, 1))
    assert job.finished_at is not None


def test_command_recomputes_one_street_for_a_range(world):
    call_command("recompute_indicators", "--from", "2024-02", "--to", "2024-03", "--street", "S1", verbosity=0)
    assert set(IndicatorValue.objects.filter(area_level="street").values_list("area_code", "period")) == {
        ("S1", FEBRUARY), ("S1", MARCH)}


def test_command_include_submitted_marks_values_provisional(world):
    call_command("recompute_indicators", "--period", "2024-03", "--include-submitted", verbosity=0)
    assert IndicatorValue.objects.get(indicator_id="consultation_coverage", area_code="S3", period=MARCH).provisional


def test_month_recompute_costs_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    recompute_month(period=MARCH)
    for n in range(20):
        CompoundFactory(community=world.areas["C1"], code=f"X{n}")
    # Facts, then each level's sums and recency rows: six statements each (whether rows are stored,
    # new rows into a temporary table, delete the stored rows that changed, drop the unchanged from
    # the new, insert the rest, drop the table; PostgreSQL also analyses the table), then values and
    # firms (and areas missing some of their values): independent of the compound count.
    with django_assert_max_num_queries(65 if connection.vendor == "sqlite" else 77):
        recompute_month(period=MARCH)
