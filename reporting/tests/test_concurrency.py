"""Races on PostgreSQL (issue 8, "nothing lost"): each thread is a request on its own connection.

What the code guarantees, and these tests check:
- Every save of a report's records first bumps the report's `version` with a conditional UPDATE
  (`version = expected AND state = draft`). Of saves based on the same version exactly one wins,
  whichever compounds they touch: the check is report-wide, because the grid posts its whole page
  and a merge would write the loser's unchanged cells over the winner's change. The loser is told
  the report changed and keeps what it typed.
- Records change only in draft. Workflow steps lock the report row (select_for_update), so a
  submission waits for a save in progress and then includes it; a save that comes after the
  submission is refused. An approved report's records therefore never change after its approval.
"""
import dataclasses

import pytest
from django.test import Client

from reporting.models import MonthlyRecord, MonthlyReport, ReportState, ReportTransition
from reporting.services import (
    ReportingError,
    StaleVersionError,
    monthly_records_save,
    monthly_report_approve,
    monthly_report_reopen,
    monthly_report_return_to_draft,
    monthly_report_submit,
)
from tests.concurrency import run_together, stagger
from tests.factories import district_staff, street_officer

from .conftest import row
from .test_views import grid_post, url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

STALE_MESSAGE = "该月报已被他人修改，请刷新后重试"


@pytest.fixture
def colleague(report):
    return street_officer(report.street)


@pytest.fixture
def saved_report(report, officer):
    """The report with both compounds filled in once: version 2, two history rows."""
    monthly_records_save(report=report, rows=[row("C0001", petitions=1), row("C0002", weekly_meetings=1)],
                         actor=officer, expected_version=1, source="准备")
    return MonthlyReport.objects.get(pk=report.pk)


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def stored_figures() -> dict[str, tuple[int, int]]:
    return {code: (petitions, meetings) for code, petitions, meetings in
            MonthlyRecord.objects.values_list("compound__code", "petitions", "weekly_meetings")}


def typed(response, code, field, value) -> bool:
    return f'name="{code}__{field}" value="{value}"' in response.content.decode()


def test_two_simultaneous_saves_of_the_same_version_one_wins(require_postgres, report, officer, colleague):
    def save(actor, petitions):
        def run():
            monthly_records_save(report=report, rows=[row("C0001", petitions=petitions)], actor=actor,
                                 expected_version=1, source="并发测试")
            return petitions
        return run

    outcomes = run_together(save(officer, 1), save(colleague, 2))
    [winner] = [outcome.value for outcome in outcomes if outcome.error is None]
    assert [type(outcome.error) for outcome in outcomes if outcome.error] == [StaleVersionError]
    assert MonthlyRecord.objects.get(compound__code="C0001").petitions == winner
    assert MonthlyRecord.history.count() == 1
    assert MonthlyReport.objects.get(pk=report.pk).version == 2


def test_two_officers_posting_the_same_grid_version_one_saves_the_other_is_told_and_keeps_its_input(
        require_postgres, saved_report, officer, colleague):
    """Five rounds, each from the version both officers opened; both change both compounds."""
    clients = {officer.pk: logged_in(officer), colleague.pk: logged_in(colleague)}
    winners = []
    for round_ in range(5):
        version = MonthlyReport.objects.get(pk=saved_report.pk).version
        history_before = MonthlyRecord.history.count()
        typed_by = {officer.pk: (10 + round_, 20 + round_), colleague.pk: (30 + round_, 40 + round_)}

        def post(user_id):
            petitions, meetings = typed_by[user_id]
            return clients[user_id].post(url("grid", saved_report.street), grid_post(saved_report, {
                ("C0001", "petitions"): str(petitions), ("C0002", "weekly_meetings"): str(meetings)}, version=version))

        responses = dict(zip(typed_by, (outcome.result() for outcome in run_together(
            *(lambda user_id=user_id: post(user_id) for user_id in typed_by)))))
        [winner] = [user_id for user_id, response in responses.items() if response.status_code == 302]
        [loser] = [user_id for user_id in responses if user_id != winner]
        winners.append(winner)

        refused = responses[loser]
        assert refused.status_code == 200 and STALE_MESSAGE in refused.content.decode()
        assert typed(refused, "C0001", "petitions", typed_by[loser][0])
        assert typed(refused, "C0002", "weekly_meetings", typed_by[loser][1])
        assert "已保存 2 个小区的数据。" in clients[winner].get(responses[winner].url).content.decode()
        winner_petitions, winner_meetings = typed_by[winner]
        assert stored_figures() == {"C0001": (winner_petitions, 0), "C0002": (0, winner_meetings)}
        new_history = MonthlyRecord.history.order_by("history_id")[history_before:]
        assert sorted(h.compound.code for h in new_history) == ["C0001", "C0002"]
        assert {h.history_user_id for h in new_history} == {winner}
        assert MonthlyReport.objects.get(pk=saved_report.pk).version == version + 1
    print(f"grid same-version rounds won: officer {winners.count(officer.pk)}, colleague {winners.count(colleague.pk)}")


