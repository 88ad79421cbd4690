import datetime

import pytest

from communities import selectors
from communities.models import CompoundManagementPeriod, ManagementMode
from tests.factories import CommunityFactory, CompoundFactory, ServiceContractFactory, StreetFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def test_a_merged_compound_stops_counting_from_its_merge_date():
    community = CommunityFactory()
    target = CompoundFactory(community=community, active_from=D(2020, 1, 1))
    merged = CompoundFactory(community=community, active_from=D(2020, 1, 1), closed_on=D(2024, 4, 1), merged_into=target)
    march_end, april_end = D(2024, 3, 31), D(2024, 4, 30)
    assert set(selectors.compounds_active_on(march_end, area=community)) == {target, merged}
    assert set(selectors.compounds_active_on(april_end, area=community)) == {target}
    # Its history stays: the row is still there, only no longer counted.
    assert merged.merged_into == target


def test_compounds_active_on_is_limited_to_the_area_at_every_level():
    street = StreetFactory()
    inside = CompoundFactory(community=CommunityFactory(street=street))
    outside = CompoundFactory()
    day = D(2024, 6, 30)
    for area in (street, street.district, inside.community):
        assert list(selectors.compounds_active_on(day, area=area)) == [inside]
    assert set(selectors.compounds_active_on(day, area=street.district.city)) >= {inside, outside}


def test_compound_not_yet_started_does_not_count():
    compound = CompoundFactory(active_from=D(2024, 7, 1))
    assert compound not in selectors.compounds_active_on(D(2024, 6, 30))
    assert compound in selectors.compounds_active_on(D(2024, 7, 1))


def test_management_mode_is_rebuilt_for_a_past_day():
    compound = CompoundFactory(active_from=D(2020, 1, 1), management_mode=ManagementMode.UNMANAGED)
    CompoundManagementPeriod.objects.filter(compound=compound).update(valid_to=D(2024, 3, 15))
    CompoundManagementPeriod.objects.create(compound=compound, mode=ManagementMode.STATE_TRUSTEESHIP, valid_from=D(2024, 3, 15))
    assert selectors.management_mode_on(compound, D(2024, 3, 14)) == ManagementMode.UNMANAGED
    assert selectors.management_mode_on(compound, D(2024, 3, 15)) == ManagementMode.STATE_TRUSTEESHIP
    managed_feb = selectors.compounds_with_management_mode_on(D(2024, 2, 29), [ManagementMode.STATE_TRUSTEESHIP])
    managed_mar = selectors.compounds_with_management_mode_on(D(2024, 3, 31), [ManagementMode.STATE_TRUSTEESHIP])
    assert compound not in managed_feb
    assert compound in managed_mar


def test_firm_under_contract_follows_contract_end_and_dismissal():
    compound = CompoundFactory()
    first = ServiceContractFactory(compound=compound, starts_on=D(2022, 1, 1), ends_on=D(2023, 12, 31))
    second = ServiceContractFactory(compound=compound, starts_on=D(2024, 1, 1), terminated_on=D(2024, 9, 1),
                                    termination_reason="服务质量差，业主大会决定清退")
    assert selectors.firm_under_contract_for_compound(compound, D(2023, 12, 31)) == first.firm
    assert selectors.firm_under_contract_for_compound(compound, D(2024, 8, 31)) == second.firm
    assert selectors.firm_under_contract_for_compound(compound, D(2024, 9, 1)) is None
    assert selectors.contracts_active_on(D(2024, 9, 1), area=compound.community).count() == 0


def test_safety_certification_counts_from_its_date():
    certified = CompoundFactory(safety_certified_on=D(2024, 5, 20))
    from communities.models import Compound

    may, april = D(2024, 5, 31), D(2024, 4, 30)
    assert Compound.objects.filter(selectors.compound_safety_certified_q(may), pk=certified.pk).exists()
    assert not Compound.objects.filter(selectors.compound_safety_certified_q(april), pk=certified.pk).exists()
