"""Committees with members (never phone numbers) and party organisations."""
import datetime

import pytest

from committees.models import CommitteeMember
from tests.api_clients import TwoDistricts, codes, results, token_client
from tests.factories import (
    CommitteeMemberFactory,
    CompoundFactory,
    OwnersCommitteeFactory,
    PartyOrganisationFactory,
    PropertyFirmFactory,
    city_staff,
    district_staff,
    street_officer,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def areas():
    return TwoDistricts()


def test_committee_members_are_listed_without_phone_numbers():
    member = CommitteeMemberFactory(phone="13912345678", role=CommitteeMember.Role.CHAIR, is_party_member=True)
    client = token_client(city_staff())
    for response in (client.get("/api/v1/committees/"), client.get(f"/api/v1/committees/{member.committee_id}/"),
                     client.get("/api/v1/committees/", {"format": "csv"})):
        content = b"".join(response.streaming_content) if response.streaming else response.content
        assert b"13912345678" not in content and b"5678" not in content
        assert b"phone" not in content
    row = results(client.get("/api/v1/committees/"))[0]
    assert row["members"] == [{"name": member.masked_name, "role": "chair", "is_party_member": True}]


def test_committee_status_is_read_on_the_as_of_day():
    committee = OwnersCommitteeFactory(term_start=datetime.date(2019, 1, 1), term_end=datetime.date(2023, 12, 31),
                                       elected_on=datetime.date(2019, 1, 1))
    client = token_client(city_staff())
    assert results(client.get("/api/v1/committees/", {"as_of": "2022-06-30"}))[0]["status"] == "in_office"
    expired = client.get("/api/v1/committees/", {"as_of": "2024-06-30", "status": "expired"})
    assert codes(expired, "id") == [committee.pk]
    assert codes(client.get("/api/v1/committees/", {"as_of": "2024-06-30", "status": "in_office"}), "id") == []


def test_committee_status_filter_matches_the_model_rule_for_every_status():
    day = datetime.date(2024, 6, 30)
    compound = CompoundFactory()
    committees = [
        OwnersCommitteeFactory(compound=compound, elected_on=None, term_start=None, term_end=None),
        OwnersCommitteeFactory(compound=compound, term_start=datetime.date(2014, 1, 1),
                               elected_on=datetime.date(2014, 1, 1), term_end=datetime.date(2018, 12, 31)),
        OwnersCommitteeFactory(compound=compound, term_start=datetime.date(2019, 1, 1),
                               elected_on=datetime.date(2019, 1, 1), term_end=datetime.date(2020, 12, 31),
                               dissolved_on=datetime.date(2020, 6, 1)),
        OwnersCommitteeFactory(compound=compound, term_start=datetime.date(2021, 1, 1),
                               elected_on=datetime.date(2021, 1, 1), term_end=datetime.date(2025, 12, 31),
                               renewal_started_on=datetime.date(2024, 6, 1)),
    ]
    client = token_client(city_staff())
    for committee in committees:
        status = committee.status_on(day)
        listed = codes(client.get("/api/v1/committees/", {"as_of": day.isoformat(), "status": status}), "id")
        assert committee.pk in listed, status


def test_committees_of_another_street_are_404(areas):
    other = OwnersCommitteeFactory(compound=areas.compound_b)
    own = OwnersCommitteeFactory(compound=areas.compound_a)
    client = token_client(street_officer(areas.street_a))
    assert codes(client.get("/api/v1/committees/"), "id") == [own.pk]
    assert client.get(f"/api/v1/committees/{other.pk}/").status_code == 404


def test_committees_filter_by_area_and_compound(areas):
    own = OwnersCommitteeFactory(compound=areas.compound_a)
    OwnersCommitteeFactory(compound=areas.compound_b)
    client = token_client(city_staff())
    assert codes(client.get("/api/v1/committees/", {"area": areas.district_a.code}), "id") == [own.pk]
    assert codes(client.get("/api/v1/committees/", {"compound": areas.compound_a.code}), "id") == [own.pk]


def test_committee_list_costs_a_bounded_number_of_queries(django_assert_max_num_queries):
    for committee in OwnersCommitteeFactory.create_batch(10):
        CommitteeMemberFactory.create_batch(3, committee=committee)
    client = token_client(city_staff())
    with django_assert_max_num_queries(5):
        assert len(results(client.get("/api/v1/committees/"))) == 10


def test_party_organisation_lists_what_it_covers():
    organisation = PartyOrganisationFactory()
    compound = CompoundFactory(community__street=organisation.street)
    firm = PropertyFirmFactory()
    organisation.compounds.add(compound)
    organisation.firms.add(firm)
    body = token_client(city_staff()).get(f"/api/v1/party-organisations/{organisation.code}/").json()
    assert [link["compound"] for link in body["compounds"]] == [compound.code]
    assert [link["firm"] for link in body["firms"]] == [firm.credit_code]


def test_party_organisations_filter_by_area_and_active_day(areas):
    own = PartyOrganisationFactory(street=areas.street_a, established_on=datetime.date(2023, 1, 1),
                                   dissolved_on=datetime.date(2024, 1, 1))
    PartyOrganisationFactory(street=areas.street_b)
    client = token_client(city_staff())
    assert codes(client.get("/api/v1/party-organisations/", {"area": areas.district_a.code})) == [own.code]
    assert codes(client.get("/api/v1/party-organisations/", {"area": areas.street_a.code})) == [own.code]
    active_then = {"area": areas.street_a.code, "active": "true", "as_of": "2023-06-30"}
    assert codes(client.get("/api/v1/party-organisations/", active_then)) == [own.code]
    assert own.code not in codes(client.get("/api/v1/party-organisations/", {"active": "true"}))
    assert codes(client.get("/api/v1/party-organisations/", {"as_of": "2022-12-31"})) == []


def test_party_organisations_are_scoped_to_the_district(areas):
    PartyOrganisationFactory(street=areas.street_b)
    own = PartyOrganisationFactory(street=areas.street_a)
    client = token_client(district_staff(areas.district_a))
    assert codes(client.get("/api/v1/party-organisations/")) == [own.code]


def test_party_organisation_list_costs_a_bounded_number_of_queries(django_assert_max_num_queries):
    for organisation in PartyOrganisationFactory.create_batch(8):
        organisation.compounds.add(CompoundFactory())
    client = token_client(city_staff())
    with django_assert_max_num_queries(6):
        assert len(results(client.get("/api/v1/party-organisations/"))) == 8
