"""The registry in headless Chromium, without the admin: a street officer adds a compound, records a
committee election with five members, changes a management mode from a past date and adds party
coverage; after the recompute the street's 业委会组建率 and 小区党组织覆盖率 of that month move on the
dashboard. District staff see it read-only; another street's officer is refused."""
import pytest

from communities.models import Compound, HousingType, ManagementMode
from communities.selectors import management_mode_on
from metrics.periods import add_months, current_period
from metrics.services import process_stale_street_months, recompute_month
from tests.factories import CommunityFactory, CompoundFactory, StreetFactory, district_staff, street_officer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "测试密码-Quanzhou-2024"
MEMBERS = [("张建国", "chair", True), ("李秀英", "vice_chair", True), ("王志强", "member", True),
           ("陈美玲", "member", False), ("林国华", "member", False)]


def sign_in(page, username):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def sign_out(page):
    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state()


def kpi(page, name: str) -> str:
    card = page.locator("article.kpi", has=page.get_by_role("link", name=name, exact=True))
    return card.locator(".kpi-value").inner_text().strip()


@pytest.fixture
def street_world(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # A month whose reports are due whatever the day of the month today.
    month = add_months(current_period(), -2)
    street = StreetFactory(name="东湖街道")
    community = CommunityFactory(street=street, name="浔美社区")
    first = CompoundFactory(community=community, name="东湖花园", active_from=add_months(month, -12))
    CompoundFactory(community=community, name="浔美新村", active_from=add_months(month, -12))
    recompute_month(period=month)
    street_officer(street, username="officer_registry")
    district_staff(street.district, username="district_registry")
    street_officer(StreetFactory(district=street.district), username="other_officer_registry")
    return {"street": street, "community": community, "first": first, "month": month}


def test_a_street_officer_keeps_the_registry_and_the_dashboard_follows(page, screenshot, street_world):
    street, month = street_world["street"], street_world["month"]
    dashboard = f"/dashboard/street/{street.code}/?period={month:%Y-%m}"
    sign_in(page, "officer_registry")
    page.goto(dashboard)
    before = {name: kpi(page, name) for name in ("业委会组建率", "小区党组织覆盖率")}
    assert before == {"业委会组建率": "0.0%", "小区党组织覆盖率": "0.0%"}

    page.get_by_role("link", name="小区登记").first.click()
    assert page.url.endswith(f"/registry/street/{street.code}/")
    screenshot("registry-01-street")

    # 1. A compound, its code proposed from the community's.
    page.get_by_test_id("add-compound").click()
    page.select_option("#id_community", label=f"浔美社区（{street_world['community'].code}）")
    page.fill("#id_name", "海景苑")
    page.fill("#id_address", "东湖街道海景路1号")
    page.fill("#id_households", "480")
    page.fill("#id_buildings", "8")
    page.select_option("#id_housing_type", HousingType.COMMODITY)
    page.select_option("#id_management_mode", ManagementMode.PROFESSIONAL)
    page.fill("#id_active_from", add_months(month, -6).isoformat())
    screenshot("registry-02-compound-form")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    assert "已登记小区 海景苑" in page.locator(".messages").inner_text()
    compound = Compound.objects.get(name="海景苑")
    assert compound.code.startswith(street_world["community"].code)

    # 2. The committee election with five members, validated as a whole.
    page.get_by_test_id("record-election").click()
    page.fill("#id_elected_on", month.replace(day=5).isoformat())
    for row, (name, role, party) in enumerate(MEMBERS):
        page.fill(f"#id_members-{row}-name", name)
        page.select_option(f"#id_members-{row}-role", role)
        if party:
            page.check(f"#id_members-{row}-is_party_member")
    screenshot("registry-03-election")
    page.get_by_role("button", name="保存选举结果").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("committee-status").inner_text() == "在任"
    assert page.get_by_test_id("members").locator("tbody tr").count() == 5

    # 3. Another compound's management mode changes from a past date.
    page.goto(f"/registry/compound/{street_world['first'].code}/")
    form = page.get_by_test_id("change-management_mode")
    form.locator("select").select_option(ManagementMode.STATE_TRUSTEESHIP)
    form.locator("input[type=date]").fill(month.replace(day=10).isoformat())
    form.get_by_role("button", name="变更").click()
    page.wait_for_load_state()
    assert "国企托管" in page.get_by_test_id("management-periods").inner_text()
    assert management_mode_on(street_world["first"], add_months(month, -1)) == ManagementMode.PROFESSIONAL
    screenshot("registry-04-mode-changed")

    # 4. A party organisation, then its coverage of the new compound from a date.
    page.goto(f"/registry/street/{street.code}/")
    page.get_by_test_id("add-party").click()
    page.fill("#id_code", f"{street.code}-DZB1")
    page.fill("#id_name", "海景苑党支部")
    page.select_option("#id_kind", "compound_branch")
    page.select_option("#id_form", "formal")
    page.fill("#id_established_on", month.replace(day=1).isoformat())
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    coverage = page.get_by_test_id("coverage-form")
    coverage.locator("select").select_option(label=f"海景苑（{compound.code}）")
    coverage.locator("input[type=date]").fill(month.replace(day=2).isoformat())
    coverage.get_by_role("button", name="添加").click()
    page.wait_for_load_state()
    assert "海景苑" in page.get_by_test_id("coverage").inner_text()
    screenshot("registry-05-party")

    # 5. The recompute the registry edits marked, then the month on the dashboard.
    process_stale_street_months(settle_seconds=0)
    page.goto(dashboard)
    assert kpi(page, "业委会组建率") == "33.3%"
    assert kpi(page, "小区党组织覆盖率") == "33.3%"
    screenshot("registry-06-dashboard-after")

    page.goto(f"/registry/street/{street.code}/")
    assert "海景苑" in page.get_by_test_id("compounds").inner_text()
    assert page.console_errors == []
    sign_out(page)

    # District staff read it, with no way to change it.
    sign_in(page, "district_registry")
    page.goto(f"/registry/street/{street.code}/")
    assert page.get_by_test_id("read-only").is_visible()
    assert "海景苑" in page.get_by_test_id("compounds").inner_text()
    assert page.get_by_test_id("add-compound").count() == 0
    page.goto(f"/registry/compound/{compound.code}/")
    assert page.get_by_test_id("change-management_mode").count() == 0
    screenshot("registry-07-district-read-only")
    sign_out(page)

    # Another street's officer is refused.
    sign_in(page, "other_officer_registry")
    response = page.goto(f"/registry/street/{street.code}/")
    assert response.status == 404
    response = page.goto(f"/registry/compound/{compound.code}/")
    assert response.status == 404
