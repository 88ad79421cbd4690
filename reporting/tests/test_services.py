import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from reporting.models import MonthlyRecord, MonthlyReport, ReportState, ReportTransition
from reporting.periods import add_months, current_reporting_period
from reporting.services import (
    ReportingError,
    ReportPermissionError,
    StaleVersionError,
    monthly_records_save,
    monthly_report_approve,
    monthly_report_get_or_create,
    monthly_report_lock,
    monthly_report_reopen,
    monthly_report_return_to_draft,
    monthly_report_submit,
)
from reporting.signals import monthly_data_changed
from tests.factories import district_staff, street_officer

from .conftest import PERIOD, row

pytestmark = pytest.mark.django_db


def save(report, actor, *rows, version=None):
    return monthly_records_save(report=report, rows=list(rows), actor=actor,
                                expected_version=report.version if version is None else version, source="测试")


def submitted(report, officer):
    save(report, officer, row("C0001", petitions=2))
    return monthly_report_submit(report=report, actor=officer)


def approved(report, officer, reviewer):
    return monthly_report_approve(report=submitted(report, officer), actor=reviewer)


@pytest.fixture
def signals():
    received = []

    def receiver(sender, **kwargs):
        received.append((kwargs["street_id"], kwargs["period"]))

    monthly_data_changed.connect(receiver)
    yield received
    monthly_data_changed.disconnect(receiver)


def test_report_is_created_as_draft_with_due_day_of_next_month(street, settings):
    settings.MONTHLY_REPORT_DUE_DAY = 12
    report = monthly_report_get_or_create(street=street, period=PERIOD)
    assert report.state == ReportState.DRAFT
    assert report.due_on == datetime.date(2024, 6, 12)
    assert monthly_report_get_or_create(street=street, period=PERIOD).pk == report.pk


def test_report_for_future_month_is_refused(street):
    with pytest.raises(ReportingError, match="不能填报未来月份"):
        monthly_report_get_or_create(street=street, period=add_months(timezone.localdate().replace(day=1), 1))


def test_save_creates_records_and_bumps_version(report, officer):
    plan = save(report, officer, row("C0001", petitions=2, fees_due="100", fees_collected="90"))
    assert plan.ok
    record = MonthlyRecord.objects.get(compound__code="C0001", period=PERIOD)
    assert (record.petitions, record.fees_collected) == (2, Decimal("90.00"))
    assert MonthlyReport.objects.get(pk=report.pk).version == 2 == report.version


def test_invalid_row_saves_nothing_and_returns_every_cell_error(report, officer):
    save(report, officer, row("C0001", petitions=2))
    plan = save(report, officer, row("C0001", petitions=5), row("C0002", hotline_received=1, hotline_resolved=3))
    assert not plan.ok
    assert plan.validation.errors_by_cell().keys() == {("C0002", "hotline_resolved")}
    assert MonthlyRecord.objects.get(compound__code="C0001").petitions == 2
    assert not MonthlyRecord.objects.filter(compound__code="C0002").exists()
    assert MonthlyReport.objects.get(pk=report.pk).version == 2, "a refused save does not bump the version"


def test_stale_version_is_refused_and_nothing_is_written(report, officer):
    save(report, officer, row("C0001", petitions=2))
    with pytest.raises(StaleVersionError, match="该月报已被他人修改，请刷新后重试"):
        save(report, street_officer(report.street), row("C0001", petitions=7), version=1)
    assert MonthlyRecord.objects.get(compound__code="C0001").petitions == 2


def test_two_officers_saving_from_the_same_version_one_wins(report, officer):
    colleague = street_officer(report.street)
    first, second = MonthlyReport.objects.get(pk=report.pk), MonthlyReport.objects.get(pk=report.pk)
    save(first, officer, row("C0001", petitions=1), version=1)
    with pytest.raises(StaleVersionError):
        save(second, colleague, row("C0001", petitions=9), version=1)
    assert MonthlyRecord.objects.get(compound__code="C0001").petitions == 1


def test_blank_row_deletes_an_existing_record_with_history(report, officer):
    save(report, officer, row("C0001", petitions=2))
    save(report, officer, row("C0001"))
    assert not MonthlyRecord.objects.exists()
    assert MonthlyRecord.history.filter(history_type="-", history_user=officer).count() == 1


