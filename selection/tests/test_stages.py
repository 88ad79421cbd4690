"""Stages drive what may happen: each stage's work only within its dates; city staff may go ahead with
a reason, which is audited; the round's page says where it stands and what comes next."""
import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from selection import services, stages
from selection.models import RoundAuditEntry, RoundState, StageKind
from selection.stages import StageStatus
from tests.factories import DistrictFactory, StreetFactory, district_staff

pytestmark = pytest.mark.django_db

DAY = datetime.date


# The calendar of the round the bureau ran: scoring on 12-02 while voting ran until 12-20.
CALENDAR = {
    StageKind.NOMINATION: (DAY(2025, 10, 1), DAY(2025, 10, 31)),
    StageKind.MATERIAL_REVIEW: (DAY(2025, 11, 1), DAY(2025, 11, 15)),
    StageKind.ONSITE_INSPECTION: (DAY(2025, 11, 1), DAY(2025, 11, 30)),
    StageKind.DEPARTMENT_EVALUATION: (DAY(2025, 11, 1), DAY(2025, 11, 30)),
    StageKind.PUBLIC_VOTING: (DAY(2025, 12, 1), DAY(2025, 12, 20)),
    StageKind.SCORING: (DAY(2025, 12, 21), DAY(2025, 12, 25)),
    StageKind.PUBLICATION: (DAY(2025, 12, 26), DAY(2025, 12, 31)),
}


@pytest.fixture
def calendar_round(staff):
    selection_round = services.round_create(year=2025, title="2025年度样板街道(乡镇)推选", quota=2, stages=CALENDAR,
                                            created_by=staff)
    return services.round_open(selection_round=selection_round, user=staff)


def nominate_on(selection_round, day, user, street=None, **kwargs):
    return services.nomination_create(selection_round=selection_round, street=street or StreetFactory(), user=user,
                                      today=day, **kwargs)


def test_districts_nominate_only_within_the_nomination_stage(calendar_round):
    district = DistrictFactory()
    officer = district_staff(district)
    nominate_on(calendar_round, DAY(2025, 10, 31), officer, StreetFactory(district=district))
    with pytest.raises(ValidationError, match="“推荐申报”阶段尚未开始（2025-10-01 至 2025-10-31）"):
        nominate_on(calendar_round, DAY(2025, 9, 30), officer, StreetFactory(district=district))
    with pytest.raises(ValidationError, match="“推荐申报”阶段已结束"):
        nominate_on(calendar_round, DAY(2025, 11, 1), officer, StreetFactory(district=district))
    assert calendar_round.nominations.count() == 1


def test_district_staff_cannot_override_a_closed_stage_even_with_a_reason(calendar_round):
    district = DistrictFactory()
    with pytest.raises(ValidationError, match="已结束"):
        nominate_on(calendar_round, DAY(2025, 11, 2), district_staff(district), StreetFactory(district=district),
                    override_reason="材料晚到")
    assert not calendar_round.audit_entries.filter(action=RoundAuditEntry.Action.STAGE_OVERRIDDEN).exists()


def test_city_staff_nominate_late_only_with_a_reason_which_is_audited(calendar_round, staff):
    with pytest.raises(ValidationError, match="如确需越期操作，请填写原因"):
        nominate_on(calendar_round, DAY(2025, 11, 2), staff)
    nominate_on(calendar_round, DAY(2025, 11, 2), staff, override_reason="区县推荐函已于截止日前送达")
    entry = calendar_round.audit_entries.get(action=RoundAuditEntry.Action.STAGE_OVERRIDDEN)
    assert (entry.actor, entry.reason) == (staff, "区县推荐函已于截止日前送达")
    assert entry.details == {"stage": "nomination", "step": "nominate", "day": "2025-11-02"}


def test_scoring_waits_for_the_scoring_stage(calendar_round, staff):
    nominate_on(calendar_round, DAY(2025, 10, 2), staff)
    with pytest.raises(ValidationError, match="“综合计分”阶段尚未开始（2025-12-21 至 2025-12-25）"):
        services.round_score(selection_round=calendar_round, user=staff, today=DAY(2025, 12, 2))
    calendar_round.refresh_from_db()
    assert calendar_round.state == RoundState.OPEN and not calendar_round.results.exists()
    services.round_score(selection_round=calendar_round, user=staff, today=DAY(2025, 12, 21))
    calendar_round.refresh_from_db()
    assert calendar_round.state == RoundState.SCORING


def test_scoring_early_with_a_reason_is_audited(calendar_round, staff):
    nominate_on(calendar_round, DAY(2025, 10, 2), staff)
    services.round_score(selection_round=calendar_round, user=staff, today=DAY(2025, 12, 2),
                         override_reason="试算，供评审组复核")
    entry = calendar_round.audit_entries.get(action=RoundAuditEntry.Action.STAGE_OVERRIDDEN)
    assert (entry.actor, entry.details["stage"], entry.details["step"]) == (staff, "scoring", "score")


def test_publication_waits_for_the_publication_stage(calendar_round, staff):
    nominate_on(calendar_round, DAY(2025, 10, 2), staff)
    services.round_score(selection_round=calendar_round, user=staff, today=DAY(2025, 12, 21))
    with pytest.raises(ValidationError, match="“结果公布”阶段尚未开始"):
        services.round_publish(selection_round=calendar_round, user=staff, today=DAY(2025, 12, 22))
    services.round_publish(selection_round=calendar_round, user=staff, today=DAY(2025, 12, 22),
                           override_reason="市政府常务会议已审定，提前公布")
    calendar_round.refresh_from_db()
    assert calendar_round.state == RoundState.PUBLISHED
    assert calendar_round.audit_entries.get(action=RoundAuditEntry.Action.STAGE_OVERRIDDEN).details["step"] == (
        "publish")


