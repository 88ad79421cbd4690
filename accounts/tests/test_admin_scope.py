"""The admin shows and changes only what the user's area allows (accounts.scope)."""
import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from committees.models import CommitteeMember
from communities.models import Compound
from tests.factories import (
    CommitteeMemberFactory,
    CompoundFactory,
    StreetFactory,
    city_staff,
    district_staff,
    street_officer,
)

pytestmark = pytest.mark.django_db

REGISTRY_APPS = ["districts", "communities", "committees"]


def _staff(user):
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=REGISTRY_APPS))
    return user


@pytest.fixture
def streets():
    own = StreetFactory()
    return own, StreetFactory(district=own.district), StreetFactory()


@pytest.fixture
def compounds(streets):
    own, neighbour, elsewhere = streets
    return [CompoundFactory(community__street=street) for street in (own, neighbour, elsewhere)]


def _change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def _changelist(client, model=Compound):
    response = client.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
    assert response.status_code == 200
    return list(response.context["cl"].result_list)


def _post_data(compound, **changes):
    data = {field: getattr(compound, field) or "" for field in (
        "code", "name", "address", "households", "buildings", "housing_type", "management_mode", "active_from")}
    data["community"] = compound.community_id
    for prefix in ("management_periods", "contracts"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    return {**data, **changes}


def test_a_street_officer_lists_only_their_streets_compounds(client, streets, compounds):
    client.force_login(_staff(street_officer(streets[0])))
    assert _changelist(client) == [compounds[0]]


def test_a_street_officer_changes_their_own_compound(client, streets, compounds):
    client.force_login(_staff(street_officer(streets[0])))
    response = client.post(_change_url(compounds[0]), _post_data(compounds[0], name="改名小区"))
    assert response.status_code == 302
    compounds[0].refresh_from_db()
    assert compounds[0].name == "改名小区"


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_streets_compound_does_not_exist_for_a_street_officer(client, streets, compounds, method):
    client.force_login(_staff(street_officer(streets[0])))
    other = compounds[1]
    response = getattr(client, method)(_change_url(other), _post_data(other, name="越权修改") if method == "post" else None)
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.name != "越权修改"


def test_another_streets_history_does_not_exist_for_a_street_officer(client, streets, compounds):
    client.force_login(_staff(street_officer(streets[0])))
    url = reverse("admin:communities_compound_history", args=[compounds[2].pk])
    assert client.get(url).status_code == 404


def test_a_street_officer_may_not_edit_area_rows_or_firms(client, streets):
    client.force_login(_staff(street_officer(streets[0])))
    assert client.get(_change_url(streets[0])).status_code == 200
    assert client.post(_change_url(streets[0]), {"code": "X", "name": "改名"}).status_code == 403
    assert client.get(reverse("admin:communities_propertyfirm_add")).status_code == 403


def test_a_street_officers_community_choices_are_their_own(client, streets, compounds):
    client.force_login(_staff(street_officer(streets[0])))
    data = _post_data(compounds[0], community=compounds[2].community_id)
    response = client.post(_change_url(compounds[0]), data)
    assert response.status_code == 200
    assert "community" in response.context["adminform"].form.errors


def test_district_staff_see_their_district_but_cannot_change(client, streets, compounds):
    client.force_login(_staff(district_staff(streets[0].district)))
    assert sorted(_changelist(client), key=lambda c: c.pk) == compounds[:2]
    assert client.get(_change_url(compounds[0])).status_code == 200
    response = client.post(_change_url(compounds[0]), _post_data(compounds[0], name="区县改名"))
    assert response.status_code == 403
    assert client.get(reverse("admin:communities_compound_add")).status_code == 403
    assert client.get(reverse("admin:communities_compound_import")).status_code == 403


def test_city_staff_change_any_street(client, compounds):
    client.force_login(_staff(city_staff()))
    assert len(_changelist(client)) >= 3
    response = client.post(_change_url(compounds[2]), _post_data(compounds[2], name="市里改名"))
    assert response.status_code == 302


def test_export_from_the_admin_is_limited_to_the_users_area(client, streets, compounds):
    client.force_login(_staff(street_officer(streets[0])))
    response = client.post(reverse("admin:communities_compound_export"), {
        "format": "0", "resource": "0", **{f"compoundresource_{name}": "on" for name in ("code", "name")}})
    assert response.status_code == 200
    content = response.content.decode("utf-8-sig")
    assert compounds[0].code in content
    assert compounds[1].code not in content and compounds[2].code not in content


def test_member_phones_are_masked_outside_the_owning_street(client, streets):
    member = CommitteeMemberFactory(committee__compound__community__street=streets[0], phone="13912345678")
    client.force_login(_staff(district_staff(streets[0].district)))
    page = client.get(_change_url(member)).content.decode()
    assert "13912345678" not in page and "139****5678" in page

    client.force_login(_staff(street_officer(streets[0])))
    assert "13912345678" in client.get(_change_url(member)).content.decode()
    assert CommitteeMember.objects.get().phone == "13912345678"
