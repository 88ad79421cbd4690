import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from selection import services
from selection.models import Criterion, RoundAuditEntry, RoundState
from tests.factories import DistrictFactory, StreetFactory, district_staff, street_officer

from .conftest import judge, today

pytestmark = pytest.mark.django_db


def test_a_new_round_has_the_default_criteria_summing_to_100(make_round):
    selection_round = make_round(open_=False)
    weights = {c.code: c.weight for c in selection_round.criteria.all()}
    assert weights == {"material_review": 30, "onsite_inspection": 30, "department_evaluation": 20,
                       "public_votes": 20}


def test_weights_that_do_not_sum_to_100_are_refused(make_round, staff):
    selection_round = make_round(open_=False)
    with pytest.raises(ValidationError, match="权重之和须为100，当前为90"):
        services.criteria_set(selection_round=selection_round, weights={"material_review": 20}, user=staff)
    assert selection_round.criteria.get(code="material_review").weight == 30


def test_a_round_whose_weights_were_edited_off_100_cannot_open(make_round, staff):
    selection_round = make_round(open_=False)
    Criterion.objects.filter(round=selection_round, code="public_votes").update(weight=25)
    with pytest.raises(ValidationError, match="权重之和须为100"):
        services.round_open(selection_round=selection_round, user=staff)


def test_only_city_staff_set_up_rounds():
    with pytest.raises(ValidationError, match="只有市住建局"):
        services.round_create(year=2025, title="x", quota=1, created_by=district_staff(DistrictFactory()))


def test_district_staff_nominate_only_their_own_streets_within_the_limit(make_round):
    selection_round = make_round(limit=2)
    district = DistrictFactory()
    user = district_staff(district)
    for _ in range(2):
        services.nomination_create(selection_round=selection_round, street=StreetFactory(district=district), user=user)
    with pytest.raises(ValidationError, match="最多推荐2个"):
        services.nomination_create(selection_round=selection_round, street=StreetFactory(district=district), user=user)
    with pytest.raises(ValidationError, match="只能推荐本区县"):
        services.nomination_create(selection_round=selection_round, street=StreetFactory(), user=user)


def test_street_officers_cannot_nominate(make_round):
    street = StreetFactory()
    with pytest.raises(ValidationError, match="只能推荐本区县"):
        services.nomination_create(selection_round=make_round(), street=street, user=street_officer(street))


def test_a_judge_scores_only_the_criterion_they_are_assigned(make_round, nominate, staff):
    selection_round = make_round()
    candidate = nominate(selection_round)
    expert = judge()
    material, onsite = selection_round.criteria.get(code="material_review"), selection_round.criteria.get(
        code="onsite_inspection")
    services.judge_assign(criterion=material, judge=expert, user=staff)
    services.score_submit(judge=expert, nomination=candidate, criterion=material, value=88, comment="材料翔实")
    with pytest.raises(ValidationError, match="未被指派"):
        services.score_submit(judge=expert, nomination=candidate, criterion=onsite, value=90)


def test_a_judge_cannot_score_after_the_stage_closes(make_round, nominate, staff):
    selection_round = make_round()
    candidate = nominate(selection_round)
    material = selection_round.criteria.get(code="material_review")
    services.round_set_stage(selection_round=selection_round, kind=material.stage, user=staff, reason="材料审核提前结束",
                             starts_on=today() - datetime.timedelta(days=20),
                             ends_on=today() - datetime.timedelta(days=1))
    expert = judge()
    services.judge_assign(criterion=material, judge=expert, user=staff)
    with pytest.raises(ValidationError, match="不在打分期内"):
        services.score_submit(judge=expert, nomination=candidate, criterion=material, value=70)


def test_scores_outside_0_to_100_are_refused(make_round, nominate, staff):
    selection_round = make_round()
    material = selection_round.criteria.get(code="material_review")
    expert = judge()
    services.judge_assign(criterion=material, judge=expert, user=staff)
    with pytest.raises(ValidationError):
        services.score_submit(judge=expert, nomination=nominate(selection_round), criterion=material, value=101)


def test_only_judge_accounts_can_be_assigned(make_round, staff):
    selection_round = make_round()
    with pytest.raises(ValidationError, match="只能指派评审"):
        services.judge_assign(criterion=selection_round.criteria.first(), judge=staff, user=staff)


def _scored_round(make_round, nominate, staff, judge_scores: list[int]):
    selection_round = make_round(quota=1)
    candidate = nominate(selection_round)
    material = selection_round.criteria.get(code="material_review")
    for value in judge_scores:
        expert = judge()
        services.judge_assign(criterion=material, judge=expert, user=staff)
        services.score_submit(judge=expert, nomination=candidate, criterion=material, value=value)
    services.round_score(selection_round=selection_round, user=staff)
    candidate.refresh_from_db()
    return Decimal(candidate.result.criterion_scores["material_review"])


@pytest.mark.parametrize(("scores", "expected"), [
    ([60, 70, 80, 100], Decimal("77.50")),          # four: plain mean
    ([50, 70, 80, 90, 100], Decimal("80.00")),      # five: drop 50 and 100
    ([40, 60, 70, 80, 85, 90, 100], Decimal("77.00")),  # seven: drop 40 and 100
])
def test_criterion_score_is_the_mean_trimmed_from_five_judges(make_round, nominate, staff, scores, expected):
    assert _scored_round(make_round, nominate, staff, scores) == expected


def test_published_round_is_frozen(make_round, nominate, staff):
    selection_round = make_round(quota=1)
    candidate = nominate(selection_round)
    material = selection_round.criteria.get(code="material_review")
    expert = judge()
    services.judge_assign(criterion=material, judge=expert, user=staff)
    services.round_score(selection_round=selection_round, user=staff)
    services.round_publish(selection_round=selection_round, user=staff)
    selection_round.refresh_from_db()
    for attempt in (
        lambda: services.round_score(selection_round=selection_round, user=staff),
        lambda: services.score_submit(judge=expert, nomination=candidate, criterion=material, value=50),
        lambda: services.round_set_stage(selection_round=selection_round, kind="scoring", starts_on=today(),
                                         ends_on=today(), user=staff),
        lambda: services.judge_assign(criterion=material, judge=judge(), user=staff),
    ):
        with pytest.raises(ValidationError, match="已发布并冻结"):
            attempt()


def test_reopening_a_published_round_needs_a_reason_and_is_audited(make_round, nominate, staff):
    selection_round = make_round(quota=1)
    nominate(selection_round)
    services.round_score(selection_round=selection_round, user=staff)
    services.round_publish(selection_round=selection_round, user=staff)
    with pytest.raises(ValidationError, match="须填写原因"):
        services.round_reopen(selection_round=selection_round, user=staff, reason=" ")
    services.round_reopen(selection_round=selection_round, user=staff, reason="发现计分错误，复核后重新发布")
    selection_round.refresh_from_db()
    assert selection_round.state == RoundState.SCORING
    entry = selection_round.audit_entries.get(action=RoundAuditEntry.Action.REOPENED)
    assert entry.actor == staff and entry.reason == "发现计分错误，复核后重新发布"
    assert entry.details["published_results"][0]["selected"] is True
    services.round_score(selection_round=selection_round, user=staff)


def test_only_a_scored_round_can_be_published(make_round, staff):
    with pytest.raises(ValidationError, match="请先完成计分"):
        services.round_publish(selection_round=make_round(), user=staff)
