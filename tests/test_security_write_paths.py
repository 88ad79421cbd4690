"""Attacks on the registry's write paths: ids of another street's (or district's) objects put into the
body of a request the attacker may otherwise send, and writes by district staff. Each test tries the
forbidden thing through the pages, as the role, and checks that nothing changed."""
import datetime

import pytest
from django.urls import reverse

from committees.models import CommitteeMember, OwnersCommittee, PartyOrganisation, PartyOrganisationCompound
from communities.models import Compound, FirmListing, PropertyFirm, ServiceContract
from tests.factories import (
    CommitteeMemberFactory,
    CommunityFactory,
    CompoundFactory,
    OwnersCommitteeFactory,
    PartyOrganisationFactory,
    PropertyFirmFactory,
    ServiceContractFactory,
    StreetFactory,
    district_staff,
    street_officer,
)

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def street_a():
    return StreetFactory()


@pytest.fixture
def street_b(street_a):
    """Another street of the same district."""
    return StreetFactory(district=street_a.district)


@pytest.fixture
def compound_a(street_a):
    return CompoundFactory(community=CommunityFactory(street=street_a))


@pytest.fixture
def compound_b(street_b):
    return CompoundFactory(community=CommunityFactory(street=street_b))


@pytest.fixture
def officer_a(client, street_a):
    user = street_officer(street_a)
    client.force_login(user)
    return user


def test_a_compound_cannot_be_registered_in_another_streets_community(client, officer_a, street_a, compound_b):
    response = client.post(reverse("registry:compound_create", args=[street_a.code]), {
        "community": compound_b.community_id, "code": "X0000001", "name": "偷登小区", "households": 100,
        "buildings": 2, "housing_type": "commodity", "management_mode": "professional",
        "active_from": "2024-01-01"})
    assert response.status_code == 200 and "community" in response.context["form"].errors
    assert not Compound.objects.filter(code="X0000001").exists()


def test_an_edit_cannot_move_a_compound_into_another_streets_community(client, officer_a, compound_a, compound_b):
    response = client.post(reverse("registry:compound_edit", args=[compound_a.code]), {
        "name": compound_a.name, "address": "", "buildings": 6, "year_built": "", "households": 300,
        "housing_type": "commodity", "community": compound_b.community_id, "management_mode": "professional"})
    assert "community" in response.context["form"].errors
    compound_a.refresh_from_db()
    assert compound_a.community.street_id == compound_a.community.street_id != compound_b.community.street_id
    assert not compound_a.community_periods.exists()


def test_a_dated_change_cannot_move_a_compound_into_another_streets_community(client, officer_a, compound_a,
                                                                              compound_b):
    client.post(reverse("registry:compound_change", args=[compound_a.code, "community"]),
                {"community-value": compound_b.community_id, "community-on": "2024-05-01"})
    compound_a.refresh_from_db()
    assert compound_a.community.street_id != compound_b.community.street_id
    assert not compound_a.community_periods.exists()


def test_a_compound_cannot_be_merged_into_another_streets_compound(client, officer_a, compound_a, compound_b):
    response = client.post(reverse("registry:compound_close", args=[compound_a.code]),
                           {"on": "2024-05-01", "merged_into": compound_b.code})
    assert "merged_into" in response.context["close_form"].errors
    compound_a.refresh_from_db()
    assert compound_a.closed_on is None and compound_a.merged_into is None


def test_another_streets_compound_cannot_be_closed_edited_or_contracted(client, officer_a, compound_b):
    firm = PropertyFirmFactory(registered_district=compound_b.community.street.district)
    attempts = [
        ("registry:compound_close", {"on": "2024-05-01"}),
        ("registry:compound_edit", {"name": "改名", "buildings": 1, "households": 1, "housing_type": "commodity",
                                    "community": compound_b.community_id, "management_mode": "professional"}),
        ("registry:compound_change", {"households-value": 1, "households-on": "2024-05-01"}),
        ("registry:compound_safety", {"on": "2024-05-01"}),
        ("registry:contract_create", {"firm": firm.credit_code, "starts_on": "2024-01-01"}),
        ("committees:elect", {"elected_on": "2024-01-01", "members-TOTAL_FORMS": 0,
                              "members-INITIAL_FORMS": 0}),
    ]
    for name, body in attempts:
        args = [compound_b.code, "households"] if name == "registry:compound_change" else [compound_b.code]
        assert client.post(reverse(name, args=args), body).status_code == 404, name
    compound_b.refresh_from_db()
    assert compound_b.closed_on is None and compound_b.safety_certified_on is None and compound_b.name != "改名"
    assert not ServiceContract.objects.exists() and not OwnersCommittee.objects.exists()


