"""The whole month in headless Chromium on the embedded default (SQLite, eager tasks, the in-process
beat): the officer fills the grid copying last month and explains a flagged value, checks and
submits; the district is told, reads the figures and returns the report; the officer fixes and
resubmits; the district approves; within a minute the street's dashboard shows the new value."""
import time

import pytest
from playwright.sync_api import expect

from reporting.models import MonthlyRecord, MonthlyReport, ReportState
from notifications.models import Notification
from reporting.periods import add_months, latest_due_month, month_label
from reporting.services import (
    monthly_records_save,
    monthly_report_approve,
    monthly_report_get_or_create,
    monthly_report_submit,
)
from reporting.validation import RowInput
from tests.browser import sign_in
from tests.factories import CommunityFactory, CompoundFactory, StreetFactory, district_staff, street_officer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def embedded_default(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.EAGER_BEAT = True  # as scripts/demo.sh runs: no broker, so the web process stands in for beat
    return settings


def sign_out(page):
    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state()


def cell(page, compound, field):
    return page.get_by_label(f"{compound} {field}", exact=True)


@pytest.fixture
def month(embedded_default):
    """鲤中街道 with three compounds; last month approved for two of them, 泉秀花园 with two petitions a
    month for the months before, so thirty is flagged."""
    period = latest_due_month()
    street = StreetFactory(name="鲤中街道")
    community = CommunityFactory(street=street)
    for code, name in (("C0001", "泉秀花园"), ("C0002", "温陵小区"), ("C0003", "新门小区")):
        CompoundFactory(community=community, code=code, name=name)
    officer = street_officer(street, username="lizhong_officer")
    reviewer = district_staff(street.district, username="licheng_reviewer")
    for months_back in range(1, 5):
        previous = add_months(period, -months_back)
        report = monthly_report_get_or_create(street=street, period=previous)
        monthly_records_save(report=report, actor=officer, expected_version=report.version, source="t", rows=[
            RowInput("C0001", {"weekly_meetings": 4, "petitions": 2, "hotline_received": 3, "hotline_resolved": 3}),
            RowInput("C0002", {"weekly_meetings": 2, "petitions": 1})])
        report = monthly_report_submit(report=report, actor=officer)
        monthly_report_approve(report=report, actor=reviewer)
    Notification.objects.all().delete()  # the notices of those months are read and gone
    return street, period


def test_the_whole_month_from_the_grid_to_the_dashboard(page, screenshot, month):
    street, period = month
    report_path = f"/reports/{street.code}/{period:%Y-%m}/"

    # 1. The officer fills the grid: last month copied into the empty cells, one value changed.
    sign_in(page, "lizhong_officer")
    page.goto(report_path)
    page.get_by_role("link", name="网格填报").first.click()
    page.get_by_test_id("copy-previous").click()
    # The copy is fetched: wait for the grid to say it is done before reading the cells.
    expect(page.locator("#grid-status")).to_contain_text("请逐一核对")
    assert cell(page, "泉秀花园", "三方议事会议次数").input_value() == "4"
    assert cell(page, "新门小区", "三方议事会议次数").input_value() == ""  # no data last month
    assert page.locator("td.copied").count() >= 6
    cell(page, "泉秀花园", "信访件数").fill("30")
    # The check as one types: more resolved than received is caught before saving.
    cell(page, "泉秀花园", "12345物业诉求办结件数").fill("5")
    expect(page.locator("td.invalid .cell-error").first).to_contain_text("不能大于12345物业诉求受理件数")
    cell(page, "泉秀花园", "12345物业诉求办结件数").fill("3")
    expect(page.locator("td.invalid")).to_have_count(0)
    screenshot("month-01-grid-copied")

    # Leaving with unsaved changes asks first; staying keeps what was typed.
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    page.get_by_role("link", name="返回月报").click()
    assert dialogs == ["beforeunload"]
    assert cell(page, "泉秀花园", "信访件数").input_value() == "30"

    page.get_by_test_id("save-grid").click()
    assert "已保存 2 个小区的数据" in page.locator(".messages").inner_text()
    flagged = page.locator("td.flagged")
    assert "信访件数 30 远高于近6个月中位数 2" in flagged.first.inner_text()
    page.get_by_label("泉秀花园 信访件数 说明").fill("外墙脱落，业主集中投诉")
    page.get_by_test_id("save-grid").click()
    assert "已保存 1 个小区的数据" in page.locator(".messages").inner_text()
    screenshot("month-02-grid-explained")

    # 2. The completeness check, then the submission.
    page.get_by_role("link", name="返回月报").click()
    page.get_by_test_id("submit-report").click()
    assert page.get_by_test_id("missing-count").inner_text() == "1"
    assert "新门小区（C0003）" in page.get_by_test_id("completeness-check").locator("xpath=..").inner_text()
    assert page.get_by_test_id("unexplained-count").inner_text() == "0"
    screenshot("month-03-completeness-check")
    page.get_by_test_id("confirm-submit").click()
    assert page.get_by_test_id("report-state").inner_text() == "已上报"
    sign_out(page)

    # 3. The district is told, reads the figures and returns the report with a reason.
    sign_in(page, "licheng_reviewer")
    assert int(page.locator(".bell-count").inner_text()) >= 1
    page.locator("a.bell").click()
    notice = page.locator("ul.inbox li.unread", has_text=f"鲤中街道{month_label(period)}月报已上报，请审核")
    notice.get_by_role("button", name="查看").click()
    page.wait_for_load_state()
    assert page.url.split("?")[0].endswith(report_path)
    figures = page.get_by_test_id("report-figures")
    assert "泉秀花园" in figures.inner_text() and "上月 4" in figures.inner_text()
    assert "外墙脱落，业主集中投诉" in figures.inner_text()
    assert "全街道合计" in page.get_by_test_id("report-totals").inner_text()
    screenshot("month-04-review")
    page.fill("#return-reason", "新门小区未填报，请补报")
    page.get_by_test_id("return-report").click()
    assert "月报已退回" in page.locator(".messages").inner_text()
    sign_out(page)

    # 4. The officer fixes it and submits again.
    sign_in(page, "lizhong_officer")
    page.goto(report_path)
    assert page.get_by_test_id("report-state").inner_text() == "草稿"
    page.get_by_role("link", name="网格填报").first.click()
    cell(page, "新门小区", "三方议事会议次数").fill("1")
    page.get_by_test_id("save-grid").click()
    page.get_by_role("link", name="返回月报").click()
    page.get_by_test_id("submit-report").click()
    assert page.get_by_test_id("missing-count").inner_text() == "0"
    page.get_by_test_id("confirm-submit").click()
    assert page.get_by_test_id("report-state").inner_text() == "已上报"
    sign_out(page)

    # 5. The district approves.
    sign_in(page, "licheng_reviewer")
    page.goto(report_path)
    page.get_by_test_id("approve-report").click()
    assert "月报已审核通过" in page.locator(".messages").inner_text()
    assert MonthlyReport.objects.get(street=street, period=period).state == ReportState.APPROVED
    approved_at = time.monotonic()

    # 6. Within a minute, with no admin step, the street's dashboard shows all three compounds meeting.
    coverage = page.locator("article.kpi", has=page.get_by_role("link", name="议事协商覆盖率")).locator(".kpi-value")
    while True:
        page.goto(f"/dashboard/street/{street.code}/?period={period:%Y-%m}")
        if coverage.count() and coverage.inner_text().startswith("100.0%"):
            break
        assert time.monotonic() - approved_at < 60, "the dashboard did not update within a minute"
        time.sleep(2)
    screenshot("month-05-dashboard")
    assert MonthlyRecord.objects.filter(period=period).count() == 3
    assert page.console_errors == []
