import pytest
from django.db import IntegrityError, transaction

from accounts.models import Role
from accounts.scope import AreaScope
from communities.models import Community, Compound, PropertyFirm
from committees.models import CommitteeMember, OwnersCommittee, PartyOrganisation
from districts.models import District, Street
from tests.factories import (
    CommitteeMemberFactory,
    CommunityFactory,
    CompoundFactory,
    OwnersCommitteeFactory,
    PartyOrganisationFactory,
    PropertyFirmFactory,
    StreetFactory,
    UserFactory,
    city_staff,
    district_staff,
    street_officer,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_districts():
    """District X with streets A and B, district Y with street C; one compound of each street."""
    street_a = StreetFactory()
    street_b = StreetFactory(district=street_a.district)
    street_c = StreetFactory()
    compounds = {s: CompoundFactory(community=CommunityFactory(street=s)) for s in (street_a, street_b, street_c)}
    return street_a, street_b, street_c, compounds


def _visible(user, model):
    return set(AreaScope.for_user(user).filter(model.objects.all()))


def test_city_staff_see_every_compound(two_districts):
    *_, compounds = two_districts
    assert _visible(city_staff(), Compound) == set(compounds.values())


def test_district_staff_see_only_their_district(two_districts):
    street_a, street_b, street_c, compounds = two_districts
    user = district_staff(street_a.district)
    assert _visible(user, Compound) == {compounds[street_a], compounds[street_b]}
    assert _visible(user, Street) == {street_a, street_b}
    assert _visible(user, District) == {street_a.district}


def test_street_officer_sees_only_their_street(two_districts):
    street_a, _, _, compounds = two_districts
    user = street_officer(street_a)
    assert _visible(user, Compound) == {compounds[street_a]}
    assert _visible(user, Community) == {compounds[street_a].community}
    assert _visible(user, Street) == {street_a}
    assert _visible(user, District) == {street_a.district}


def test_scope_reaches_committees_members_and_party_organisations(two_districts):
    street_a, street_b, _, compounds = two_districts
    mine = OwnersCommitteeFactory(compound=compounds[street_a])
    theirs = OwnersCommitteeFactory(compound=compounds[street_b])
    member = CommitteeMemberFactory(committee=mine)
    CommitteeMemberFactory(committee=theirs)
    my_branch = PartyOrganisationFactory(street=street_a)
    PartyOrganisationFactory(street=street_b)
    user = street_officer(street_a)
    assert _visible(user, OwnersCommittee) == {mine}
    assert _visible(user, CommitteeMember) == {member}
    assert _visible(user, PartyOrganisation) == {my_branch}


def test_a_district_level_party_organisation_is_seen_by_its_district_not_by_its_street_officers(two_districts):
    street_a, _, street_c, _ = two_districts
    own_street = PartyOrganisationFactory(street=street_a)
    district_level = PartyOrganisationFactory(street=None, district=street_a.district)
    elsewhere = PartyOrganisationFactory(street=None, district=street_c.district)
    assert _visible(street_officer(street_a), PartyOrganisation) == {own_street}
    assert _visible(district_staff(street_a.district), PartyOrganisation) == {own_street, district_level}
    assert _visible(city_staff(), PartyOrganisation) == {own_street, district_level, elsewhere}


def test_firms_are_visible_by_registered_district(two_districts):
    street_a, _, street_c, _ = two_districts
    local = PropertyFirmFactory(registered_district=street_a.district)
    PropertyFirmFactory(registered_district=street_c.district)
    assert _visible(street_officer(street_a), PropertyFirm) == {local}
    assert _visible(district_staff(street_a.district), PropertyFirm) == {local}


def test_judges_and_anonymous_users_see_no_registry_data(two_districts):
    from django.contrib.auth.models import AnonymousUser

    assert _visible(UserFactory(role=Role.JUDGE), Compound) == set()
    assert _visible(AnonymousUser(), Compound) == set()


def test_inactive_users_see_nothing(two_districts):
    street_a, *_ = two_districts
    user = street_officer(street_a, is_active=False)
    assert _visible(user, Compound) == set()


def test_api_client_scope_follows_its_area(two_districts):
    street_a, street_b, street_c, compounds = two_districts
    citywide = UserFactory(role=Role.API_CLIENT)
    district_client = UserFactory(role=Role.API_CLIENT, district=street_c.district)
    assert _visible(citywide, Compound) == set(compounds.values())
    assert _visible(district_client, Compound) == {compounds[street_c]}


def test_only_the_owning_street_and_city_may_change_registry_data(two_districts):
    street_a, street_b, *_ = two_districts
    assert AreaScope.for_user(street_officer(street_a)).can_change_street(street_a.pk)
    assert not AreaScope.for_user(street_officer(street_a)).can_change_street(street_b.pk)
    assert not AreaScope.for_user(district_staff(street_a.district)).can_change_street(street_a.pk)
    assert AreaScope.for_user(city_staff()).can_change_street(street_b.pk)


@pytest.mark.parametrize("rule", ["can_change_area_tree", "can_set_targets"])
def test_only_city_staff_and_superusers_may_change_the_area_tree_and_set_targets(two_districts, rule):
    street_a, *_ = two_districts
    assert getattr(AreaScope.for_user(city_staff()), rule)
    assert getattr(AreaScope.for_user(UserFactory(role=Role.JUDGE, is_superuser=True)), rule)
    refused = [district_staff(street_a.district), street_officer(street_a), UserFactory(role=Role.JUDGE),
               UserFactory(role=Role.API_CLIENT), UserFactory(role=Role.CITY_STAFF, is_active=False)]
    assert not any(getattr(AreaScope.for_user(user), rule) for user in refused)


def test_can_see_street_matches_the_querysets(two_districts):
    street_a, street_b, street_c, _ = two_districts
    scope = AreaScope.for_user(district_staff(street_a.district))
    assert scope.can_see_street(street_b.pk, street_b.district_id)
    assert not scope.can_see_street(street_c.pk, street_c.district_id)


def test_a_street_officer_without_a_street_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(role=Role.STREET_OFFICER, street=None)


def test_district_staff_need_a_district():
    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(role=Role.DISTRICT_STAFF, district=None)
