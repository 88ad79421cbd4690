"""Area endpoints: districts and streets by code, scoped to the caller."""
import pytest

from tests.api_clients import TwoDistricts, codes, token_client
from tests.factories import city_staff, district_staff, street_officer

pytestmark = pytest.mark.django_db


@pytest.fixture
def areas():
    return TwoDistricts()


def test_district_is_addressed_by_its_division_code():
    body = token_client(city_staff()).get("/api/v1/districts/350502/").json()
    assert body == {**body, "code": "350502", "name": "鲤城区", "city": "350500"}


def test_street_officer_sees_only_its_district_and_street(areas):
    client = token_client(street_officer(areas.street_a))
    assert codes(client.get("/api/v1/districts/")) == [areas.district_a.code]
    assert codes(client.get("/api/v1/streets/")) == [areas.street_a.code]
    assert client.get(f"/api/v1/streets/{areas.street_b.code}/").status_code == 404


def test_district_staff_sees_the_streets_of_its_district(areas):
    client = token_client(district_staff(areas.district_a))
    assert codes(client.get("/api/v1/streets/")) == [areas.street_a.code]
    assert client.get(f"/api/v1/districts/{areas.district_b.code}/").status_code == 404


def test_streets_filter_by_district_code():
    response = token_client(city_staff()).get("/api/v1/streets/", {"area": "350502"})
    assert {"鲤中街道", "江南街道"} <= {row["name"] for row in response.json()["results"]}
    assert all(row["district"] == "350502" for row in response.json()["results"])


def test_street_list_costs_a_bounded_number_of_queries(django_assert_max_num_queries):
    client = token_client(city_staff())
    with django_assert_max_num_queries(4):
        assert len(codes(client.get("/api/v1/streets/"))) >= 15
