"""Registry endpoints of the communities app: filters, area scope for every role, query counts."""
import datetime
import json

import pytest
from django.utils import timezone

from accounts.models import Role
from communities.models import CompoundManagementPeriod, HousingType, ManagementMode
from tests.api_clients import TwoDistricts, codes, results, session_client, token_client
from tests.factories import (
    CommunityFactory,
    CompoundFactory,
    PropertyFirmFactory,
    ServiceContractFactory,
    UserFactory,
    city_staff,
    district_staff,
    street_officer,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def areas():
    return TwoDistricts()


def test_compound_is_addressed_by_code(areas):
    response = token_client(city_staff()).get(f"/api/v1/compounds/{areas.compound_a.code}/")
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == areas.compound_a.code
    assert body["street"] == areas.street_a.code and body["district"] == areas.district_a.code


@pytest.mark.parametrize("role", ["street", "district", "api_street", "api_district"])
def test_caller_sees_only_compounds_of_its_area(areas, role):
    user = {
        "street": lambda: street_officer(areas.street_a),
        "district": lambda: district_staff(areas.district_a),
        "api_street": lambda: UserFactory(role=Role.API_CLIENT, street=areas.street_a),
        "api_district": lambda: UserFactory(role=Role.API_CLIENT, district=areas.district_a),
    }[role]()
    client = token_client(user)
    assert codes(client.get("/api/v1/compounds/")) == [areas.compound_a.code]
    assert client.get(f"/api/v1/compounds/{areas.compound_b.code}/").status_code == 404


def test_city_staff_sees_every_compound(areas):
    assert set(codes(token_client(city_staff()).get("/api/v1/compounds/"))) == {
        areas.compound_a.code, areas.compound_b.code}


def test_judge_sees_no_registry(areas):
    client = session_client(UserFactory(role=Role.JUDGE))
    assert results(client.get("/api/v1/compounds/")) == []
    assert client.get(f"/api/v1/compounds/{areas.compound_a.code}/").status_code == 404


@pytest.mark.parametrize("level", ["district", "street", "community"])
def test_area_filter_selects_everything_under_the_code(areas, level):
    area = {"district": areas.district_a, "street": areas.street_a, "community": areas.compound_a.community}[level]
    response = token_client(city_staff()).get("/api/v1/compounds/", {"area": area.code})
    assert codes(response) == [areas.compound_a.code]


def test_area_filter_with_the_city_code_selects_all(areas):
    response = token_client(city_staff()).get("/api/v1/compounds/", {"area": "350500"})
    assert len(codes(response)) == 2


def test_unknown_area_code_selects_nothing(areas):
    assert codes(token_client(city_staff()).get("/api/v1/compounds/", {"area": "999999"})) == []


def test_housing_type_filter_accepts_several_values():
    community = CommunityFactory()
    commodity = CompoundFactory(community=community, housing_type=HousingType.COMMODITY)
    resettlement = CompoundFactory(community=community, housing_type=HousingType.RESETTLEMENT)
    CompoundFactory(community=community, housing_type=HousingType.AFFORDABLE)
    client = token_client(city_staff())
    assert codes(client.get("/api/v1/compounds/", {"housing_type": "commodity"})) == [commodity.code]
    both = client.get("/api/v1/compounds/?housing_type=commodity&housing_type=resettlement")
    assert sorted(codes(both)) == sorted([commodity.code, resettlement.code])


def test_management_mode_is_read_on_the_as_of_day():
    compound = CompoundFactory(management_mode=ManagementMode.PROFESSIONAL)
    CompoundManagementPeriod.objects.filter(compound=compound).update(valid_to=datetime.date(2024, 6, 1))
    CompoundManagementPeriod.objects.create(compound=compound, mode=ManagementMode.UNMANAGED,
                                            valid_from=datetime.date(2024, 6, 1))
    client = token_client(city_staff())
    past = client.get("/api/v1/compounds/", {"as_of": "2024-03-31", "management_mode": "professional"})
    assert [row["management_mode"] for row in results(past)] == ["professional"]
    later = client.get("/api/v1/compounds/", {"as_of": "2024-07-31", "management_mode": "professional"})
    assert results(later) == []


def test_as_of_leaves_out_compounds_not_yet_started_and_marks_closed_ones():
    community = CommunityFactory()
    old = CompoundFactory(community=community, active_from=datetime.date(2020, 1, 1),
                          closed_on=datetime.date(2024, 1, 1))
    new = CompoundFactory(community=community, active_from=datetime.date(2024, 5, 1))
    client = token_client(city_staff())
    rows = results(client.get("/api/v1/compounds/", {"as_of": "2023-12-31"}))
    assert [(row["code"], row["counted"]) for row in rows] == [(old.code, True)]
    rows = results(client.get("/api/v1/compounds/", {"as_of": "2024-06-30"}))
    assert {row["code"]: row["counted"] for row in rows} == {old.code: False, new.code: True}
    counted = client.get("/api/v1/compounds/", {"as_of": "2024-06-30", "counted": "true"})
    assert codes(counted) == [new.code]


def test_updated_since_returns_only_recent_changes():
    community = CommunityFactory()
    stale = CompoundFactory(community=community)
    fresh = CompoundFactory(community=community)
    type(stale).objects.filter(pk=stale.pk).update(updated_at=timezone.now() - datetime.timedelta(days=10))
    since = (timezone.now() - datetime.timedelta(days=1)).isoformat()
    assert codes(token_client(city_staff()).get("/api/v1/compounds/", {"updated_since": since})) == [fresh.code]


def test_compound_list_costs_a_bounded_number_of_queries(django_assert_max_num_queries):
    community = CommunityFactory()
    CompoundFactory.create_batch(30, community=community)
    client = token_client(city_staff())
    with django_assert_max_num_queries(4):
        assert len(results(client.get("/api/v1/compounds/"))) == 30


def test_firm_is_addressed_by_credit_code_and_filtered_by_sanyou():
    sanyou = PropertyFirmFactory()
    small = PropertyFirmFactory(staff_count=3)
    client = token_client(city_staff())
    assert client.get(f"/api/v1/firms/{sanyou.credit_code}/").json()["is_sanyou"] is True
    assert codes(client.get("/api/v1/firms/", {"sanyou": "true"}), "credit_code") == [sanyou.credit_code]
    assert codes(client.get("/api/v1/firms/", {"sanyou": "false"}), "credit_code") == [small.credit_code]


def test_firms_are_scoped_to_the_registered_district(areas):
    own = PropertyFirmFactory(registered_district=areas.district_a)
    PropertyFirmFactory(registered_district=areas.district_b)
    client = token_client(street_officer(areas.street_a))
    assert codes(client.get("/api/v1/firms/"), "credit_code") == [own.credit_code]


def test_firm_area_filter_by_district_code(areas):
    own = PropertyFirmFactory(registered_district=areas.district_a)
    PropertyFirmFactory(registered_district=areas.district_b)
    response = token_client(city_staff()).get("/api/v1/firms/", {"area": areas.district_a.code})
    assert codes(response, "credit_code") == [own.credit_code]


def test_firm_list_costs_a_bounded_number_of_queries(django_assert_max_num_queries):
    PropertyFirmFactory.create_batch(20)
    client = token_client(city_staff())
    with django_assert_max_num_queries(4):
        assert len(results(client.get("/api/v1/firms/"))) == 20


def test_contract_in_force_is_read_on_the_as_of_day():
    ended = ServiceContractFactory(starts_on=datetime.date(2022, 1, 1), terminated_on=datetime.date(2024, 3, 1),
                                   termination_reason="清退")
    client = token_client(city_staff())
    before = client.get("/api/v1/contracts/", {"as_of": "2024-02-29"})
    assert [(row["id"], row["in_force"]) for row in results(before)] == [(ended.pk, True)]
    after = client.get("/api/v1/contracts/", {"as_of": "2024-03-01", "in_force": "false"})
    assert codes(after, "id") == [ended.pk]
    assert codes(client.get("/api/v1/contracts/", {"as_of": "2021-12-31"}), "id") == []


def test_contracts_filter_by_firm_and_compound_codes():
    contract = ServiceContractFactory()
    ServiceContractFactory()
    client = token_client(city_staff())
    assert codes(client.get("/api/v1/contracts/", {"firm": contract.firm.credit_code}), "id") == [contract.pk]
    assert codes(client.get("/api/v1/contracts/", {"compound": contract.compound.code}), "id") == [contract.pk]


def test_contracts_outside_the_street_are_404(areas):
    other = ServiceContractFactory(compound=areas.compound_b)
    client = token_client(street_officer(areas.street_a))
    assert client.get(f"/api/v1/contracts/{other.pk}/").status_code == 404


def test_contract_list_costs_a_bounded_number_of_queries(django_assert_max_num_queries):
    ServiceContractFactory.create_batch(15)
    client = token_client(city_staff())
    with django_assert_max_num_queries(4):
        assert len(results(client.get("/api/v1/contracts/"))) == 15


def test_communities_are_filtered_by_street_code(areas):
    response = token_client(city_staff()).get("/api/v1/communities/", {"area": areas.street_a.code})
    assert codes(response) == [areas.compound_a.community.code]


@pytest.mark.parametrize("value", ["2024-13-01T00:00:00Z", "2024-05-01T08:00:00", "2024-13-01"])
def test_an_impossible_updated_since_is_a_400_not_a_server_error(value):
    response = token_client(city_staff()).get("/api/v1/contracts/", {"updated_since": value})
    assert response.status_code == 400
    assert response.json()["field"] == "updated_since"


def test_a_compound_page_serializes_each_row_as_the_row_serializer_does(areas):
    from rest_framework.renderers import JSONRenderer

    from communities.api.serializers import CompoundSerializer
    from communities.filtersets import CompoundFilterSet
    from communities.models import Compound

    CompoundFactory(community=areas.compound_a.community, merged_into=areas.compound_a,
                    closed_on=datetime.date(2024, 1, 1))
    compounds = CompoundFilterSet({}, queryset=Compound.objects.all()).qs.order_by("code")
    one_by_one = [CompoundSerializer(row).data for row in compounds]
    page = results(token_client(city_staff()).get("/api/v1/compounds/", {"page_size": 100}))
    assert page == json.loads(JSONRenderer().render(one_by_one))
    assert any(row["merged_into"] == areas.compound_a.code for row in page)
    assert any(row["merged_into"] is None for row in page)