def test_another_streets_contract_committee_and_members_cannot_be_changed_by_id(client, officer_a, compound_b):
    contract = ServiceContractFactory(compound=compound_b)
    committee = OwnersCommitteeFactory(compound=compound_b)
    member = CommitteeMemberFactory(committee=committee)
    attempts = [
        (reverse("registry:contract_end", args=[contract.pk]), {"terminate": "terminate", "on": "2024-05-01",
                                                               "reason": "清退"}),
        (reverse("committees:dissolve", args=[committee.pk]), {"on": "2024-05-01"}),
        (reverse("committees:start_renewal", args=[committee.pk]), {"on": "2024-05-01"}),
        (reverse("committees:renew", args=[committee.pk]), {"elected_on": "2024-05-01"}),
        (reverse("committees:member_join", args=[committee.pk]), {"name": "混入", "role": "member",
                                                                  "on": "2024-05-01"}),
        (reverse("committees:member_change", args=[member.pk]), {"role": "chair", "on": "2024-05-01"}),
        (reverse("committees:member_leave", args=[member.pk]), {"on": "2024-05-01"}),
        (reverse("committees:member_correct", args=[member.pk]), {"name": "改名", "phone": "13900000000"}),
    ]
    for url, body in attempts:
        assert client.post(url, body).status_code == 404, url
    contract.refresh_from_db(), committee.refresh_from_db(), member.refresh_from_db()
    assert contract.terminated_on is None and committee.dissolved_on is None and committee.renewal_started_on is None
    assert member.name != "改名" and member.left_on is None
    assert CommitteeMember.objects.filter(committee=committee).count() == 1


def test_a_party_organisation_cannot_cover_another_streets_compound(client, officer_a, street_a, compound_b):
    client.post(reverse("committees:party_create", args=[street_a.code]), {
        "code": "DZB-X", "name": "某支部", "kind": "compound_branch", "form": "formal",
        "established_on": "2024-01-15", "compounds": [compound_b.pk]})
    assert not PartyOrganisation.objects.filter(code="DZB-X").exists()
    organisation = PartyOrganisationFactory(street=street_a)
    client.post(reverse("committees:coverage_add", args=[organisation.code]), {"compound": compound_b.pk,
                                                                                "on": "2024-05-01"})
    assert not PartyOrganisationCompound.objects.filter(compound=compound_b).exists()


def test_another_streets_party_organisation_and_its_coverage_cannot_be_changed(client, officer_a, compound_b):
    organisation = PartyOrganisationFactory(street=compound_b.community.street)
    link = PartyOrganisationCompound.objects.create(organisation=organisation, compound=compound_b,
                                                    covered_from=D(2023, 2, 1))
    other = CompoundFactory(community=compound_b.community)
    assert client.post(reverse("committees:coverage_add", args=[organisation.code]),
                       {"compound": other.pk, "on": "2024-05-01"}).status_code == 404
    assert client.post(reverse("committees:compound_coverage_end", args=[link.pk]),
                       {"on": "2024-05-01"}).status_code == 404
    link.refresh_from_db()
    assert link.covered_to is None and organisation.compound_links.count() == 1


def test_a_district_level_party_organisation_is_the_citys_to_change(client, street_a, compound_a):
    organisation = PartyOrganisationFactory(street=None, district=street_a.district, kind="firm")
    for user in (street_officer(street_a), district_staff(street_a.district)):
        client.force_login(user)
        response = client.post(reverse("committees:coverage_add", args=[organisation.code]),
                               {"compound": compound_a.pk, "on": "2024-05-01"})
        assert response.status_code in (403, 404)
    assert not organisation.compound_links.exists()


