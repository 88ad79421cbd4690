import pytest
from django.urls import reverse

from reporting.models import MonthlyReport, MonthlyUpload, ReportState, UploadStatus
from reporting.services import monthly_records_save, monthly_report_submit

from .conftest import row

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(report, officer):
    monthly_records_save(report=report, rows=[row("C0001", petitions=1)], actor=officer, expected_version=1, source="t")
    return monthly_report_submit(report=report, actor=officer)


def test_admin_approve_action_goes_through_the_service(client, submitted, city):
    city.is_staff = city.is_superuser = True
    city.save()
    client.force_login(city)
    client.post(reverse("admin:reporting_monthlyreport_changelist"),
                {"action": "approve", "_selected_action": [submitted.pk]})
    report = MonthlyReport.objects.get(pk=submitted.pk)
    assert report.state == ReportState.APPROVED and report.transitions.last().actor == city


def test_admin_records_are_read_only_and_listed(client, submitted, city):
    city.is_staff = city.is_superuser = True
    city.save()
    client.force_login(city)
    record = submitted.records.get()
    assert client.get(reverse("admin:reporting_monthlyrecord_changelist")).status_code == 200
    page = client.get(reverse("admin:reporting_monthlyrecord_change", args=[record.pk])).content.decode()
    assert 'name="petitions"' not in page


def test_admin_lists_uploads_read_only_with_street_period_status_and_uploader(client, report, officer, city):
    upload = MonthlyUpload.objects.create(report=report, uploaded_by=officer, path="reporting/uploads/a.xlsx",
                                          expected_version=1, status=UploadStatus.FAILED, message="该月报已被他人修改")
    city.is_staff = city.is_superuser = True
    city.save()
    client.force_login(city)
    page = client.get(reverse("admin:reporting_monthlyupload_changelist")).content.decode()
    assert report.street.name in page and "2024-05" in page and "失败" in page and officer.username in page
    detail = client.get(reverse("admin:reporting_monthlyupload_change", args=[upload.pk])).content.decode()
    assert 'name="status"' not in detail and "reporting/uploads/a.xlsx" not in detail
    assert client.get(reverse("admin:reporting_monthlyupload_add")).status_code == 403
