import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from metrics.models import IndicatorValue
from selection import services
from selection.models import CandidateResult, RoundAuditEntry
from selection.selectors import street_attainment
from tests.factories import StreetFactory

from .conftest import judge
from .test_voting import verified_voter

pytestmark = pytest.mark.django_db

MONTH = datetime.date(2025, 3, 1)


def publish_value(street, indicator, value):
    IndicatorValue.objects.create(indicator_id=indicator, area_level="street", area_code=street.code, period=MONTH,
                                  numerator=value, denominator=100, value=value, computed_at=timezone.now())


def result(nomination) -> CandidateResult:
    return CandidateResult.objects.get(nomination=nomination)


def test_attainment_is_the_mean_progress_of_the_core_indicators_at_the_reference_month():
    street, silent = StreetFactory(), StreetFactory()
    publish_value(street, "committee_formation_rate", Decimal("60"))   # target ≥ 80: 0.75
    publish_value(street, "party_org_coverage", Decimal("100"))        # target = 100: 1
    publish_value(street, "consultation_coverage", Decimal("50"))      # no target, percent: 0.5
    # service_quality missing: 0; complaint_rate has no target and no 0–100 scale: not counted.
    publish_value(street, "complaint_rate", Decimal("3"))
    scores = street_attainment(street_codes=[street.code, silent.code], period=MONTH)
    assert scores == {street.code: Decimal("56.25")}


def test_public_votes_are_normalised_against_the_most_voted_candidate(make_round, nominate, settings, staff):
    settings.SELECTION_DAILY_VOTE_LIMIT = 1
    selection_round = make_round(quota=1, min_public_votes=5)
    first, second, third = (nominate(selection_round) for _ in range(3))
    for n, candidate in enumerate([first] * 4 + [second]):
        voter = verified_voter(selection_round, phone=f"1380000000{n}")
        services.vote_cast(selection_round=selection_round, nomination=candidate, voter=voter, ip=None, device_id="")
    services.round_score(selection_round=selection_round, user=staff)
    assert [result(c).normalised_votes for c in (first, second, third)] == [Decimal(100), Decimal(25), Decimal(0)]
    assert [result(c).vote_count for c in (first, second, third)] == [4, 1, 0]
    assert result(first).total == Decimal(20)  # the public criterion weighs 20


def test_equal_totals_break_on_the_street_attainment(make_round, nominate, staff):
    selection_round = make_round(quota=1, reference_month=MONTH)
    weaker, stronger = StreetFactory(code="T90000001"), StreetFactory(code="T90000002")
    publish_value(weaker, "committee_formation_rate", Decimal("40"))
    publish_value(stronger, "committee_formation_rate", Decimal("80"))
    a, b = nominate(selection_round, weaker), nominate(selection_round, stronger)
    material = selection_round.criteria.get(code="material_review")
    expert = judge()
    services.judge_assign(criterion=material, judge=expert, user=staff)
    for candidate in (a, b):
        services.score_submit(judge=expert, nomination=candidate, criterion=material, value=90)
    services.round_score(selection_round=selection_round, user=staff)
    assert result(a).total == result(b).total
    assert (result(b).rank, result(b).selected) == (1, True)
    assert (result(a).rank, result(a).selected) == (2, False)
    assert result(b).attainment > result(a).attainment


def test_the_indicator_share_of_material_review_comes_from_attainment(make_round, nominate, staff):
    selection_round = make_round(open_=False, reference_month=MONTH)
    services.criteria_set(selection_round=selection_round, weights={}, indicator_shares={"material_review": 50},
                          user=staff)
    selection_round = services.round_open(selection_round=selection_round, user=staff)
    street = StreetFactory()
    publish_value(street, "committee_formation_rate", Decimal("80"))  # met: 1
    publish_value(street, "party_org_coverage", Decimal("100"))       # met: 1
    candidate = nominate(selection_round, street)
    material = selection_round.criteria.get(code="material_review")
    expert = judge()
    services.judge_assign(criterion=material, judge=expert, user=staff)
    services.score_submit(judge=expert, nomination=candidate, criterion=material, value=80)
    services.round_score(selection_round=selection_round, user=staff)
    # attainment: (1 + 1 + 0 + 0) / 4 = 50; material = 0.5 × 80 + 0.5 × 50
    assert result(candidate).attainment == Decimal("50.00")
    assert result(candidate).criterion_scores["material_review"] == "65.00"


