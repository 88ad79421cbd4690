"""Monthly data over the API: saving within scope, the workflow actions, their errors, and the feeds."""
import pytest

from reporting.models import MonthlyRecord, MonthlyReport, ReportState
from reporting.services import (
    monthly_records_save,
    monthly_report_approve,
    monthly_report_return_to_draft,
    monthly_report_submit,
)
from tests.api_clients import codes, results, session_client, token_client
from tests.factories import StreetFactory, district_staff, street_officer

from .conftest import row

pytestmark = pytest.mark.django_db

FIGURES = {"weekly_meetings": 4, "petitions": 1, "hotline_received": 3, "hotline_resolved": 2,
           "fees_due": "1000.00", "fees_collected": "900.50", "evaluation_score": "92.5"}


def create(client, street, compounds, **figures):
    return client.post("/api/v1/monthly-reports/", {
        "street": street.code, "period": "2024-05",
        "records": [{"compound": c.code, **(figures or FIGURES)} for c in compounds]}, format="json")


def test_officer_creates_a_report_with_rows(street, compounds, officer):
    response = create(token_client(officer, can_write=True), street, compounds)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["period"] == "2024-05" and body["state"] == "draft" and body["version"] == 2
    assert [r["compound"] for r in body["records"]] == ["C0001", "C0002"]
    assert body["records"][0]["fees_collected"] == 900.5
    assert MonthlyRecord.objects.get(compound=compounds[0]).history.first().history_change_reason == "api"


def test_invalid_figures_save_nothing_and_name_the_cell(street, compounds, officer):
    bad = {**FIGURES, "hotline_resolved": 9}
    response = create(token_client(officer, can_write=True), street, compounds[:1], **bad)
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == "records.C0001.hotline_resolved"
    assert "不能大于" in body["message"]
    assert not MonthlyRecord.objects.exists()


def test_wrong_json_type_is_refused_before_the_service(street, compounds, officer):
    response = create(token_client(officer, can_write=True), street, compounds[:1], weekly_meetings="many")
    assert response.status_code == 400
    assert response.json()["field"] == "records.0.weekly_meetings"


def test_read_only_token_cannot_save(street, compounds, officer):
    assert create(token_client(officer), street, compounds).status_code == 403


def test_other_streets_officer_cannot_even_name_the_street(street, compounds):
    other = street_officer(StreetFactory())
    response = create(token_client(other, can_write=True), street, compounds)
    assert response.status_code == 400
    assert response.json()["field"] == "street"


def test_district_staff_see_the_street_but_may_not_enter_data(street, compounds, reviewer):
    response = create(token_client(reviewer, can_write=True), street, compounds)
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


