import pytest
from django.urls import reverse

from reporting.models import MonthlyReport, ReportState
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