def test_district_staff_write_nothing_in_the_registry(client, street_a, compound_a):
    committee = OwnersCommitteeFactory(compound=compound_a)
    member = CommitteeMemberFactory(committee=committee)
    contract = ServiceContractFactory(compound=compound_a)
    organisation = PartyOrganisationFactory(street=street_a)
    client.force_login(district_staff(street_a.district))
    attempts = [
        (reverse("registry:compound_create", args=[street_a.code]), {"community": compound_a.community_id,
                                                                    "name": "区里登记", "households": 1}),
        (reverse("registry:compound_close", args=[compound_a.code]), {"on": "2024-05-01"}),
        (reverse("registry:compound_safety", args=[compound_a.code]), {"on": "2024-05-01"}),
        (reverse("registry:contract_end", args=[contract.pk]), {"terminate": "end", "on": "2024-05-01"}),
        (reverse("registry:upload", args=[street_a.code]), {}),
        (reverse("committees:elect", args=[compound_a.code]), {"elected_on": "2024-05-01"}),
        (reverse("committees:dissolve", args=[committee.pk]), {"on": "2024-05-01"}),
        (reverse("committees:member_leave", args=[member.pk]), {"on": "2024-05-01"}),
        (reverse("committees:member_correct", args=[member.pk]), {"name": "改名", "phone": ""}),
        (reverse("committees:party_create", args=[street_a.code]), {"code": "Q1", "name": "区建"}),
        (reverse("committees:coverage_add", args=[organisation.code]), {"compound": compound_a.pk,
                                                                        "on": "2024-05-01"}),
    ]
    for url, body in attempts:
        assert client.post(url, body).status_code == 403, url
    compound_a.refresh_from_db(), committee.refresh_from_db(), member.refresh_from_db(), contract.refresh_from_db()
    assert compound_a.closed_on is None and compound_a.safety_certified_on is None
    assert committee.dissolved_on is None and member.left_on is None and member.name != "改名"
    assert contract.ends_on is None and not organisation.compound_links.exists()
    assert not Compound.objects.filter(name="区里登记").exists() and not PartyOrganisation.objects.filter(code="Q1").exists()


def test_firms_of_another_district_cannot_be_registered_edited_or_listed(client, street_a):
    own = street_a.district
    other_district_firm = PropertyFirmFactory()
    listing = FirmListing.objects.create(firm=other_district_firm, kind="red", listed_on=D(2024, 1, 1), reason="好")
    client.force_login(district_staff(own))
    response = client.post(reverse("registry:firm_create"), {
        "credit_code": "91350500MA2XXXXX0", "name": "外区企业", "registered_district": other_district_firm.registered_district_id,
        "staff_count": 10})
    assert "registered_district" in response.context["form"].errors
    code = other_district_firm.credit_code
    for url, body in [
        (reverse("registry:firm_edit", args=[code]), {"name": "改名"}),
        (reverse("registry:firm_facts", args=[code]), {"staff_count": 0, "on": "2024-05-01"}),
        (reverse("registry:firm_listing", args=[code]), {"kind": "black", "on": "2024-05-01", "reason": "黑"}),
        (reverse("registry:firm_delist", args=[listing.pk]), {"on": "2024-05-01"}),
    ]:
        assert client.post(url, body).status_code == 404, url
    other_district_firm.refresh_from_db(), listing.refresh_from_db()
    assert other_district_firm.name != "改名" and other_district_firm.staff_count == 20
    assert listing.delisted_on is None and not other_district_firm.listings.filter(kind="black").exists()


def test_a_street_officer_keeps_no_firm_even_of_their_own_district(client, officer_a, street_a):
    firm = PropertyFirmFactory(registered_district=street_a.district)
    assert client.post(reverse("registry:firm_edit", args=[firm.credit_code]), {"name": "改名"}).status_code == 403
    assert client.post(reverse("registry:firm_create"), {"credit_code": "x"}).status_code == 403
    firm.refresh_from_db()
    assert firm.name != "改名" and PropertyFirm.objects.count() == 1


# --- The API's writes: a street's token naming another street's compound in the body ---------------

FIGURES = {"weekly_meetings": 4, "petitions": 1}


