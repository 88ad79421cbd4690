"""The reviewer's side: a report's page shows every compound's figures beside last month's, the flags
with their reason and explanation, and the totals; reports without flags are approved in bulk."""
import pytest
from django.urls import reverse

from reporting.models import MonthlyRecord, MonthlyReport, ReportState
from reporting.periods import add_months
from reporting.services import monthly_records_save, monthly_report_get_or_create, monthly_report_submit
from tests.factories import CommunityFactory, CompoundFactory, StreetFactory, district_staff, street_officer

from .conftest import PERIOD, row

pytestmark = pytest.mark.django_db

QUEUE, BULK = reverse("reporting:review_queue"), reverse("reporting:review_approve")


def report_url(street):
    return reverse("reporting:report", kwargs={"street_code": street.code, "period": PERIOD})


def save(report, officer, *rows):
    monthly_records_save(report=report, rows=list(rows), actor=officer, expected_version=report.version, source="t")
    report.refresh_from_db()
    return report


def submitted(street, officer, *rows):
    report = save(monthly_report_get_or_create(street=street, period=PERIOD), officer, *rows)
    return monthly_report_submit(report=report, actor=officer)


def test_reviewer_sees_every_compounds_figures_beside_last_months(client, report, officer, reviewer, street):
    april = monthly_report_get_or_create(street=street, period=add_months(PERIOD, -1))
    save(april, officer, row("C0001", petitions=17, fees_due="5000", fees_collected="4200"))
    save(report, officer, row("C0001", petitions=3, fees_due="5000", fees_collected="4800"))
    monthly_report_submit(report=report, actor=officer)
    client.force_login(reviewer)

    page = client.get(report_url(street)).content.decode()

    figures = page[page.index('data-testid="report-figures"'):page.index("</table>", page.index('data-testid="report-figures"'))]
    assert "泉秀花园" in figures and "温陵小区" in figures
    assert '<span class="value">3</span><small class="previous">上月 17</small>' in figures
    assert '<span class="value">4800</span><small class="previous">上月 4200</small>' in figures
    assert "未填报" in figures  # 温陵小区 has no data this month


def test_totals_sum_the_streets_compounds_for_both_months(client, report, officer, reviewer, street):
    april = monthly_report_get_or_create(street=street, period=add_months(PERIOD, -1))
    save(april, officer, row("C0001", petitions=1), row("C0002", petitions=2))
    save(report, officer, row("C0001", petitions=4, public_revenue_disclosed="是"), row("C0002", petitions=5))
    client.force_login(reviewer)

    page = client.get(report_url(street)).content.decode()

    totals = page[page.index('data-testid="report-totals"'):]
    cells = totals[:totals.index("</tr>")].split("<td")
    petitions = cells[3]  # the third field's cell: 信访件数
    assert '<span class="value">9</span>' in petitions and "上月 3" in petitions
    assert "1 个已公示" in totals


def test_flags_show_their_reason_and_the_officers_explanation(client, report, officer, reviewer, street):
    save(report, officer, row("C0001", petitions=1))
    MonthlyRecord.objects.filter(compound__code="C0001").update(flags=[
        {"field": "petitions", "value": "1", "median": "9", "message": "信访件数 1 远低于近6个月中位数 9",
         "explanation": "本月集中化解了积案"}])
    client.force_login(reviewer)

    page = client.get(report_url(street)).content.decode()

    assert page.count("信访件数 1 远低于近6个月中位数 9") == 2  # the flag list and the cell
    assert page.count("本月集中化解了积案") == 2


def test_an_unexplained_flag_says_so(client, report, officer, reviewer, street):
    save(report, officer, row("C0001", petitions=1))
    MonthlyRecord.objects.filter(compound__code="C0001").update(flags=[
        {"field": "petitions", "value": "1", "median": "9", "message": "信访件数 1 远低于近6个月中位数 9"}])
    client.force_login(reviewer)
    assert "未说明" in client.get(report_url(street)).content.decode()


def test_reviewer_approves_and_returns_from_the_report_page(client, report, officer, reviewer, street):
    save(report, officer, row("C0001", petitions=1))
    monthly_report_submit(report=report, actor=officer)
    report.refresh_from_db()
    client.force_login(reviewer)
    page = client.get(report_url(street)).content.decode()
    assert 'data-testid="approve-report"' in page and 'data-testid="return-report"' in page

    client.post(reverse("reporting:action", kwargs={"street_code": street.code, "period": PERIOD, "action": "return"}),
                {"version": report.version, "reason": "C0002 未填报"})
    assert MonthlyReport.objects.get(pk=report.pk).state == ReportState.DRAFT