def test_bulk_save_keeps_history_with_user_and_reason(report, officer):
    save(report, officer, row("C0001", petitions=2), row("C0002", petitions=3))
    save(report, officer, row("C0001", petitions=4), row("C0002", petitions=3))
    history = MonthlyRecord.history.order_by("history_id")
    assert [(h.history_type, h.compound.code, h.petitions) for h in history] == [
        ("+", "C0001", 2), ("+", "C0002", 3), ("~", "C0001", 4)]
    assert {h.history_user for h in history} == {officer}
    assert {h.history_change_reason for h in history} == {"测试"}


def test_other_street_officer_may_not_save(report, other_street):
    with pytest.raises(ReportPermissionError):
        save(report, street_officer(other_street), row("C0001", petitions=1))


def test_district_staff_may_not_save(report, reviewer):
    with pytest.raises(ReportPermissionError):
        save(report, reviewer, row("C0001", petitions=1))


def test_save_sends_stale_signal_after_commit(report, officer, signals, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        save(report, officer, row("C0001", petitions=1))
    assert signals == [(report.street_id, PERIOD)]


def test_submit_moves_draft_to_submitted_and_marks_late(report, officer):
    submitted(report, officer)
    report.refresh_from_db()
    assert report.state == ReportState.SUBMITTED
    assert report.submitted_by == officer
    assert report.is_late, "2024-05 was due on 2024-06-10"
    assert ReportTransition.objects.get(report=report).to_state == ReportState.SUBMITTED


def test_submit_before_due_day_is_on_time(street, compounds, officer):
    report = monthly_report_get_or_create(street=street, period=current_reporting_period())
    report.due_on = timezone.localdate() + datetime.timedelta(days=1)
    report.save()
    save(report, officer, row("C0001", petitions=1))
    assert monthly_report_submit(report=report, actor=officer).is_late is False


def test_empty_report_cannot_be_submitted(report, officer):
    with pytest.raises(ReportingError, match="还没有任何小区的数据"):
        monthly_report_submit(report=report, actor=officer)


def test_only_the_owning_street_submits(report, officer, reviewer, other_street):
    save(report, officer, row("C0001", petitions=2))
    for actor in (reviewer, street_officer(other_street)):
        with pytest.raises(ReportPermissionError):
            monthly_report_submit(report=report, actor=actor)


def test_submitted_report_cannot_be_edited(report, officer):
    submitted(report, officer)
    with pytest.raises(ReportingError, match="已上报"):
        save(report, officer, row("C0001", petitions=9))


def test_district_approves_and_signals(report, officer, reviewer, signals):
    submitted(report, officer)
    signals.clear()
    monthly_report_approve(report=report, actor=reviewer)
    assert report.state == ReportState.APPROVED and report.approved_by == reviewer
    assert signals == [(report.street_id, PERIOD)]


def test_officer_and_other_district_may_not_approve(report, officer):
    submitted(report, officer)
    for actor in (officer, district_staff(report.street.district.__class__.objects.create(
            city=report.street.district.city, code="OTHER1", name="别区", kind="district"))):
        with pytest.raises(ReportPermissionError):
            monthly_report_approve(report=report, actor=actor)


def test_draft_cannot_be_approved(report, reviewer):
    with pytest.raises(ReportingError, match="草稿"):
        monthly_report_approve(report=report, actor=reviewer)


def test_district_returns_with_reason_and_officer_can_edit_again(report, officer, reviewer):
    submitted(report, officer)
    monthly_report_return_to_draft(report=report, actor=reviewer, reason="信访件数有误")
    assert report.state == ReportState.DRAFT
    assert report.transitions.last().reason == "信访件数有误"
    assert save(report, officer, row("C0001", petitions=3)).ok


def test_return_needs_a_reason(report, officer, reviewer):
    submitted(report, officer)
    with pytest.raises(ReportingError, match="请填写理由"):
        monthly_report_return_to_draft(report=report, actor=reviewer, reason="  ")


def test_officer_may_not_return(report, officer):
    submitted(report, officer)
    with pytest.raises(ReportPermissionError):
        monthly_report_return_to_draft(report=report, actor=officer, reason="x")


REVIEWED_STALE = "该月报在您查看后已被修改，请刷新后重新审核"


def resubmitted_after_review(report, officer, reviewer) -> int:
    """A reviewer opens the submitted report; a colleague returns it, the street edits and submits it
    again. Returns the version the first reviewer saw."""
    submitted(report, officer)
    seen = MonthlyReport.objects.get(pk=report.pk).version
    monthly_report_return_to_draft(report=report, actor=district_staff(report.street.district), reason="补充数据")
    save(report, officer, row("C0002", petitions=7))
    monthly_report_submit(report=report, actor=officer)
    return seen


@pytest.mark.parametrize("review", [
    lambda report, reviewer, version: monthly_report_approve(report=report, actor=reviewer, expected_version=version),
    lambda report, reviewer, version: monthly_report_return_to_draft(report=report, actor=reviewer, reason="有误",
                                                                     expected_version=version),
], ids=["approve", "return"])
def test_a_review_of_a_version_the_reviewer_did_not_see_is_refused_and_changes_nothing(report, officer, reviewer,
                                                                                       review):
    seen = resubmitted_after_review(report, officer, reviewer)
    before = MonthlyReport.objects.get(pk=report.pk)
    transitions = ReportTransition.objects.count()
    with pytest.raises(StaleVersionError, match=REVIEWED_STALE):
        review(report, reviewer, seen)
    after = MonthlyReport.objects.get(pk=report.pk)
    assert (after.state, after.version, after.approved_by) == (ReportState.SUBMITTED, before.version, None)
    assert ReportTransition.objects.count() == transitions


def test_approving_the_version_seen_approves(report, officer, reviewer):
    submitted(report, officer)
    seen = MonthlyReport.objects.get(pk=report.pk).version
    monthly_report_approve(report=report, actor=reviewer, expected_version=seen)
    assert report.state == ReportState.APPROVED and report.version == seen + 1


def test_returning_the_version_seen_returns(report, officer, reviewer):
    seen = resubmitted_after_review(report, officer, reviewer)
    current = MonthlyReport.objects.get(pk=report.pk).version
    assert current != seen
    monthly_report_return_to_draft(report=report, actor=reviewer, reason="仍有误", expected_version=current)
    assert report.state == ReportState.DRAFT


def test_a_review_without_a_version_is_not_checked(report, officer, reviewer):
    resubmitted_after_review(report, officer, reviewer)
    monthly_report_approve(report=report, actor=reviewer)
    assert report.state == ReportState.APPROVED


def test_approved_data_cannot_be_changed_by_anyone(report, officer, reviewer, city):
    approved(report, officer, reviewer)
    for actor in (officer, city):
        with pytest.raises(ReportingError):
            save(report, actor, row("C0001", petitions=9))
    assert MonthlyRecord.objects.get(compound__code="C0001").petitions == 2


def test_city_locks_approved_report(report, officer, reviewer, city):
    approved(report, officer, reviewer)
    for actor in (officer, reviewer):
        with pytest.raises(ReportPermissionError):
            monthly_report_lock(report=report, actor=actor)
    monthly_report_lock(report=report, actor=city)
    assert report.state == ReportState.LOCKED and report.locked_at is not None


def test_city_reopens_locked_report_with_reason(report, officer, reviewer, city, signals):
    monthly_report_lock(report=approved(report, officer, reviewer), actor=city)
    signals.clear()
    monthly_report_reopen(report=report, actor=city, reason="数据更正")
    assert report.state == ReportState.DRAFT and report.approved_by is None
    assert signals == [(report.street_id, PERIOD)]
    assert save(report, officer, row("C0001", petitions=5)).ok


def test_only_city_reopens(report, officer, reviewer):
    approved(report, officer, reviewer)
    for actor in (officer, reviewer):
        with pytest.raises(ReportPermissionError):
            monthly_report_reopen(report=report, actor=actor, reason="x")


def test_draft_cannot_be_reopened(report, city):
    with pytest.raises(ReportingError):
        monthly_report_reopen(report=report, actor=city, reason="x")


def test_resubmission_after_return_keeps_first_lateness(street, compounds, officer, reviewer):
    report = monthly_report_get_or_create(street=street, period=current_reporting_period())
    report.due_on = timezone.localdate() + datetime.timedelta(days=1)
    report.save()
    submitted(report, officer)
    monthly_report_return_to_draft(report=report, actor=reviewer, reason="补充")
    report.due_on = timezone.localdate() - datetime.timedelta(days=1)
    report.save()
    assert monthly_report_submit(report=report, actor=officer).is_late is False


def test_state_changes_are_kept_in_report_history(report, officer, reviewer):
    approved(report, officer, reviewer)
    states = list(MonthlyReport.history.filter(id=report.pk).order_by("history_id").values_list("state", "history_user"))
    assert states[-2:] == [(ReportState.SUBMITTED, officer.pk), (ReportState.APPROVED, reviewer.pk)]
