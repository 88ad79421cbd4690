import pytest

from reporting.models import MonthlyRecord, MonthlyReport, ReportState
from tests.browser import sign_in
from tests.factories import CommunityFactory, CompoundFactory, StreetFactory, district_staff, street_officer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_fills_grid_and_submits_then_district_approves(page, screenshot):
    street = StreetFactory(name="鲤中街道")
    community = CommunityFactory(street=street)
    CompoundFactory(community=community, code="C0001", name="泉秀花园")
    CompoundFactory(community=community, code="C0002", name="温陵小区")
    street_officer(street, username="lizhong_officer")
    district_staff(street.district, username="licheng_reviewer")

    sign_in(page, "lizhong_officer")
    assert page.get_by_test_id("report-state").inner_text() == "草稿"
    screenshot("reporting-officer-home")
    page.get_by_role("link", name="网格填报").first.click()
    page.get_by_label("泉秀花园 信访件数").fill("3")
    page.get_by_label("温陵小区 三方议事会议次数").fill("4")
    screenshot("reporting-grid-filled")
    page.get_by_test_id("save-grid").click()
    assert "已保存 2 个小区的数据" in page.locator(".messages").inner_text()
    page.get_by_role("link", name="返回月报").click()
    page.get_by_test_id("submit-report").click()
    assert page.get_by_test_id("reported-count").inner_text() == "2"
    page.get_by_test_id("confirm-submit").click()
    assert page.get_by_test_id("report-state").inner_text() == "已上报"
    screenshot("reporting-submitted")
    page.get_by_role("button", name="退出").click()

    sign_in(page, "licheng_reviewer")
    page.get_by_role("link", name="月报审核：待审核的街道月报").click()
    assert "鲤中街道" in page.locator("table.queue").inner_text()
    screenshot("reporting-review-queue")
    page.get_by_role("link", name="查看审核").click()
    page.get_by_test_id("approve-report").click()
    assert "月报已审核通过" in page.locator(".messages").inner_text()
    screenshot("reporting-approved")

    report = MonthlyReport.objects.get(street=street)
    assert report.state == ReportState.APPROVED
    assert MonthlyRecord.objects.get(compound__code="C0001").petitions == 3
    assert MonthlyRecord.objects.get(compound__code="C0002").weekly_meetings == 4
    assert page.console_errors == []
