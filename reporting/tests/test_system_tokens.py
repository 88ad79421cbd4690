"""Other systems' tokens (users with the API client role): they enter figures inside the street or
district they are limited to, and never move a report through the workflow. One with no area reads
city-wide and writes nothing. Every refusal leaves the report, its records and its history as they were.
"""
import pytest

from accounts.models import Role
from reporting.models import MonthlyRecord, MonthlyReport, ReportState
from reporting.services import (
    monthly_records_save,
    monthly_report_approve,
    monthly_report_lock,
    monthly_report_submit,
)
from tests.api_clients import token_client
from tests.factories import StreetFactory, UserFactory

from .conftest import row

pytestmark = pytest.mark.django_db


def system(**area):
    return UserFactory(role=Role.API_CLIENT, **area)


def fingerprint(street) -> tuple:
    """Everything a write could change: the street's reports, their records, transitions and history."""
    reports = MonthlyReport.objects.filter(street=street)
    return (
        list(reports.values_list("pk", "state", "version", "submitted_at", "approved_at", "locked_at")),
        list(MonthlyRecord.objects.filter(report__street=street).order_by("pk").values()),
        sum(report.transitions.count() for report in reports),
        MonthlyReport.history.filter(street=street).count(),
    )


@pytest.fixture
def report_in(report, compounds, officer, reviewer, city):
    """The report of `street` moved to a state: draft (with a row), submitted, approved or locked."""
    monthly_records_save(report=report, rows=[row("C0001", weekly_meetings=1)], actor=officer,
                         expected_version=report.version, source="test")

    def move(state: str) -> MonthlyReport:
        if state != ReportState.DRAFT:
            monthly_report_submit(report=report, actor=officer)
        if state in (ReportState.APPROVED, ReportState.LOCKED):
            monthly_report_approve(report=report, actor=reviewer)
        if state == ReportState.LOCKED:
            monthly_report_lock(report=report, actor=city)
        return MonthlyReport.objects.get(pk=report.pk)

    return move


TRANSITIONS = [
    ("submit", ReportState.DRAFT, {}),
    ("approve", ReportState.SUBMITTED, {}),
    ("return", ReportState.SUBMITTED, {"reason": "数据有误"}),
    ("lock", ReportState.APPROVED, {}),
    ("reopen", ReportState.APPROVED, {"reason": "复核"}),
    ("reopen", ReportState.LOCKED, {"reason": "复核"}),
]
SYSTEMS = {
    "no area": lambda street: system(),
    "its district": lambda street: system(district=street.district),
    "its street": lambda street: system(street=street),
}


@pytest.mark.parametrize("limited_to", SYSTEMS)
@pytest.mark.parametrize("action, state, body", TRANSITIONS)
def test_a_system_token_moves_no_report(street, report_in, limited_to, action, state, body):
    report = report_in(state)
    client = token_client(SYSTEMS[limited_to](street), can_write=True)
    before = fingerprint(street)

    response = client.post(f"/api/v1/monthly-reports/{report.pk}/{action}/", body, format="json")

    assert response.status_code == 403, response.content
    assert "接口调用系统" in response.json()["message"]
    assert fingerprint(street) == before


def writes(street, report, record):
    """Every way the API writes monthly figures, on `street`'s report: (method, url, body)."""
    figures = {"compound": "C0002", "weekly_meetings": 3}
    return [
        ("post", "/api/v1/monthly-reports/", {"street": street.code, "period": "2024-05", "records": [figures]}),
        ("patch", f"/api/v1/monthly-reports/{report.pk}/", {"records": [figures]}),
        ("post", "/api/v1/monthly-records/", {"period": "2024-05", **figures}),
        ("patch", f"/api/v1/monthly-records/{record.pk}/", {"weekly_meetings": 5}),
    ]


def test_a_system_with_no_area_reads_city_wide_and_writes_nothing(street, report_in):
    report = report_in(ReportState.DRAFT)
    record = report.records.get()
    client = token_client(system(), can_write=True)
    before = fingerprint(street)

    statuses = [getattr(client, method)(url, body, format="json").status_code
                for method, url, body in writes(street, report, record)]

    assert statuses == [403, 403, 403, 403]
    assert fingerprint(street) == before
    assert client.get(f"/api/v1/monthly-reports/{report.pk}/").status_code == 200


@pytest.mark.parametrize("limited_to", ["its district", "its street"])
def test_a_system_writes_the_figures_of_its_own_area(street, report_in, limited_to):
    report = report_in(ReportState.DRAFT)
    record = report.records.get()
    client = token_client(SYSTEMS[limited_to](street), can_write=True)

    statuses = [getattr(client, method)(url, body, format="json").status_code
                for method, url, body in writes(street, report, record)]

    assert statuses == [201, 200, 201, 200]
    assert MonthlyRecord.objects.get(report=report, compound__code="C0002").weekly_meetings == 3
    assert MonthlyRecord.objects.get(pk=record.pk).weekly_meetings == 5
    assert MonthlyReport.objects.get(pk=report.pk).state == ReportState.DRAFT


@pytest.mark.parametrize("limited_to", ["another district", "another street of its district"])
def test_a_system_writes_nothing_outside_its_area(street, report_in, limited_to):
    report = report_in(ReportState.DRAFT)
    record = report.records.get()
    other = StreetFactory() if limited_to == "another district" else StreetFactory(district=street.district)
    client = token_client(system(street=other) if "its district" in limited_to else system(district=other.district),
                          can_write=True)
    before = fingerprint(street)

    statuses = [getattr(client, method)(url, body, format="json").status_code
                for method, url, body in writes(street, report, record)]

    # What lies outside its area does not exist for it: the code is unknown (400), the object 404.
    assert statuses == [400, 404, 400, 404]
    assert fingerprint(street) == before


def test_a_signed_in_system_is_offered_no_review(client, street, report_in):
    report_in(ReportState.SUBMITTED)
    client.force_login(system(district=street.district))

    page = client.get(f"/reports/{street.code}/2024-05/")

    assert page.status_code == 200 and page.context["can_review"] is False
