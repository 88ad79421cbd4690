"""Party organisations in the admin (superusers only) and in files: a street officer registers those
of their own street only (the portal's page), a district-level one (no street) is the city's."""
import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.scope import AreaScope
from committees.models import PartyOrganisation
from committees.resources import PartyOrganisationResource
from tests.factories import PartyOrganisationFactory, StreetFactory, city_staff, street_officer
from tests.registry_files import import_file, row_errors

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def street():
    return StreetFactory()


def _admin(user):
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="committees"))
    return user


def _organisation_form(street, *, code="PNEW1", with_street=True):
    data = {"code": code, "name": "新建党组织", "kind": PartyOrganisation.Kind.FIRM, "form": PartyOrganisation.Form.JOINT,
            "district": street.district_id, "street": street.pk if with_street else "",
            "established_on": "2024-01-01"}
    for prefix in ("compound_links", "firm_links"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    return data


def test_a_street_officer_with_every_committee_permission_adds_changes_and_reverts_nothing_in_the_admin(client, street):
    organisation = PartyOrganisationFactory(street=None, district=street.district)
    organisation.street = street  # the district handed it to the street
    organisation.save()
    district_level = organisation.history.order_by("history_id").first()
    client.force_login(_admin(street_officer(street)))

    responses = [
        client.post(reverse("admin:committees_partyorganisation_add"), _organisation_form(street)),
        client.post(reverse("admin:committees_partyorganisation_change", args=[organisation.pk]),
                    _organisation_form(street, code=organisation.code, with_street=False)),
        client.post(reverse("admin:committees_partyorganisation_simple_history",
                            args=[organisation.pk, district_level.history_id]),
                    _organisation_form(street, code=organisation.code, with_street=False)),
    ]

    assert all(response["Location"].startswith("/admin/login/") for response in responses)
    assert not PartyOrganisation.objects.filter(code="PNEW1").exists()
    assert PartyOrganisation.objects.get(pk=organisation.pk).street_id == street.pk


def test_the_superuser_adds_a_district_level_party_organisation(client, street):
    client.force_login(city_staff(is_superuser=True, is_staff=True))

    response = client.post(reverse("admin:committees_partyorganisation_add"),
                           _organisation_form(street, with_street=False))

    assert response.status_code == 302
    assert PartyOrganisation.objects.get(code="PNEW1").street_id is None


def test_a_street_officers_import_of_a_district_level_party_organisation_is_a_row_error(street):
    content = ("组织代码,组织名称,类型,组建形式,所属区县,所属街道(乡镇),成立日期\n"
               f"PNEW1,新党组织,物业企业党组织,联合,{street.district.code},,2024-01-01\n")
    scope = AreaScope.for_user(street_officer(street))

    result = import_file(PartyOrganisationResource(scope=scope), content, "csv", dry_run=False)

    assert row_errors(result)
    assert not PartyOrganisation.objects.filter(code="PNEW1").exists()
