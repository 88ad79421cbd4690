"""Submitting: the completeness check before the confirmation, and withdrawing until the review."""
import re

import pytest
from django.urls import reverse

from notifications.models import Notification, NoticeKind
from reporting.models import MonthlyRecord, MonthlyReport, ReportState
from reporting.services import (
    ReportingError,
    monthly_records_save,
    monthly_report_approve,
    monthly_report_submit,
    monthly_report_withdraw,
)
from tests.factories import StreetFactory, district_staff, street_officer

from .conftest import PERIOD, row

pytestmark = pytest.mark.django_db


def url(name, street, **kwargs):
    return reverse(f"reporting:{name}", kwargs={"street_code": street.code, "period": PERIOD, **kwargs})


def save(report, officer, *rows):
    monthly_records_save(report=report, rows=list(rows), actor=officer, expected_version=report.version, source="t")
    report.refresh_from_db()
    return report


def checked_version(page: str) -> str:
    return re.search(r'<input type="hidden" name="version" value="(\d+)">', page)[1]


def test_the_check_lists_compounds_without_data_and_unexplained_flags(client, report, officer):
    save(report, officer, row("C0001", petitions=30))
    MonthlyRecord.objects.filter(compound__code="C0001").update(flags=[
        {"field": "petitions", "value": "30", "message": "信访件数 30 远高于近6个月中位数 2", "explanation": ""}])
    client.force_login(officer)

    page = client.get(url("submit_check", report.street)).content.decode()

    assert 'data-testid="missing-count">1<' in page and "温陵小区（C0002）" in page
    assert 'data-testid="unexplained-count">1<' in page and "信访件数 30 远高于近6个月中位数 2" in page
    assert "确认按现有数据上报" in page
    assert MonthlyReport.objects.get(pk=report.pk).state == ReportState.DRAFT  # looking submits nothing


def test_an_explained_flag_is_not_listed(client, report, officer):
    save(report, officer, row("C0001", petitions=30), row("C0002", petitions=1))
    MonthlyRecord.objects.filter(compound__code="C0001").update(flags=[
        {"field": "petitions", "value": "30", "message": "信访件数 异常", "explanation": "集中投诉"}])
    client.force_login(officer)
    page = client.get(url("submit_check", report.street)).content.decode()
    assert "所有在管小区均已填报，异常数值均已说明" in page and "信访件数 异常" not in page


def test_confirming_submits_the_checked_version_and_tells_the_district(client, report, officer, reviewer,
                                                                       django_capture_on_commit_callbacks):
    save(report, officer, row("C0001", petitions=1))
    client.force_login(officer)
    version = checked_version(client.get(url("submit_check", report.street)).content.decode())

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("action", report.street, action="submit"), {"version": version}, follow=True)

    assert "月报已上报" in response.content.decode()
    assert MonthlyReport.objects.get(pk=report.pk).state == ReportState.SUBMITTED
    assert Notification.objects.filter(recipient=reviewer, kind=NoticeKind.REPORT_SUBMITTED).exists()


def test_a_report_changed_after_its_check_is_not_submitted(client, report, officer):
    save(report, officer, row("C0001", petitions=1))
    client.force_login(officer)
    version = checked_version(client.get(url("submit_check", report.street)).content.decode())
    save(report, officer, row("C0002", petitions=2))  # a colleague saves meanwhile

    response = client.post(url("action", report.street, action="submit"), {"version": version}, follow=True)

    assert "月报在完整性检查后已被修改，请重新检查后再上报" in response.content.decode()
    assert MonthlyReport.objects.get(pk=report.pk).state == ReportState.DRAFT


def test_the_reports_page_leads_to_the_check_not_straight_to_submission(client, report, officer):
    save(report, officer, row("C0001", petitions=1))
    client.force_login(officer)
    page = client.get(url("report", report.street)).content.decode()
    assert f'href="{url("submit_check", report.street)}" data-testid="submit-report"' in page


def test_the_district_may_not_open_the_check_or_submit(client, report, officer, reviewer):
    save(report, officer, row("C0001", petitions=1))
    client.force_login(reviewer)
    assert client.get(url("report", report.street)).status_code == 200  # reads the report
    assert client.get(url("submit_check", report.street)).status_code == 403
    assert client.post(url("action", report.street, action="submit"), {"version": report.version}).status_code == 403
    assert MonthlyReport.objects.get(pk=report.pk).state == ReportState.DRAFT


def test_another_streets_officer_does_not_see_the_check(client, report, officer, other_street):
    save(report, officer, row("C0001", petitions=1))
    client.force_login(street_officer(other_street))
    assert client.get(url("submit_check", report.street)).status_code == 404


def test_a_submitted_report_goes_back_to_the_report_page(client, report, officer):
    monthly_report_submit(report=save(report, officer, row("C0001", petitions=1)), actor=officer)
    client.force_login(officer)
    response = client.get(url("submit_check", report.street))
    assert response.status_code == 302 and response.url == url("report", report.street)


# --- withdrawing -----------------------------------------------------------------------------------

@pytest.fixture
def submitted(report, officer):
    return monthly_report_submit(report=save(report, officer, row("C0001", petitions=1)), actor=officer)


def test_the_officer_withdraws_a_submitted_report_and_may_edit_it_again(client, submitted, officer):
    client.force_login(officer)
    page = client.get(url("report", submitted.street)).content.decode()
    assert 'data-testid="withdraw-report"' in page

    response = client.post(url("action", submitted.street, action="withdraw"), follow=True)

    assert "月报已撤回" in response.content.decode()
    report = MonthlyReport.objects.get(pk=submitted.pk)
    assert report.state == ReportState.DRAFT
    assert report.transitions.last().reason == "街道撤回"
    save(report, officer, row("C0002", petitions=2))
    assert MonthlyRecord.objects.filter(report=report).count() == 2


def test_a_reviewed_report_cannot_be_withdrawn(submitted, officer, reviewer):
    monthly_report_approve(report=submitted, actor=reviewer)
    with pytest.raises(ReportingError, match="已审核"):
        monthly_report_withdraw(report=submitted, actor=officer)
    assert MonthlyReport.objects.get(pk=submitted.pk).state == ReportState.APPROVED


def test_the_district_may_not_withdraw_a_streets_report(client, submitted, reviewer):
    client.force_login(reviewer)
    page = client.get(url("report", submitted.street)).content.decode()
    assert 'data-testid="withdraw-report"' not in page
    assert client.post(url("action", submitted.street, action="withdraw")).status_code == 403
    assert MonthlyReport.objects.get(pk=submitted.pk).state == ReportState.SUBMITTED


def test_another_streets_officer_may_not_withdraw(client, submitted):
    client.force_login(street_officer(StreetFactory(district=submitted.street.district)))
    assert client.post(url("action", submitted.street, action="withdraw")).status_code == 404
    assert MonthlyReport.objects.get(pk=submitted.pk).state == ReportState.SUBMITTED


def test_another_districts_staff_see_nothing(client, submitted):
    client.force_login(district_staff(StreetFactory().district))
    assert client.get(url("report", submitted.street)).status_code == 404