def test_exactly_the_quota_is_selected(make_round, nominate, staff):
    selection_round = make_round(quota=3)
    candidates = [nominate(selection_round) for _ in range(5)]
    onsite = selection_round.criteria.get(code="onsite_inspection")
    expert = judge()
    services.judge_assign(criterion=onsite, judge=expert, user=staff)
    for value, candidate in zip([50, 90, 70, 60, 80], candidates):
        services.score_submit(judge=expert, nomination=candidate, criterion=onsite, value=value)
    services.round_score(selection_round=selection_round, user=staff)
    selected = CandidateResult.objects.filter(round=selection_round, selected=True).order_by("rank")
    assert [r.nomination for r in selected] == [candidates[1], candidates[4], candidates[2]]
    assert [r.rank for r in selected] == [1, 2, 3]


def test_the_celery_task_scores_the_round_for_the_staff_member_who_started_it(make_round, nominate, staff):
    from selection.tasks import score_round

    selection_round = make_round(quota=1)
    nominate(selection_round)
    assert score_round.delay(selection_round.pk, staff.pk).get() == 1
    assert selection_round.results.get().selected
    assert selection_round.audit_entries.get(action=RoundAuditEntry.Action.SCORED).actor == staff


def test_applied_weights_spread_a_left_out_criterion_in_proportion_to_the_others():
    from selection.scoring import applied_weights

    weights = {"material_review": 30, "onsite_inspection": 30, "department_evaluation": 20, "public_votes": 20}
    assert applied_weights(weights, left_out={"public_votes"}) == {
        "material_review": Decimal("37.5"), "onsite_inspection": Decimal("37.5"),
        "department_evaluation": Decimal("25"), "public_votes": Decimal("0")}
    assert applied_weights(weights, left_out=set()) == {code: Decimal(w) for code, w in weights.items()}


def _voted_round(make_round, nominate, staff, *, min_public_votes: int):
    """Two candidates scored 80 and 60 on material review; three votes, all for the second."""
    selection_round = make_round(quota=1, min_public_votes=min_public_votes)
    strong, popular = nominate(selection_round), nominate(selection_round)
    material = selection_round.criteria.get(code="material_review")
    expert = judge()
    services.judge_assign(criterion=material, judge=expert, user=staff)
    for candidate, value in ((strong, 80), (popular, 60)):
        services.score_submit(judge=expert, nomination=candidate, criterion=material, value=value)
    for n in range(3):
        voter = verified_voter(selection_round, phone=f"1370000000{n}")
        services.vote_cast(selection_round=selection_round, nomination=popular, voter=voter, ip=None, device_id="")
    services.round_score(selection_round=selection_round, user=staff)
    selection_round.refresh_from_db()
    return selection_round, strong, popular


def test_below_the_minimum_the_public_criterion_does_not_count_and_its_weight_is_spread(make_round, nominate, staff):
    selection_round, strong, popular = _voted_round(make_round, nominate, staff, min_public_votes=4)
    # Normalisation against the most-voted candidate stays, shown but not counted.
    assert result(popular).normalised_votes == Decimal(100)
    # Material review weighs 30 of the 80 that count: 80 × 0.375 = 30, 60 × 0.375 = 22.5.
    assert (result(strong).total, result(popular).total) == (Decimal("30.00"), Decimal("22.50"))
    assert result(strong).selected
    assert selection_round.scored_weights == {"material_review": "37.50", "onsite_inspection": "37.50",
                                              "department_evaluation": "25.00", "public_votes": "0.00"}
    assert (selection_round.scored_vote_total, selection_round.public_votes_spread) == (3, True)
    entry = selection_round.audit_entries.get(action=RoundAuditEntry.Action.SCORED)
    assert (entry.details["votes"], entry.details["public_votes_counted"]) == (3, False)


def test_from_the_minimum_on_the_public_criterion_counts(make_round, nominate, staff):
    selection_round, strong, popular = _voted_round(make_round, nominate, staff, min_public_votes=3)
    # 80 × 0.3 = 24 against 60 × 0.3 + 100 × 0.2 = 38.
    assert (result(strong).total, result(popular).total) == (Decimal("24.00"), Decimal("38.00"))
    assert result(popular).selected and not selection_round.public_votes_spread


def test_the_published_page_says_when_the_public_votes_did_not_count(client, make_round, nominate, staff):
    from django.urls import reverse

    selection_round, _strong, _popular = _voted_round(make_round, nominate, staff, min_public_votes=4)
    services.round_publish(selection_round=selection_round, user=staff)
    page = client.get(reverse("selection:results", args=[selection_round.pk])).content.decode()
    assert ("本轮公众点赞有效票共 3 票，未达到最低 4 票，“公众点赞”不计入综合得分，其权重 20 按比例分配给其他评分项："
            "材料审核 37.5、现场考察 37.5、部门评价 25。") in page
    body = client.get("/api/v1/selection-rounds/", {"year": 2025}).json()[0]
    assert (body["min_public_votes"], body["public_votes_counted"]) == (4, False)
    assert body["applied_weights"]["material_review"] == 37.5