def test_officer_sees_the_figures_but_no_review_buttons(client, report, officer, street):
    save(report, officer, row("C0001", petitions=1))
    monthly_report_submit(report=report, actor=officer)
    client.force_login(officer)
    page = client.get(report_url(street)).content.decode()
    assert 'data-testid="report-figures"' in page and 'data-testid="approve-report"' not in page


def test_figures_are_paged_in_a_bounded_number_of_queries(client, report, officer, reviewer, community,
                                                          django_assert_max_num_queries):
    CompoundFactory.create_batch(120, community=community)
    client.force_login(reviewer)
    with django_assert_max_num_queries(17):
        page = client.get(report_url(report.street)).content.decode()
    assert "第 1 / 3 页" in page


# --- approving several reports from the queue --------------------------------------------------

@pytest.fixture
def two_clean_reports(street, officer, compounds):
    other = StreetFactory(district=street.district, name="江南街道")
    CompoundFactory(community=CommunityFactory(street=other), code="J0001")
    first = submitted(street, officer, row("C0001", petitions=1))
    second = submitted(other, street_officer(other), row("J0001", petitions=2))
    return first, second


def bulk_post(*reports, versions=None):
    data = {"report": [report.pk for report in reports]}
    data.update({f"version_{report.pk}": (versions or {}).get(report.pk, report.version) for report in reports})
    return data


def test_reports_without_flags_are_approved_together_from_the_queue(client, reviewer, two_clean_reports):
    client.force_login(reviewer)
    queue = client.get(QUEUE).content.decode()
    assert queue.count('name="report"') == 2

    response = client.post(BULK, bulk_post(*two_clean_reports), follow=True)

    assert "已审核通过 2 份月报" in response.content.decode()
    assert {report.state for report in MonthlyReport.objects.all()} == {ReportState.APPROVED}


def test_a_flagged_report_is_refused_in_bulk_and_the_others_go_through(client, reviewer, two_clean_reports):
    first, second = two_clean_reports
    MonthlyRecord.objects.filter(report=first).update(flags=[{"field": "petitions", "message": "信访件数 异常"}])
    client.force_login(reviewer)
    assert client.get(QUEUE).content.decode().count('name="report"') == 1  # no box for the flagged one

    response = client.post(BULK, bulk_post(first, second), follow=True)

    assert "请打开月报逐份审核" in response.content.decode()
    assert MonthlyReport.objects.get(pk=first.pk).state == ReportState.SUBMITTED
    assert MonthlyReport.objects.get(pk=second.pk).state == ReportState.APPROVED


def test_a_report_changed_since_the_queue_was_shown_is_refused(client, reviewer, two_clean_reports):
    first, second = two_clean_reports
    client.force_login(reviewer)

    response = client.post(BULK, bulk_post(first, second, versions={first.pk: first.version - 1}), follow=True)

    assert "在您查看后已被修改" in response.content.decode()
    assert MonthlyReport.objects.get(pk=first.pk).state == ReportState.SUBMITTED
    assert MonthlyReport.objects.get(pk=second.pk).state == ReportState.APPROVED


def test_another_districts_staff_approve_nothing_in_bulk(client, two_clean_reports):
    outsider = district_staff(StreetFactory().district)
    client.force_login(outsider)
    assert client.get(QUEUE).status_code == 200  # their own (empty) queue

    client.post(BULK, bulk_post(*two_clean_reports))

    assert {report.state for report in MonthlyReport.objects.all()} == {ReportState.SUBMITTED}


def test_a_street_officer_may_not_approve_in_bulk(client, officer, two_clean_reports):
    client.force_login(officer)
    assert client.post(BULK, bulk_post(*two_clean_reports)).status_code == 403
    assert client.get(report_url(officer.street)).status_code == 200  # reads their own report
    assert {report.state for report in MonthlyReport.objects.all()} == {ReportState.SUBMITTED}


def test_bulk_approval_with_nothing_ticked_says_so(client, reviewer, two_clean_reports):
    client.force_login(reviewer)
    response = client.post(BULK, {"report": ["x"]}, follow=True)
    assert "请先勾选" in response.content.decode()
