"""Workflow notices: a report submitted reaches its district's staff, returned or approved its street's
officers, once each, after the step commits."""
import pytest
from django.core import mail

from notifications.models import EmailState, Notification, NoticeKind
from reporting import services as reporting

pytestmark = pytest.mark.django_db


def submit(report, officer, capture):
    with capture(execute=True):
        reporting.monthly_report_submit(report=report, actor=officer)
    report.refresh_from_db()


def test_a_submitted_report_notifies_its_districts_staff_and_no_one_else(
        report, officer, reviewer, other_district_staff, django_capture_on_commit_callbacks):
    submit(report, officer, django_capture_on_commit_callbacks)

    notices = list(Notification.objects.all())
    assert [(n.recipient, n.kind) for n in notices] == [(reviewer, NoticeKind.REPORT_SUBMITTED)]
    assert notices[0].title == "鲤中街道2024年5月月报已上报，请审核"
    assert notices[0].url == f"/reports/{report.street.code}/2024-05/"


def test_the_notice_waits_for_the_commit(report, officer, reviewer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        reporting.monthly_report_submit(report=report, actor=officer)
        assert not Notification.objects.exists()

    assert len(callbacks) == 1
    assert not Notification.objects.exists()


def test_a_returned_report_tells_the_streets_officers_the_reason(
        report, officer, reviewer, django_capture_on_commit_callbacks):
    submit(report, officer, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        reporting.monthly_report_return_to_draft(report=report, actor=reviewer, reason="泉秀花园信访件数有误")

    notice = Notification.objects.get(kind=NoticeKind.REPORT_RETURNED)
    assert notice.recipient == officer
    assert "退回理由：泉秀花园信访件数有误" in notice.body


def test_an_approved_report_notifies_the_streets_officers(report, officer, reviewer, django_capture_on_commit_callbacks):
    submit(report, officer, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        reporting.monthly_report_approve(report=report, actor=reviewer)

    assert Notification.objects.get(kind=NoticeKind.REPORT_APPROVED).recipient == officer


def test_a_resubmission_after_a_return_is_a_new_notice(report, officer, reviewer, django_capture_on_commit_callbacks):
    submit(report, officer, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        reporting.monthly_report_return_to_draft(report=report, actor=reviewer, reason="请核实")
    submit(report, officer, django_capture_on_commit_callbacks)

    assert Notification.objects.filter(recipient=reviewer, kind=NoticeKind.REPORT_SUBMITTED).count() == 2


def test_a_refused_step_sends_nothing(report, officer, reviewer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(reporting.ReportingError):
        reporting.monthly_report_approve(report=report, actor=reviewer)  # still a draft

    assert not Notification.objects.exists()


def test_the_notice_is_emailed_to_recipients_with_an_address(
        report, officer, reviewer, django_capture_on_commit_callbacks, settings):
    settings.PORTAL_BASE_URL = "https://pm.example.gov.cn"
    submit(report, officer, django_capture_on_commit_callbacks)

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["reviewer@example.gov.cn"]
    assert message.subject == "[泉州物业监管] 鲤中街道2024年5月月报已上报，请审核"
    assert f"https://pm.example.gov.cn/reports/{report.street.code}/2024-05/" in message.body
    assert Notification.objects.get().email_state == EmailState.SENT