def test_patch_with_a_stale_version_is_a_409(report, compounds, officer):
    client = token_client(officer, can_write=True)
    rows = {"records": [{"compound": "C0001", "weekly_meetings": 2}]}
    assert client.patch(f"/api/v1/monthly-reports/{report.pk}/", {**rows, "version": 1}, format="json").status_code == 200
    response = client.patch(f"/api/v1/monthly-reports/{report.pk}/", {**rows, "version": 1}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "stale_version"


def test_workflow_actions_follow_the_services_rules(report, compounds, officer, reviewer, city):
    monthly_records_save(report=report, rows=[row("C0001", weekly_meetings=1)], actor=officer,
                         expected_version=report.version, source="test")
    street_client, district_client = token_client(officer, can_write=True), token_client(reviewer, can_write=True)
    url = f"/api/v1/monthly-reports/{report.pk}"
    assert district_client.post(f"{url}/approve/").status_code == 409  # still a draft
    assert street_client.post(f"{url}/submit/").json()["state"] == "submitted"
    assert street_client.post(f"{url}/approve/").status_code == 403  # a street does not approve itself
    returned = district_client.post(f"{url}/return/", {"reason": "数据有误"}, format="json")
    assert returned.json()["state"] == "draft"
    assert street_client.post(f"{url}/submit/").status_code == 200
    assert district_client.post(f"{url}/approve/").json()["state"] == "approved"
    assert district_client.post(f"{url}/reopen/", {"reason": "复核"}, format="json").status_code == 403
    city_client = token_client(city, can_write=True)
    assert city_client.post(f"{url}/lock/").json()["state"] == "locked"
    assert city_client.post(f"{url}/reopen/", {"reason": "复核"}, format="json").json()["state"] == "draft"


def test_return_needs_a_reason(report, compounds, officer, reviewer):
    monthly_records_save(report=report, rows=[row("C0001", weekly_meetings=1)], actor=officer,
                         expected_version=report.version, source="test")
    monthly_report_submit(report=report, actor=officer)
    response = token_client(reviewer, can_write=True).post(f"/api/v1/monthly-reports/{report.pk}/return/", {},
                                                           format="json")
    assert response.status_code == 400 and response.json()["field"] == "reason"


def resubmitted_after_review(report, officer, reviewer) -> int:
    """The version a reviewer read before a colleague returned the report and the street resubmitted it."""
    monthly_records_save(report=report, rows=[row("C0001", weekly_meetings=1)], actor=officer,
                         expected_version=report.version, source="test")
    monthly_report_submit(report=report, actor=officer)
    seen = token_client(reviewer).get(f"/api/v1/monthly-reports/{report.pk}/").json()["version"]
    monthly_report_return_to_draft(report=report, actor=district_staff(report.street.district), reason="补充")
    monthly_records_save(report=report, rows=[row("C0002", petitions=4)], actor=officer,
                         expected_version=report.version, source="test")
    monthly_report_submit(report=report, actor=officer)
    return seen


@pytest.mark.parametrize("action, body", [("approve", {}), ("return", {"reason": "数据有误"})])
def test_a_review_with_a_version_older_than_the_report_is_a_409_and_changes_nothing(
        report, compounds, officer, reviewer, action, body):
    seen = resubmitted_after_review(report, officer, reviewer)
    current = MonthlyReport.objects.get(pk=report.pk).version
    client = token_client(reviewer, can_write=True)
    response = client.post(f"/api/v1/monthly-reports/{report.pk}/{action}/", {**body, "version": seen}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "stale_version"
    assert response.json()["message"] == "该月报在您查看后已被修改，请刷新后重新审核"
    unchanged = MonthlyReport.objects.get(pk=report.pk)
    assert (unchanged.state, unchanged.version) == (ReportState.SUBMITTED, current)
    accepted = client.post(f"/api/v1/monthly-reports/{report.pk}/{action}/", {**body, "version": current},
                           format="json")
    assert accepted.status_code == 200
    assert accepted.json()["state"] == ("approved" if action == "approve" else "draft")


def test_a_review_without_a_version_is_not_checked(report, compounds, officer, reviewer):
    resubmitted_after_review(report, officer, reviewer)
    response = token_client(reviewer, can_write=True).post(f"/api/v1/monthly-reports/{report.pk}/approve/")
    assert response.status_code == 200 and response.json()["state"] == "approved"


def test_a_review_version_must_be_a_number(report, compounds, officer, reviewer):
    resubmitted_after_review(report, officer, reviewer)
    response = token_client(reviewer, can_write=True).post(f"/api/v1/monthly-reports/{report.pk}/approve/",
                                                           {"version": "v7"}, format="json")
    assert response.status_code == 400 and response.json()["field"] == "version"


def test_reports_of_another_street_are_404(report):
    other = street_officer(StreetFactory())
    client = token_client(other, can_write=True)
    assert client.get(f"/api/v1/monthly-reports/{report.pk}/").status_code == 404
    assert client.post(f"/api/v1/monthly-reports/{report.pk}/submit/").status_code == 404


def test_read_only_token_gets_403_on_actions(report, officer):
    assert token_client(officer).post(f"/api/v1/monthly-reports/{report.pk}/submit/").status_code == 403


def test_record_is_created_and_patched_one_compound_at_a_time(street, compounds, officer):
    client = token_client(officer, can_write=True)
    created = client.post("/api/v1/monthly-records/", {"compound": "C0002", "period": "2024-05", **FIGURES},
                          format="json")
    assert created.status_code == 201, created.content
    record_id = created.json()["id"]
    patched = client.patch(f"/api/v1/monthly-records/{record_id}/", {"petitions": 5}, format="json")
    assert patched.status_code == 200
    assert patched.json()["petitions"] == 5 and patched.json()["weekly_meetings"] == 4


def test_record_of_a_submitted_report_cannot_be_changed(report, compounds, officer):
    monthly_records_save(report=report, rows=[row("C0001", weekly_meetings=1)], actor=officer,
                         expected_version=report.version, source="test")
    monthly_report_submit(report=report, actor=officer)
    record = MonthlyRecord.objects.get()
    response = token_client(officer, can_write=True).patch(f"/api/v1/monthly-records/{record.pk}/",
                                                           {"petitions": 1}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "rejected"


def test_records_feed_filters_by_period_range_state_and_area(report, compounds, officer, reviewer):
    monthly_records_save(report=report, rows=[row("C0001", weekly_meetings=1), row("C0002", petitions=2)],
                         actor=officer, expected_version=report.version, source="test")
    client = session_client(reviewer)
    assert len(results(client.get("/api/v1/monthly-records/", {"period_from": "2024-01", "period_to": "2024-05"}))) == 2
    assert results(client.get("/api/v1/monthly-records/", {"period": "2024-04"})) == []
    assert results(client.get("/api/v1/monthly-records/", {"state": "approved"})) == []
    assert codes(client.get("/api/v1/monthly-records/", {"compound": "C0002"}), "compound") == ["C0002"]
    monthly_report_submit(report=report, actor=officer)
    monthly_report_approve(report=report, actor=reviewer)
    assert len(results(client.get("/api/v1/monthly-records/", {"state": "approved",
                                                                "area": report.street.district.code}))) == 2


def test_bad_period_names_the_filter(officer):
    response = token_client(officer).get("/api/v1/monthly-records/", {"period": "2024/5"})
    assert response.status_code == 400 and response.json()["field"] == "period"


def test_records_of_other_streets_are_invisible(report, compounds, officer):
    monthly_records_save(report=report, rows=[row("C0001", weekly_meetings=1)], actor=officer,
                         expected_version=report.version, source="test")
    other = token_client(street_officer(StreetFactory()))
    assert results(other.get("/api/v1/monthly-records/")) == []
    assert other.get(f"/api/v1/monthly-records/{MonthlyRecord.objects.get().pk}/").status_code == 404


def test_report_list_and_record_feed_cost_bounded_queries(report, compounds, officer, django_assert_max_num_queries):
    monthly_records_save(report=report, rows=[row(c.code, weekly_meetings=1) for c in compounds], actor=officer,
                         expected_version=report.version, source="test")
    client = token_client(officer)
    with django_assert_max_num_queries(4):
        assert len(results(client.get("/api/v1/monthly-reports/"))) == 1
    with django_assert_max_num_queries(4):
        assert len(results(client.get("/api/v1/monthly-records/"))) == 2
    assert report.state == ReportState.DRAFT