def test_saves_of_different_compounds_from_the_same_version_are_not_merged_the_later_is_refused(
        require_postgres, saved_report, officer, colleague):
    """The grid posts the whole page: each officer changes one compound and posts the other as shown.

    Merging would be wrong here: the loser's unchanged cell of the other compound would undo the
    winner's change. The loser is refused; the winner's change is stored and nothing else moves.
    """
    shown = {"C0001": ("petitions", 1), "C0002": ("weekly_meetings", 1)}
    changes = {officer.pk: ("C0001", 5), colleague.pk: ("C0002", 7)}
    clients = {officer.pk: logged_in(officer), colleague.pk: logged_in(colleague)}

    def post(user_id):
        changed_code, value = changes[user_id]
        cells = {(code, field): str(value if code == changed_code else old) for code, (field, old) in shown.items()}
        return clients[user_id].post(url("grid", saved_report.street), grid_post(saved_report, cells, version=2))

    responses = dict(zip(changes, (outcome.result() for outcome in run_together(
        *(lambda user_id=user_id: post(user_id) for user_id in changes)))))
    [winner] = [user_id for user_id, response in responses.items() if response.status_code == 302]
    [loser] = [user_id for user_id in responses if user_id != winner]
    assert STALE_MESSAGE in responses[loser].content.decode()
    loser_code, loser_value = changes[loser]
    assert typed(responses[loser], loser_code, shown[loser_code][0], loser_value)

    winner_code, winner_value = changes[winner]
    expected = {"C0001": (1, 0), "C0002": (0, 1)}
    expected[winner_code] = (winner_value, 0) if winner_code == "C0001" else (0, winner_value)
    assert stored_figures() == expected
    assert MonthlyRecord.history.count() == 2 + 1
    assert MonthlyRecord.history.latest("history_id").compound.code == winner_code
    assert MonthlyReport.objects.get(pk=saved_report.pk).version == 3


@dataclasses.dataclass
class Round:
    version: int
    old: dict
    new: dict


def _draft_again(report, city_user):
    report = MonthlyReport.objects.get(pk=report.pk)
    if report.state == ReportState.APPROVED:
        monthly_report_reopen(report=report, actor=city_user, reason="再次测试")
    return MonthlyReport.objects.get(pk=report.pk)


def _assert_frozen_since_submission(report):
    """No record of the report changed after its latest submission, so the approval saw what is stored."""
    submitted = ReportTransition.objects.filter(report=report, to_state=ReportState.SUBMITTED).latest("at", "pk")
    approved = ReportTransition.objects.filter(report=report, to_state=ReportState.APPROVED).latest("at", "pk")
    assert approved.at >= submitted.at
    last_change = MonthlyRecord.history.filter(report_id=report.pk).latest("history_date").history_date
    assert last_change < submitted.at
    approved_version = report.history.filter(state=ReportState.APPROVED).latest("history_date", "history_id").version
    assert approved_version == MonthlyReport.objects.get(pk=report.pk).version


def test_a_save_racing_submission_and_approval_is_either_in_the_approved_data_or_refused(
        require_postgres, saved_report, officer, colleague, reviewer, city):
    """Twenty rounds: the officer saves from the draft version it opened while a colleague submits and
    the district approves at once. Either the save lands first and is what gets approved, or it
    is refused; the approved report's records never change after its submission."""
    counts = {"save won": 0, "approve won": 0}
    for round_ in range(20):
        version = _draft_again(saved_report, city).version
        old = stored_figures()
        new = {"C0001": (100 + round_, 0), "C0002": (0, 200 + round_)}
        # Each side works on its own copy of the report, as two requests would.
        officers_copy, workflow_copy = (MonthlyReport.objects.get(pk=saved_report.pk) for _ in range(2))

        def save(report=officers_copy, new=new, version=version):
            return monthly_records_save(report=report, rows=[row("C0001", petitions=new["C0001"][0]),
                                                             row("C0002", weekly_meetings=new["C0002"][1])],
                                        actor=officer, expected_version=version, source="并发测试")

        def submit_and_approve(report=workflow_copy):
            monthly_report_submit(report=report, actor=colleague)
            monthly_report_approve(report=report, actor=reviewer)

        saving, approving = run_together(save, submit_and_approve, delays=stagger(round_))
        approving.result()
        final = MonthlyReport.objects.get(pk=saved_report.pk)
        assert final.state == ReportState.APPROVED
        if saving.error is None:
            counts["save won"] += 1
            assert stored_figures() == new
            assert final.version == version + 3
        else:
            counts["approve won"] += 1
            assert isinstance(saving.error, ReportingError) and not isinstance(saving.error, StaleVersionError)
            assert "不能修改" in saving.error.message
            assert stored_figures() == old
            assert final.version == version + 2
        _assert_frozen_since_submission(final)
    print(f"save vs submit+approve over 20 rounds: {counts}")
    assert sum(counts.values()) == 20


