"""Stale marks per compound: an edit rebuilds only the facts of the compounds it touches and sums
the street again, and what is published (values, the sums runs are read from, facts) is exactly
what a whole-month recompute publishes."""
import datetime
from unittest import mock

import pytest

from committees.models import CommitteeMember, PartyOrganisationCompound
from communities.models import Compound, CompoundManagementPeriod, ManagementMode, ServiceContract
from metrics import services
from metrics.formulas import FACT_SUM_COLUMNS
from metrics.models import AreaMonthRecency, AreaMonthSums, CompoundMonthFact, IndicatorValue, StaleStreetMonth
from metrics.services import (
    mark_street_months_stale,
    process_stale_street_months,
    recompute_month,
    recompute_range,
    recompute_street_month,
)
from reporting.models import MonthlyRecord
from tests.factories import CompoundFactory

from .conftest import FEBRUARY, MARCH
from .test_services import snapshot

JANUARY = datetime.date(2024, 1, 1)
FACT_COLUMNS = [field.attname for field in CompoundMonthFact._meta.concrete_fields if field.name != "id"]


def facts(period):
    """Each compound's fact row of the month, by compound code, with the row's id apart."""
    rows = CompoundMonthFact.objects.filter(period=period).values("id", "compound__code", *FACT_COLUMNS)
    return {row.pop("compound__code"): row for row in rows}


def stored_sums(period):
    """The month's stored sums and recency rows, as the runs read them (without row ids)."""
    sums = {(row.pop("area_level"), row.pop("area_code")): row for row in AreaMonthSums.objects.filter(period=period)
            .values("area_level", "area_code", "compounds", "provisional", *FACT_SUM_COLUMNS)}
    recency = set(AreaMonthRecency.objects.filter(period=period).values_list(
        "area_level", "area_code", "month", "consulted", "scored_households", "score_weighted"))
    return sums, recency


def published(period):
    """What a reader sees of the month, and what it and its runs are computed from (without row ids)."""
    return (snapshot(period), stored_sums(period),
            {code: {k: v for k, v in row.items() if k != "id"} for code, row in facts(period).items()})


def certification_flipped_unmarked(period, *codes):
    """Each compound's safety certification in `period` flipped by a queryset update, which marks
    nothing: only a rebuild of its fact publishes it. Returns the flags a rebuild publishes."""
    published = certified_flags(period, *codes)
    Compound.objects.filter(code__in=[c for c, flag in published.items() if flag]).update(safety_certified_on=None)
    Compound.objects.filter(code__in=[c for c, flag in published.items() if not flag]).update(
        safety_certified_on=period)
    return {code: 1 - flag for code, flag in published.items()}


def certified_flags(period, *codes):
    return {code: row["safety_certified"] for code, row in facts(period).items() if code in codes}


def edit_and_drain(edit, callbacks):
    # As if it were still March 2024: the edit re-marks the months up to March.
    with mock.patch.object(services, "current_period", return_value=MARCH):
        with callbacks(execute=True):
            edit()
    process_stale_street_months(settle_seconds=0)
    assert not StaleStreetMonth.objects.exists()


def households(world):
    a = world.compounds["A"]
    a.households = 600
    a.save()


def committee_member_joins_the_party(world):
    member = CommitteeMember.objects.filter(committee__compound=world.compounds["E"], is_party_member=False).first()
    member.is_party_member = True
    member.save()


def contract_terminated(world):
    contract = ServiceContract.objects.get(compound=world.compounds["A"])
    contract.terminated_on = datetime.date(2024, 3, 15)
    contract.save()


def management_mode_changed(world):
    b = world.compounds["B"]
    CompoundManagementPeriod.objects.create(compound=b, mode=ManagementMode.STATE_TRUSTEESHIP,
                                            valid_from=datetime.date(2024, 3, 20))
    period = CompoundManagementPeriod.objects.filter(compound=b, valid_to__isnull=True).earliest("valid_from")
    period.valid_to = datetime.date(2024, 3, 20)
    period.save()


