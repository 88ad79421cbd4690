"""Committee and party-organisation pages: an election in one form, validated as a whole, and dated changes."""
import datetime

import pytest
from django.urls import reverse

from committees.models import CommitteeMember, OwnersCommittee, PartyOrganisation
from committees.selectors import committee_members_on, compounds_covered_by_party_org_on
from tests.factories import (
    CommitteeMemberFactory,
    CommunityFactory,
    CompoundFactory,
    OwnersCommitteeFactory,
    PartyOrganisationFactory,
    StreetFactory,
    district_staff,
    street_officer,
)

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def compound():
    return CompoundFactory()


@pytest.fixture
def officer(client, compound):
    user = street_officer(compound.community.street)
    client.force_login(user)
    return user


def election(members, **fields):
    data = {"elected_on": "2024-03-10", "members-TOTAL_FORMS": str(len(members)), "members-INITIAL_FORMS": "0",
            **fields}
    for n, (name, role, party) in enumerate(members):
        data |= {f"members-{n}-name": name, f"members-{n}-role": role}
        if party:
            data[f"members-{n}-is_party_member"] = "on"
    return data


FIVE = [("张主任", "chair", True), ("李副主任", "vice_chair", True), ("王委员", "member", True),
        ("赵委员", "member", False), ("陈委员", "member", False)]


def test_an_election_with_five_members_is_recorded_with_a_five_year_term(client, officer, compound):
    response = client.post(reverse("committees:elect", args=[compound.code]), election(FIVE))
    committee = OwnersCommittee.objects.get(compound=compound)
    assert response.url == reverse("committees:committee", args=[committee.pk])
    assert (committee.term_start, committee.term_end) == (D(2024, 3, 10), D(2029, 3, 9))
    assert committee.members.count() == 5 and committee.members.filter(is_party_member=True).count() == 3


def test_two_chairs_are_refused_as_a_whole_in_chinese_and_nothing_is_saved(client, officer, compound):
    members = [("张一", "chair", False), ("张二", "chair", False), ("张三", "member", False)]
    response = client.post(reverse("committees:elect", args=[compound.code]), election(members))
    assert response.status_code == 200
    assert "须有且只有一名主任" in " ".join(response.context["formset"].non_form_errors())
    assert not OwnersCommittee.objects.filter(compound=compound).exists()


def test_a_term_that_ends_before_it_starts_is_refused_on_the_term_end_field(client, officer, compound):
    response = client.post(reverse("committees:elect", args=[compound.code]),
                           election(FIVE, term_end="2020-01-01"))
    assert "term_end" in response.context["form"].errors
    assert "任期届满" in response.context["form"].errors["term_end"][0]


def test_a_second_committee_in_office_is_refused(client, officer, compound):
    OwnersCommitteeFactory(compound=compound, term_start=D(2023, 1, 1), term_end=D(2027, 12, 31))
    response = client.post(reverse("committees:elect", args=[compound.code]), election(FIVE))
    assert response.status_code == 200
    assert "只能有一个在任业委会" in response.text
    assert OwnersCommittee.objects.filter(compound=compound).count() == 1


def test_a_renewal_replaces_the_old_committee_from_the_new_term_start(client, officer, compound):
    old = OwnersCommitteeFactory(compound=compound, elected_on=D(2019, 5, 1), term_start=D(2019, 5, 1),
                                 term_end=D(2024, 4, 30))
    client.post(reverse("committees:start_renewal", args=[old.pk]), {"on": "2024-02-01"})
    response = client.post(reverse("committees:renew", args=[old.pk]), election(FIVE, elected_on="2024-04-20"))
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.renewal_started_on == D(2024, 2, 1) and old.term_end == D(2024, 4, 19)
    assert OwnersCommittee.objects.filter(compound=compound, term_start=D(2024, 4, 20)).exists()


