import datetime

import pytest

from committees import selectors
from committees.models import PartyOrganisationCompound, PartyOrganisationFirm
from communities.models import Compound, PropertyFirm
from tests.factories import (
    CompoundFactory,
    OwnersCommitteeFactory,
    PartyOrganisationFactory,
    PropertyFirmFactory,
)

pytestmark = pytest.mark.django_db
D = datetime.date
FEB_END, MAR_END = D(2024, 2, 29), D(2024, 3, 31)


def test_a_committee_elected_in_march_counts_for_march_and_not_february():
    committee = OwnersCommitteeFactory(elected_on=D(2024, 3, 12), term_start=D(2024, 3, 12), term_end=D(2029, 3, 11))
    assert committee not in selectors.committees_in_office_on(FEB_END)
    assert committee in selectors.committees_in_office_on(MAR_END)
    with_committee_feb = selectors.compounds_with_committee_in_office_on(FEB_END)
    with_committee_mar = selectors.compounds_with_committee_in_office_on(MAR_END)
    assert committee.compound not in with_committee_feb
    assert committee.compound in with_committee_mar


def test_a_dissolved_committee_stops_counting_on_its_dissolution_day():
    committee = OwnersCommitteeFactory(term_start=D(2023, 1, 1), term_end=D(2027, 12, 31), dissolved_on=D(2024, 3, 20))
    assert committee in selectors.committees_in_office_on(D(2024, 3, 19))
    assert committee not in selectors.committees_in_office_on(D(2024, 3, 20))


def test_a_committee_whose_term_expired_is_not_in_office():
    committee = OwnersCommitteeFactory(elected_on=D(2019, 1, 5), term_start=D(2019, 1, 5), term_end=D(2024, 1, 4))
    assert committee in selectors.committees_in_office_on(D(2024, 1, 4))
    assert committee not in selectors.committees_in_office_on(D(2024, 1, 31))
    assert committee.status_on(D(2024, 1, 31)) == "expired"


def test_status_follows_the_dates():
    committee = OwnersCommitteeFactory.build(
        preparation_started_on=D(2023, 9, 1), elected_on=D(2024, 1, 10), term_start=D(2024, 1, 10),
        term_end=D(2029, 1, 9), renewal_started_on=D(2028, 10, 1), dissolved_on=None,
    )
    assert committee.status_on(D(2023, 12, 1)) == "preparing"
    assert committee.status_on(D(2024, 6, 1)) == "in_office"
    assert committee.status_on(D(2028, 11, 1)) == "renewing"
    assert committee.status_on(D(2029, 2, 1)) == "expired"


def test_party_coverage_follows_the_organisation_and_link_dates():
    compound = CompoundFactory()
    organisation = PartyOrganisationFactory(established_on=D(2024, 3, 5), dissolved_on=D(2025, 1, 1))
    PartyOrganisationCompound.objects.create(organisation=organisation, compound=compound, covered_to=D(2024, 10, 1))
    covered = lambda day: Compound.objects.filter(selectors.compound_party_coverage_exists(day), pk=compound.pk).exists()  # noqa: E731
    assert not covered(FEB_END)
    assert covered(MAR_END)
    assert covered(D(2024, 9, 30))
    assert not covered(D(2024, 10, 31))


def test_a_dissolved_party_organisation_covers_nothing():
    firm = PropertyFirmFactory()
    organisation = PartyOrganisationFactory(kind="firm", established_on=D(2023, 1, 1), dissolved_on=D(2024, 3, 1))
    PartyOrganisationFirm.objects.create(organisation=organisation, firm=firm)
    assert firm in selectors.firms_covered_by_party_org_on(FEB_END)
    assert firm not in selectors.firms_covered_by_party_org_on(MAR_END)
    assert PropertyFirm.objects.count() == 1
