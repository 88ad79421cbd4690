import pytest
from django.urls import reverse

from selection import services
from selection.models import RoundState, SelectionRound
from tests.factories import StreetFactory

pytestmark = pytest.mark.django_db

WINNERS = {"鲤中街道": "350502", "池店镇": "350582", "江南街道": "350502", "美林街道": "350583", "丰泽街道": "350503",
           "崇武镇": "350521", "东湖街道": "350503", "凤城镇": "350524", "万安街道": "350504", "桃城镇": "350525",
           "山腰街道": "350505", "龙浔镇": "350526", "灵秀镇": "350581", "东园镇": "350500TZ", "青阳街道": "350582"}


def test_the_2024_round_is_history_published_with_its_15_winners_and_no_scores():
    selection_round = SelectionRound.objects.get(year=2024)
    assert (selection_round.state, selection_round.quota, selection_round.scores_known) == (
        RoundState.PUBLISHED, 15, False)
    results = selection_round.results.select_related("nomination__street", "nomination__district")
    assert {r.nomination.street.name: r.nomination.district.code for r in results} == WINNERS
    assert all(r.selected and r.total is None and r.rank is None and r.criterion_scores == {} for r in results)
    assert "未公开" in selection_round.note


def test_the_api_lists_the_2024_round_publicly(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(5):
        response = client.get("/api/v1/selection-rounds/", {"year": 2024})
    assert response.status_code == 200
    [body] = response.json()
    assert (body["year"], body["quota"], body["scores_known"]) == (2024, 15, False)
    candidates = {c["street_name"]: c for c in body["candidates"]}
    assert set(candidates) == set(WINNERS)
    assert candidates["鲤中街道"] == {
        "street_code": "350502003", "street_name": "鲤中街道", "district_code": "350502", "district_name": "鲤城区",
        "criterion_scores": {}, "vote_count": None, "normalised_votes": None, "attainment": None, "total": None,
        "rank": None, "selected": True}


def test_the_api_lists_only_published_rounds_of_the_year(client, make_round, nominate, staff):
    selection_round = make_round(quota=1)
    nominate(selection_round, StreetFactory(code="T77700001"))
    services.round_score(selection_round=selection_round, user=staff)
    assert client.get("/api/v1/selection-rounds/", {"year": 2025}).json() == []
    services.round_publish(selection_round=selection_round, user=staff)
    [body] = client.get("/api/v1/selection-rounds/", {"year": 2025}).json()
    [candidate] = body["candidates"]
    assert body["weights"] == {"material_review": 30, "onsite_inspection": 30, "department_evaluation": 20,
                               "public_votes": 20}
    assert (candidate["street_code"], candidate["rank"], candidate["selected"], candidate["total"]) == (
        "T77700001", 1, True, 0.0)
    assert candidate["criterion_scores"]["public_votes"] == 0.0


def test_the_published_list_page_is_public(client):
    selection_round = SelectionRound.objects.get(year=2024)
    response = client.get(reverse("selection:results", args=[selection_round.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "鲤中街道" in page and "青阳街道" in page and "未公开" in page


def test_a_round_not_yet_published_has_no_public_list(client, make_round):
    response = client.get(reverse("selection:results", args=[make_round().pk]))
    assert response.status_code == 404