def test_a_committee_is_dissolved_from_a_date(client, officer, compound):
    committee = OwnersCommitteeFactory(compound=compound)
    client.post(reverse("committees:dissolve", args=[committee.pk]), {"on": "2024-06-01"})
    committee.refresh_from_db()
    assert committee.status_on(D(2024, 6, 1)) == "dissolved"


def test_a_member_joins_the_party_and_leaves_with_dates(client, officer, compound):
    member = CommitteeMemberFactory(committee__compound=compound, is_party_member=False)
    client.post(reverse("committees:member_change", args=[member.pk]),
                {"role": "member", "is_party_member": "on", "on": "2024-05-01"})
    client.post(reverse("committees:member_leave", args=[member.pk]), {"on": "2024-09-01"})
    assert not committee_members_on(D(2024, 4, 1)).get(pk=member.pk).is_party_member_on
    assert committee_members_on(D(2024, 6, 1)).get(pk=member.pk).is_party_member_on
    assert not committee_members_on(D(2024, 9, 1)).filter(pk=member.pk).exists()


def test_the_committee_page_masks_phones_for_district_staff(client, compound):
    member = CommitteeMemberFactory(committee__compound=compound, phone="13800138000")
    client.force_login(district_staff(compound.community.street.district))
    page = client.get(reverse("committees:committee", args=[member.committee_id]))
    assert page.status_code == 200 and "13800138000" not in page.text and "只读" in page.text
    assert client.post(reverse("committees:member_leave", args=[member.pk]), {"on": "2024-09-01"}).status_code == 403


def test_another_streets_officer_cannot_record_an_election(client, compound):
    client.force_login(street_officer(StreetFactory()))
    assert client.post(reverse("committees:elect", args=[compound.code]), election(FIVE)).status_code == 404
    assert not OwnersCommittee.objects.exists()


def test_an_officer_registers_a_party_organisation_and_adds_coverage_from_a_date(client, officer, compound):
    street = compound.community.street
    other = CompoundFactory(community=CommunityFactory(street=street))
    client.post(reverse("committees:party_create", args=[street.code]), {
        "code": "DZB-001", "name": "某小区党支部", "kind": "compound_branch", "form": "formal",
        "established_on": "2024-01-15", "compounds": [compound.pk]})
    organisation = PartyOrganisation.objects.get(code="DZB-001")
    assert organisation.street == street and organisation.district == street.district
    client.post(reverse("committees:coverage_add", args=[organisation.code]), {"compound": other.pk, "on": "2024-05-01"})
    covered = compounds_covered_by_party_org_on
    assert set(covered(D(2024, 4, 30)).values_list("pk", flat=True)) == {compound.pk}
    assert set(covered(D(2024, 5, 1)).values_list("pk", flat=True)) == {compound.pk, other.pk}
    link = organisation.compound_links.get(compound=compound)
    client.post(reverse("committees:compound_coverage_end", args=[link.pk]), {"on": "2024-07-01"})
    assert set(covered(D(2024, 7, 1)).values_list("pk", flat=True)) == {other.pk}


def test_district_staff_see_a_party_organisation_but_cannot_add_coverage(client, compound):
    organisation = PartyOrganisationFactory(street=compound.community.street)
    client.force_login(district_staff(compound.community.street.district))
    assert client.get(reverse("committees:party", args=[organisation.code])).status_code == 200
    response = client.post(reverse("committees:coverage_add", args=[organisation.code]),
                           {"compound": compound.pk, "on": "2024-05-01"})
    assert response.status_code == 403
    assert not organisation.compound_links.exists()


def test_the_history_names_the_member_change(client, officer, compound):
    member = CommitteeMemberFactory(committee__compound=compound, role=CommitteeMember.Role.MEMBER)
    client.post(reverse("committees:member_change", args=[member.pk]), {"role": "vice_chair", "on": "2024-05-01"})
    page = client.get(reverse("committees:committee", args=[member.committee_id]))
    assert any("副主任" in entry.changes for entry in page.context["history"])