def test_no_override_publishes_a_round_that_was_not_scored(calendar_round, staff):
    with pytest.raises(ValidationError, match="请先完成计分"):
        services.round_publish(selection_round=calendar_round, user=staff, today=DAY(2025, 12, 27),
                               override_reason="赶时间")


def test_judges_score_only_within_their_criterions_stage(calendar_round, staff):
    from .conftest import judge

    candidate = nominate_on(calendar_round, DAY(2025, 10, 2), staff)
    material = calendar_round.criteria.get(code="material_review")
    expert = judge()
    services.judge_assign(criterion=material, judge=expert, user=staff)
    services.score_submit(judge=expert, nomination=candidate, criterion=material, value=80, today=DAY(2025, 11, 15))
    with pytest.raises(ValidationError, match="不在打分期内：“材料审核”阶段已结束"):
        services.score_submit(judge=expert, nomination=candidate, criterion=material, value=90,
                              today=DAY(2025, 11, 16))


def test_material_is_uploaded_within_the_nomination_stage(calendar_round, staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    candidate = nominate_on(calendar_round, DAY(2025, 10, 2), staff)
    pdf = SimpleUploadedFile("材料.pdf", b"%PDF-1.7\n%%EOF")
    services.material_add(nomination=candidate, upload=pdf, user=staff, today=DAY(2025, 10, 31))
    with pytest.raises(ValidationError, match="“推荐申报”阶段已结束"):
        services.material_add(nomination=candidate, upload=pdf, user=staff, today=DAY(2025, 11, 1))


def test_moving_a_stage_of_an_open_round_needs_a_reason_and_is_audited(calendar_round, staff):
    with pytest.raises(ValidationError, match="须填写原因"):
        services.round_set_stage(selection_round=calendar_round, kind=StageKind.PUBLIC_VOTING, user=staff,
                                 starts_on=DAY(2025, 12, 1), ends_on=DAY(2025, 12, 22))
    services.round_set_stage(selection_round=calendar_round, kind=StageKind.PUBLIC_VOTING, user=staff,
                             starts_on=DAY(2025, 12, 1), ends_on=DAY(2025, 12, 22), reason="系统维护顺延两天")
    entry = calendar_round.audit_entries.get(action=RoundAuditEntry.Action.STAGE_CHANGED)
    assert (entry.actor, entry.reason) == (staff, "系统维护顺延两天")
    assert entry.details == {"stage": "public_voting", "before": ["2025-12-01", "2025-12-20"],
                             "after": ["2025-12-01", "2025-12-22"]}


def test_a_round_opens_only_with_dates_for_scoring_and_publication(staff):
    dates = {kind: window for kind, window in CALENDAR.items() if kind != StageKind.PUBLICATION}
    selection_round = services.round_create(year=2025, title="t", quota=1, stages=dates, created_by=staff)
    with pytest.raises(ValidationError, match="请先设置以下阶段的起止日期：结果公布"):
        services.round_open(selection_round=selection_round, user=staff)


def test_the_timeline_says_which_stages_are_done_current_and_next(calendar_round):
    timeline = stages.timeline(calendar_round, DAY(2025, 12, 2))
    status = {stage.kind: stage.status for stage in timeline.stages}
    assert status[StageKind.NOMINATION] == StageStatus.DONE
    assert status[StageKind.PUBLIC_VOTING] == StageStatus.CURRENT
    assert status[StageKind.SCORING] == StageStatus.UPCOMING
    assert timeline.upcoming.kind == StageKind.SCORING
    assert timeline.allows[StageKind.PUBLIC_VOTING] and not timeline.allows[StageKind.SCORING]


def test_the_round_page_shows_where_it_stands_and_what_comes_next(client, staff, make_round):
    selection_round = make_round()
    today = datetime.date.today()
    services.round_set_stage(selection_round=selection_round, kind=StageKind.SCORING, user=staff, reason="顺延",
                             starts_on=today + datetime.timedelta(days=3), ends_on=today + datetime.timedelta(days=5))
    client.force_login(staff)
    page = client.get(reverse("selection:manage_round", args=[selection_round.pk])).content.decode()
    start = (today + datetime.timedelta(days=3)).isoformat()
    assert "当前阶段：推荐申报" in page and f"下一阶段：综合计分，{start} 开始。" in page
    # Scoring is not open: the button asks for the reason of an early run.
    assert 'name="override_reason" id="score-override"' in page


def test_scoring_from_the_page_before_its_stage_is_refused_without_a_reason(
        client, staff, make_round, nominate, django_capture_on_commit_callbacks):
    selection_round = make_round()
    nominate(selection_round)
    today = datetime.date.today()
    services.round_set_stage(selection_round=selection_round, kind=StageKind.SCORING, user=staff, reason="顺延",
                             starts_on=today + datetime.timedelta(days=3), ends_on=today + datetime.timedelta(days=5))
    client.force_login(staff)
    url = reverse("selection:round_score", args=[selection_round.pk])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(url, follow=True)
    assert callbacks == [] and "“综合计分”阶段尚未开始" in response.content.decode()
    assert not selection_round.results.exists()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"override_reason": "领导小组要求先行试算"})
    audit = selection_round.audit_entries
    assert audit.get(action=RoundAuditEntry.Action.STAGE_OVERRIDDEN).actor == staff
    assert audit.get(action=RoundAuditEntry.Action.SCORED).actor == staff
    assert selection_round.results.count() == 1
