"""Every registry fact has a date: a change from April leaves February and March as they were and
moves April, after a full recompute and after the recompute its stale marks cause; a correction
moves every month it covers."""
import datetime
from decimal import Decimal

import pytest

from benchmarks.engine_vs_hand_sql import compare, engine_rows, hand_rows

from committees.services import committee_member_change, committee_member_leave
from communities.models import HousingType, ManagementMode
from communities.services import (
    compound_change_fact,
    compound_correct_fact,
    compound_correct_management_mode,
    compound_set_management_mode,
    firm_change_facts,
)
from metrics.models import IndicatorValue, StaleStreetMonth
from metrics.services import process_stale_street_months, recompute_month

from .conftest import FEBRUARY, MARCH

APRIL = datetime.date(2024, 4, 1)
MONTHS = (FEBRUARY, MARCH, APRIL)


def snapshot(period):
    return {(v.indicator_id, v.area_level, v.area_code): (v.numerator, v.denominator)
            for v in IndicatorValue.objects.filter(period=period)}


def recompute_all():
    for period in MONTHS:
        recompute_month(period=period)
    return {period: snapshot(period) for period in MONTHS}


def households(world):
    compound_change_fact(compound=world.compounds["A"], field="households", value=700, on=APRIL)
    return ("complaint_rate", "street", "S1")


def housing_type(world):
    compound_change_fact(compound=world.compounds["B"], field="housing_type", value=HousingType.RESETTLEMENT, on=APRIL)
    return ("committee_formation_rate", "street", "S1")


def community(world):
    compound_change_fact(compound=world.compounds["E"], field="community_id", value=world.areas["C3"].pk, on=APRIL)
    return ("party_org_coverage", "street", "S2")


def management_mode(world):
    compound_set_management_mode(compound=world.compounds["B"], mode=ManagementMode.COMMUNITY_LED, on=APRIL)
    return ("property_service_coverage", "street", "S1")


def party_membership(world):
    for member in world.compounds["E"].committees.get().members.filter(is_party_member=False)[:2]:
        committee_member_change(member=member, on=APRIL, is_party_member=True)
    return ("red_committee_share", "street", "S1")


def member_leaves(world):
    member = world.compounds["E"].committees.get().members.filter(is_party_member=False).first()
    committee_member_leave(member=member, on=APRIL)
    return ("renewed_committee_party_ratio", "street", "S1")


def firm_facts(world):
    firm = world.compounds["A"].contracts.get().firm
    firm_change_facts(firm=firm, on=APRIL, staff_count=5, has_fixed_premises=True, in_business=True)
    return ("firm_party_org_coverage", "district", "D1")


EDITS = [households, housing_type, community, management_mode, party_membership, member_leaves, firm_facts]


@pytest.mark.parametrize("edit", EDITS)
def test_a_change_from_a_later_date_leaves_earlier_months_and_moves_later_ones(world, edit):
    before = recompute_all()
    watched = edit(world)
    # Only the months compared here: the marks run up to the current month.
    StaleStreetMonth.objects.filter(period__gt=APRIL).delete()
    process_stale_street_months(settle_seconds=0)
    incremental = {period: snapshot(period) for period in MONTHS}
    after = recompute_all()
    assert after[FEBRUARY] == before[FEBRUARY]
    assert after[MARCH] == before[MARCH]
    assert after[APRIL][watched] != before[APRIL][watched]
    assert incremental == after


def test_a_correction_moves_every_month_it_covers(world):
    before = recompute_all()
    compound_correct_fact(compound=world.compounds["A"], field="households", value=700)
    after = recompute_all()
    key = ("complaint_rate", "street", "S1")
    assert all(after[period][key][1] != before[period][key][1] for period in MONTHS)


def test_a_correction_of_a_dated_value_moves_only_the_months_it_covers(world):
    compound = world.compounds["A"]
    april_row = compound_change_fact(compound=compound, field="households", value=700, on=APRIL)
    before = recompute_all()
    compound_correct_fact(compound=compound, field="households", value=750, row=april_row)
    after = recompute_all()
    key = ("complaint_rate", "street", "S1")
    assert after[MARCH] == before[MARCH]
    assert after[APRIL][key][1] - before[APRIL][key][1] == Decimal("0.05")
    compound.refresh_from_db()
    assert compound.households == 750


def test_a_mode_change_dated_before_the_current_mode_began_moves_only_the_months_until_it(world):
    compound = world.compounds["B"]
    compound_set_management_mode(compound=compound, mode=ManagementMode.COMMUNITY_LED, on=APRIL)
    before = recompute_all()
    compound_set_management_mode(compound=compound, mode=ManagementMode.SELF_MANAGED, on=MARCH)
    after = recompute_all()
    key = ("property_service_coverage", "street", "S1")
    assert after[FEBRUARY] == before[FEBRUARY]
    assert after[MARCH][key][0] == before[MARCH][key][0] + 1
    assert after[APRIL] == before[APRIL]


def test_a_mode_correction_moves_every_month_its_period_covers(world):
    compound = world.compounds["B"]
    before = recompute_all()
    compound_correct_management_mode(compound=compound, mode=ManagementMode.SELF_MANAGED)
    after = recompute_all()
    key = ("property_service_coverage", "street", "S1")
    assert all(after[period][key][0] == before[period][key][0] + 1 for period in MONTHS)


def test_the_history_tells_a_change_from_a_correction(world):
    compound = world.compounds["A"]
    row = compound_change_fact(compound=compound, field="households", value=700, on=APRIL)
    compound_correct_fact(compound=compound, field="households", value=750, row=row)
    reasons = list(row.history.order_by("history_date").values_list("history_change_reason", flat=True))
    assert reasons[0] == "变更（自2024-04-01起生效）"
    assert reasons[-1].startswith("更正")


def test_the_hand_written_sql_pass_reads_the_dated_facts_as_the_engine_does(world, require_postgres):
    for edit in EDITS:
        edit(world)
    for period in (MARCH, APRIL):
        recompute_month(period=period)
        assert compare(engine_rows(period), hand_rows(period)) == []