def party_coverage_removed(world):
    PartyOrganisationCompound.objects.get(compound=world.compounds["E"]).delete()


def compound_closed(world):
    b = world.compounds["B"]
    b.closed_on = datetime.date(2024, 3, 10)
    b.save()


def compound_moved_to_another_district(world):
    # G moves from S3 (district D2) into C1 of S1 (district D1), a street created before its own.
    g = world.compounds["G"]
    g.community = world.areas["C1"]
    g.save()


@pytest.mark.parametrize("edit", [households, committee_member_joins_the_party, contract_terminated,
                                  management_mode_changed, party_coverage_removed, compound_closed,
                                  compound_moved_to_another_district])
def test_an_edit_publishes_what_a_whole_month_recompute_publishes(world, edit, django_capture_on_commit_callbacks):
    recompute_range(first=JANUARY, last=MARCH)
    before = published(MARCH)
    edit_and_drain(lambda: edit(world), django_capture_on_commit_callbacks)
    after_edit = published(MARCH)
    assert after_edit != before
    recompute_month(period=MARCH)
    assert published(MARCH) == after_edit


def test_an_edit_of_an_earlier_month_reaches_the_later_months_it_carries_into(world, django_capture_on_commit_callbacks):
    """E met in March only; its February meeting, approved later, is carried into March's recency."""
    recompute_range(first=JANUARY, last=MARCH)
    MonthlyRecord.objects.filter(compound=world.compounds["E"], period=FEBRUARY).update(weekly_meetings=3)
    mark_street_months_stale(street_ids=[world.areas["S1"].pk], periods=[FEBRUARY])
    # One run: February, then March, which February's recompute marks.
    assert process_stale_street_months(settle_seconds=0) == 2
    assert not StaleStreetMonth.objects.exists()
    edited = (published(FEBRUARY), published(MARCH))
    recompute_range(first=FEBRUARY, last=MARCH)
    assert (published(FEBRUARY), published(MARCH)) == edited


def test_a_compound_edit_rebuilds_only_that_compounds_fact(world, django_capture_on_commit_callbacks):
    recompute_range(first=JANUARY, last=MARCH)
    published_flags = certified_flags(MARCH, "B", "E")
    certification_flipped_unmarked(MARCH, "B", "E")
    with django_capture_on_commit_callbacks(execute=True):
        households(world)
    assert set(StaleStreetMonth.objects.filter(period=MARCH).values_list("street__code", "compound__code")) == {
        ("S1", "A")}
    process_stale_street_months(settle_seconds=0)
    assert facts(MARCH)["A"]["households"] == 600
    assert certified_flags(MARCH, "B", "E") == published_flags  # their facts were not rebuilt


def test_a_whole_street_mark_rebuilds_every_fact_of_the_street(world):
    recompute_month(period=MARCH)
    # S1's compounds active at the end of March (M closed on March 1).
    flipped = certification_flipped_unmarked(MARCH, "A", "B", "E")
    s1 = world.areas["S1"].pk
    mark_street_months_stale(street_ids=[s1], periods=[MARCH], compound_ids=[world.compounds["A"].pk])
    mark_street_months_stale(street_ids=[s1], periods=[MARCH])
    process_stale_street_months(settle_seconds=0)
    assert certified_flags(MARCH, "A", "B", "E") == flipped


def test_marks_on_more_compounds_than_the_limit_become_one_whole_street_mark(world, settings):
    settings.METRICS_STALE_COMPOUND_LIMIT = 1
    s1 = world.areas["S1"].pk
    mark_street_months_stale(street_ids=[s1], periods=[MARCH], compound_ids=[world.compounds["A"].pk])
    assert list(StaleStreetMonth.objects.values_list("compound__code", flat=True)) == ["A"]
    mark_street_months_stale(street_ids=[s1], periods=[MARCH],
                             compound_ids=[world.compounds["A"].pk, world.compounds["B"].pk])
    assert set(StaleStreetMonth.objects.values_list("compound__code", flat=True)) == {"A", None}