def _api_user(street, role="api_client"):
    from accounts.models import Role
    from tests.factories import UserFactory

    return UserFactory(role=Role.API_CLIENT, street=street, district=street.district)


def test_a_street_token_cannot_report_another_streets_compound_in_its_own_report(street_a, compound_a, compound_b):
    from reporting.models import MonthlyRecord
    from tests.api_clients import token_client

    client = token_client(_api_user(street_a), can_write=True)
    response = client.post("/api/v1/monthly-reports/", {
        "street": street_a.code, "period": "2024-05",
        "records": [{"compound": compound_a.code, **FIGURES}, {"compound": compound_b.code, **FIGURES}]},
        format="json")
    assert response.status_code == 400
    assert not MonthlyRecord.objects.exists()
    created = client.post("/api/v1/monthly-records/", {"compound": compound_b.code, "period": "2024-05", **FIGURES},
                          format="json")
    assert created.status_code == 400 and not MonthlyRecord.objects.exists()
    report = client.post("/api/v1/monthly-reports/", {
        "street": street_a.code, "period": "2024-05", "records": [{"compound": compound_a.code, **FIGURES}]},
        format="json").json()
    patched = client.patch(f"/api/v1/monthly-reports/{report['id']}/", {
        "records": [{"compound": compound_b.code, **FIGURES}], "version": report["version"]}, format="json")
    assert patched.status_code == 400
    assert set(MonthlyRecord.objects.values_list("compound_id", flat=True)) == {compound_a.pk}


def test_a_district_wide_party_organisation_and_what_it_covers_are_hidden_from_its_streets(client, officer_a,
                                                                                          compound_a, compound_b):
    from tests.api_clients import token_client

    street_a = compound_a.community.street
    organisation = PartyOrganisationFactory(street=None, district=street_a.district,
                                            kind=PartyOrganisation.Kind.COMMUNITY_GRAND)
    for compound in (compound_a, compound_b):
        PartyOrganisationCompound.objects.create(organisation=organisation, compound=compound,
                                                 covered_from=D(2023, 2, 1))
    assert client.get(reverse("committees:party", args=[organisation.code])).status_code == 404
    assert token_client(_api_user(street_a)).get(
        f"/api/v1/party-organisations/{organisation.code}/").status_code == 404
    client.force_login(district_staff(street_a.district))
    page = client.get(reverse("committees:party", args=[organisation.code]))
    assert compound_a.name in page.text and compound_b.name in page.text


def test_a_party_organisation_shows_a_street_only_its_own_covered_compounds(client, officer_a, compound_a,
                                                                            compound_b):
    from tests.api_clients import token_client

    organisation = PartyOrganisationFactory(street=compound_a.community.street)
    for compound in (compound_a, compound_b):
        PartyOrganisationCompound.objects.create(organisation=organisation, compound=compound,
                                                 covered_from=D(2023, 2, 1))
    page = client.get(reverse("committees:party", args=[organisation.code]))
    assert page.status_code == 200
    assert compound_a.name in page.text and compound_b.name not in page.text and compound_b.code not in page.text
    body = token_client(_api_user(compound_a.community.street)).get(
        f"/api/v1/party-organisations/{organisation.code}/").json()
    assert [link["compound"] for link in body["compounds"]] == [compound_a.code]


# --- A city-wide system account signed in to the portal (an API client with a password) ------------


def test_a_city_wide_system_signed_in_to_the_portal_sets_no_target_and_moves_no_street(client, street_a):
    from accounts.models import Role
    from districts.models import ZoneAdministration
    from metrics.models import Target
    from tests.factories import UserFactory

    targets, zones = Target.objects.count(), ZoneAdministration.objects.count()
    target = Target.objects.first()
    client.force_login(UserFactory(role=Role.API_CLIENT))
    for url in (reverse("metrics:targets"), reverse("metrics:target_edit", args=[target.pk]),
                reverse("districts:zones")):
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"street": street_a.code, "on": "2024-05-01", "threshold": "1"}).status_code == 403
    assert client.post(reverse("metrics:target_delete", args=[target.pk])).status_code == 403
    assert Target.objects.count() == targets and ZoneAdministration.objects.count() == zones
