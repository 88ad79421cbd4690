"""Every registry admin page renders for a superuser (the admin's only users), at a bounded query cost."""
import pytest
from django.contrib import admin
from django.urls import reverse

from accounts.models import User
from committees.models import CommitteeMember, OwnersCommittee, PartyOrganisation
from communities.models import Community, Compound, FirmListing, PropertyFirm, ServiceContract
from districts.models import City, District, Street
from tests.factories import (
    CityFactory,
    CommitteeMemberFactory,
    CommunityFactory,
    CompoundFactory,
    DistrictFactory,
    PartyOrganisationFactory,
    PropertyFirmFactory,
    ServiceContractFactory,
    StreetFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def _listing():
    return PropertyFirmFactory().listings.create(kind=FirmListing.Kind.RED, listed_on="2024-06-01", reason="服务优秀")


def _party_organisation():
    organisation = PartyOrganisationFactory()
    organisation.compound_links.create(compound=CompoundFactory())
    organisation.firm_links.create(firm=PropertyFirmFactory())
    return organisation


MAKERS = {
    City: CityFactory,
    District: DistrictFactory,
    Street: StreetFactory,
    Community: CommunityFactory,
    Compound: CompoundFactory,
    PropertyFirm: PropertyFirmFactory,
    ServiceContract: ServiceContractFactory,
    FirmListing: _listing,
    OwnersCommittee: lambda: CommitteeMemberFactory().committee,
    CommitteeMember: CommitteeMemberFactory,
    PartyOrganisation: _party_organisation,
    User: UserFactory,
}


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def test_every_registry_model_has_an_admin():
    assert set(MAKERS) <= set(admin.site._registry)


@pytest.mark.parametrize("model", MAKERS, ids=lambda m: m.__name__)
def test_changelist_add_change_and_history_pages_render(staff_client, model):
    obj = MAKERS[model]()
    pages = [_url(model, "changelist"), _url(model, "change", obj.pk)]
    if model is CommitteeMember:  # members join through the committee's page or the election file
        assert staff_client.get(_url(model, "add")).status_code == 403
    else:
        pages.append(_url(model, "add"))
    if model is not User:
        pages.append(_url(model, "history", obj.pk))
    for url in pages:
        assert staff_client.get(url).status_code == 200, url


@pytest.mark.parametrize("model", [m for m in MAKERS if m is not User and m is not FirmListing], ids=lambda m: m.__name__)
def test_import_and_export_pages_render(staff_client, model):
    MAKERS[model]()
    assert staff_client.get(_url(model, "import")).status_code == (403 if model is CommitteeMember else 200)
    assert staff_client.get(_url(model, "export")).status_code == 200


def test_a_search_by_code_finds_the_compound(staff_client):
    compound = CompoundFactory()
    CompoundFactory()
    response = staff_client.get(_url(Compound, "changelist"), {"q": compound.code})
    assert list(response.context["cl"].result_list) == [compound]


def test_district_and_street_filters_narrow_the_compound_list(staff_client):
    compound = CompoundFactory()
    CompoundFactory()
    street = compound.community.street
    response = staff_client.get(_url(Compound, "changelist"), {"district": street.district_id, "street": street.pk})
    assert list(response.context["cl"].result_list) == [compound]


def test_changing_the_management_mode_in_the_admin_closes_the_open_period(staff_client):
    compound = CompoundFactory()
    data = {field: getattr(compound, field) or "" for field in (
        "code", "name", "address", "households", "buildings", "housing_type", "active_from")}
    data.update(community=compound.community_id, management_mode="unmanaged", **_empty_inlines())
    response = staff_client.post(_url(Compound, "change", compound.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert compound.management_periods.count() == 2
    assert compound.management_periods.get(valid_to__isnull=True).mode == "unmanaged"


def _empty_inlines():
    return {f"{prefix}-{key}": value for prefix in ("management_periods", "contracts")
            for key, value in (("TOTAL_FORMS", 0), ("INITIAL_FORMS", 0))}


@pytest.mark.parametrize("rows", [5, 40])
def test_compound_changelist_costs_a_bounded_number_of_queries(client, django_assert_max_num_queries, rows):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    street = StreetFactory()
    community = CommunityFactory(street=street)
    CompoundFactory.create_batch(rows, community=community)
    with django_assert_max_num_queries(12):
        response = client.get(_url(Compound, "changelist"), {"district": street.district_id})
    assert response.status_code == 200