def test_an_officer_posting_the_grid_while_the_district_approves_is_refused_with_its_input_kept(
        require_postgres, saved_report, officer, colleague, reviewer, city):
    """Ten rounds on a submitted report: the officer posts the grid (with the current version) while the
    district approves. Submitted data is not editable, so the approval always stands and the save
    is refused with the state it met: 已上报 when it ran first, 已审核 when the approval did."""
    officer_client, reviewer_client = logged_in(officer), logged_in(reviewer)
    states_met = []
    for round_ in range(10):
        report = _draft_again(saved_report, city)
        monthly_report_submit(report=report, actor=colleague)
        report = MonthlyReport.objects.get(pk=report.pk)
        before, history_before = stored_figures(), MonthlyRecord.history.count()

        def post_grid(report=report, value=50 + round_):
            return officer_client.post(url("grid", report.street), grid_post(report, {
                ("C0001", "petitions"): str(value), ("C0002", "weekly_meetings"): "1"}))

        def approve(report=report):
            # The reviewer approves the submitted version, as the report page posts it.
            return reviewer_client.post(url("action", report.street, action="approve"), {"version": report.version})

        grid_response, approve_response = (outcome.result() for outcome in run_together(
            post_grid, approve, delays=stagger(round_, step=0.015)))
        assert approve_response.status_code == 302
        assert grid_response.status_code == 200
        page = grid_response.content.decode()
        assert typed(grid_response, "C0001", "petitions", 50 + round_)
        [state_met] = [label for label in ("已上报", "已审核") if f"月报当前为“{label}”状态，不能修改" in page]
        states_met.append(state_met)
        final = MonthlyReport.objects.get(pk=report.pk)
        assert final.state == ReportState.APPROVED and final.version == report.version + 1
        assert stored_figures() == before and MonthlyRecord.history.count() == history_before
        _assert_frozen_since_submission(final)
    print(f"grid save vs approve over 10 rounds, state the save met: "
          f"已上报 {states_met.count('已上报')}, 已审核 {states_met.count('已审核')}")


def test_a_return_and_resubmission_racing_an_approval_of_the_version_seen_never_approves_unseen_data(
        require_postgres, saved_report, officer, colleague, reviewer, city):
    """Ten rounds: one reviewer approves the submitted version it opened while a colleague returns the
    report and the street changes and resubmits it. The approval either lands first (and the return
    then meets an approved report) or is refused, as a draft when it comes between the return and the
    resubmission, else as stale: never an approval of the resubmission."""
    other_reviewer = district_staff(saved_report.street.district)
    counts = {"approved": 0, "refused": 0}
    for round_ in range(10):
        report = _draft_again(saved_report, city)
        if report.state == ReportState.SUBMITTED:  # the last round's resubmission, never approved
            monthly_report_return_to_draft(report=report, actor=other_reviewer, reason="下一轮")
        monthly_report_submit(report=report, actor=colleague)
        seen = MonthlyReport.objects.get(pk=report.pk).version
        reviewers_copy, workflow_copy = (MonthlyReport.objects.get(pk=report.pk) for _ in range(2))

        def approve(report=reviewers_copy, seen=seen):
            return monthly_report_approve(report=report, actor=reviewer, expected_version=seen)

        def return_edit_resubmit(report=workflow_copy, value=300 + round_):
            monthly_report_return_to_draft(report=report, actor=other_reviewer, reason="补充")
            monthly_records_save(report=report, rows=[row("C0001", petitions=value)], actor=officer,
                                 expected_version=report.version, source="并发测试")
            monthly_report_submit(report=report, actor=colleague)

        approving, resubmitting = run_together(approve, return_edit_resubmit, delays=stagger(round_, step=0.01))
        final = MonthlyReport.objects.get(pk=report.pk)
        if approving.error is None:
            counts["approved"] += 1
            assert final.state == ReportState.APPROVED and final.version == seen + 1
            assert isinstance(resubmitting.error, ReportingError) and "已审核" in resubmitting.error.message
        else:
            counts["refused"] += 1
            assert approving.error.message in ("该月报在您查看后已被修改，请刷新后重新审核", "月报当前为“草稿”状态，不能执行该操作")
            assert resubmitting.error is None
            assert final.state == ReportState.SUBMITTED and final.approved_by is None
    print(f"approval of the version seen vs return + resubmission over 10 rounds: {counts}")