def test_a_compound_mark_on_a_month_never_built_builds_the_whole_street(world):
    mark_street_months_stale(street_ids=[world.areas["S1"].pk], periods=[MARCH], compound_ids=[world.compounds["A"].pk])
    process_stale_street_months(settle_seconds=0)
    assert set(facts(MARCH)) == {"A", "B", "E"}


def test_a_street_rebuilt_whole_takes_over_a_compound_that_moved_in(world):
    """G moves into S1, created before its old street S3: S1 is rebuilt first, while G's fact is still
    under S3, and then S3."""
    recompute_month(period=MARCH)
    g = world.compounds["G"]
    assert facts(MARCH)["G"]["street_id"] == world.areas["S3"].pk
    type(g).objects.filter(pk=g.pk).update(community=world.areas["C1"])
    mark_street_months_stale(street_ids=[world.areas["S1"].pk, world.areas["S3"].pk], periods=[MARCH])
    process_stale_street_months(settle_seconds=0)
    after = published(MARCH)
    assert after[2]["G"]["street_id"] == world.areas["S1"].pk
    recompute_month(period=MARCH)
    assert published(MARCH) == after


def test_a_deleted_compound_leaves_the_month(world, django_capture_on_commit_callbacks):
    extra = CompoundFactory(community=world.areas["C1"], code="X", households=700)
    StaleStreetMonth.objects.all().delete()  # built below
    recompute_range(first=JANUARY, last=MARCH)
    assert "X" in facts(MARCH)
    edit_and_drain(extra.delete, django_capture_on_commit_callbacks)
    after_delete = published(MARCH)
    assert "X" not in after_delete[2]
    recompute_month(period=MARCH)
    assert published(MARCH) == after_delete


def lose_values(world):
    """Some values lost while the sums they were computed from stay: part of a community's, all of a
    street's, the city's firm coverage."""
    IndicatorValue.objects.filter(period=MARCH, area_code="C1", indicator_id__in=["complaint_rate", "service_quality"]).delete()
    IndicatorValue.objects.filter(period=MARCH, area_code="S2").delete()
    IndicatorValue.objects.filter(period=MARCH, area_level="city", indicator_id="firm_party_org_coverage").delete()


def lose_recency(world):
    AreaMonthRecency.objects.filter(period=MARCH, area_code__in=["C1", "S1", "350500"]).delete()


def lose_sums_and_facts(world):
    AreaMonthSums.objects.filter(period=MARCH, area_code__in=["C1", "D1"]).delete()
    CompoundMonthFact.objects.filter(period=MARCH, compound=world.compounds["B"]).delete()


@pytest.mark.parametrize("loss", [lose_values, lose_recency, lose_sums_and_facts])
def test_a_recompute_brings_back_rows_lost_while_the_others_stayed(world, loss):
    recompute_range(first=JANUARY, last=MARCH)
    full = published(MARCH)
    loss(world)
    assert published(MARCH) != full
    recompute_month(period=MARCH)
    assert published(MARCH) == full


@pytest.mark.parametrize("loss", [lose_values, lose_recency])
def test_a_street_recompute_brings_back_the_streets_lost_rows(world, loss):
    recompute_range(first=JANUARY, last=MARCH)
    full = published(MARCH)
    IndicatorValue.objects.filter(period=MARCH, area_code__in=["C1", "S1"], indicator_id="complaint_rate").delete()
    AreaMonthRecency.objects.filter(period=MARCH, area_code__in=["C1", "S1"]).delete()
    loss(world)
    recompute_street_month(street_id=world.areas["S1"].pk, period=MARCH)
    recompute_street_month(street_id=world.areas["S2"].pk, period=MARCH)
    recompute_street_month(street_id=world.areas["S3"].pk, period=MARCH)
    assert published(MARCH) == full
