"""Dashboards in headless Chromium: each role's landing page, charts drawn, drill-down, scope, screenshots."""
import datetime
from io import StringIO

import pytest
from django.core.management import call_command

from districts.models import District, Street
from metrics.periods import add_months
from metrics.services import recompute_range
from tests.factories import city_staff, district_staff, street_officer

# Each test starts again from the migration-loaded areas and indicators (root conftest).
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "测试密码-Quanzhou-2024"
TODAY = datetime.date(2026, 11, 22)
LATEST = datetime.date(2026, 10, 1)


@pytest.fixture
def demo_city(settings):
    """A small seeded Quanzhou with three months of values (September to November 2026's reports)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", "--compounds", "150", "--months", "3", "--today", TODAY.isoformat(), stdout=StringIO())
    recompute_range(first=add_months(LATEST, -2), last=LATEST)
    lizhong = Street.objects.select_related("district").get(name="鲤中街道")
    return {"street": lizhong, "district": lizhong.district,
            "other_street": Street.objects.exclude(pk=lizhong.pk).filter(district=lizhong.district).first(),
            "other_district": District.objects.exclude(pk=lizhong.district_id).order_by("code").first()}


def sign_in(page, username):
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def assert_chart_drawn(page, container_id):
    """ECharts drew into a canvas of non-zero size inside the container."""
    canvas = page.locator(f"#{container_id} canvas").first
    canvas.wait_for(state="visible")
    box = canvas.bounding_box()
    assert box and box["width"] > 100 and box["height"] > 100


def hover_tooltip(page, container_id, point=None):
    """Hover a point of a chart (its middle by default) and return its tooltip: the text of each row's
    name and value, and whether every row's series marker has a size (drawn, not refused by the CSP)."""
    if point is None:
        box = page.locator(f"#{container_id}").bounding_box()
        point = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.move(*point)
    tip = page.locator(f"#{container_id} .chart-tip")
    tip.wait_for(state="visible")
    rows = [(row.locator(".chart-tip-name").inner_text(), row.locator(".chart-tip-value").inner_text())
            for row in tip.locator(".chart-tip-row").all()]
    markers = [marker.bounding_box() for marker in tip.locator(".chart-tip-marker").all()]
    return rows, all(marker and marker["width"] > 4 for marker in markers)


def bar_point(page, name):
    """The page coordinates of the middle of the bar labelled `name` in the bar chart."""
    point = page.evaluate("""(name) => {
        const box = document.getElementById("bar-chart");
        const chart = window.echarts.getInstanceByDom(box);
        const option = chart.getOption();
        const index = option.yAxis[0].data.indexOf(name);
        const value = option.series[0].data[index].value;
        return chart.convertToPixel({seriesIndex: 0}, [value / 2, index]);
    }""", name)
    box = page.locator("#bar-chart").bounding_box()
    return box["x"] + point[0], box["y"] + point[1]


def click_bar(page, name):
    """Click the middle of the bar labelled `name` in the bar chart, as a user would."""
    with page.expect_navigation():
        page.mouse.click(*bar_point(page, name))


def test_city_staff_land_on_the_city_and_drill_down_to_a_compound(page, screenshot, demo_city):
    city_staff(username="city_browser")
    sign_in(page, "city_browser")
    assert page.url.endswith("/dashboard/")
    assert "泉州市" in page.locator("h1").inner_text()
    assert page.locator(".kpi").count() == 5
    assert_chart_drawn(page, "trend-chart")
    assert_chart_drawn(page, "bar-chart")
    screenshot("dashboard-01-city")
    # Tooltips under the strict CSP: names and values apart, each with its series marker, no errors.
    rows, markers_drawn = hover_tooltip(page, "trend-chart")
    assert [name for name, _value in rows] == ["小区党组织覆盖率", "业委会组建率", "议事协商覆盖率", "服务品质", "信访矛盾"]
    assert rows[0][1].endswith("%") and rows[4][1].endswith("件/千户") and markers_drawn
    screenshot("dashboard-01b-city-trend-tooltip")
    rows, markers_drawn = hover_tooltip(page, "bar-chart", bar_point(page, demo_city["district"].name))
    assert rows[0][0] == "业委会组建率" and "%" in rows[0][1] and markers_drawn
    assert page.console_errors == []

    district = demo_city["district"]
    click_bar(page, district.name)
    assert page.url.split("?")[0].endswith(f"/dashboard/district/{district.code}/")
    assert_chart_drawn(page, "bar-chart")
    screenshot("dashboard-02-district")

    street = demo_city["street"]
    page.locator("#table-ranking").get_by_role("link", name=street.name, exact=True).click()
    assert page.url.split("?")[0].endswith(f"/dashboard/street/{street.code}/")
    assert_chart_drawn(page, "trend-chart")
    screenshot("dashboard-03-street")

    # A community with compounds (most of the official communities have none in a small demo city).
    community = street.communities.filter(compounds__isnull=False).order_by("code").first()
    page.locator("#table-heat").get_by_role("link", name=community.name, exact=True).first.click()
    assert page.url.split("?")[0].endswith(f"/dashboard/community/{community.code}/")
    assert_chart_drawn(page, "trend-chart")
    screenshot("dashboard-04-community")

    page.locator("#table-compounds tbody th a").first.click()
    assert "/dashboard/compound/" in page.url
    assert "业主委员会及成员" in page.content()
    screenshot("dashboard-05-compound")

    page.locator(".breadcrumb a", has_text="泉州市").click()
    assert page.url.split("?")[0].endswith("/dashboard/")

    page.get_by_role("link", name="滞后预警").first.click()
    assert "还需组建业委会的小区(个)" in page.locator("#table-laggards-committee_formation_rate").inner_text()
    screenshot("dashboard-06-laggards")

    page.goto("/dashboard/?period=2026-Q3")
    assert "2026年第3季度" in page.locator(".meta").inner_text()
    assert_chart_drawn(page, "trend-chart")
    screenshot("dashboard-07-city-quarter")

    page.set_viewport_size({"width": 820, "height": 1180})
    page.goto("/dashboard/")
    assert_chart_drawn(page, "bar-chart")
    screenshot("dashboard-08-city-tablet")
    page.emulate_media(media="print")
    screenshot("dashboard-09-city-print")
    assert page.console_errors == []


def map_regions(page):
    """Each region of the city's map: its name, the fill ECharts gave it and where its centre is drawn."""
    return page.evaluate("""() => {
        const chart = window.echarts.getInstanceByDom(document.getElementById("map-chart"));
        const data = chart.getModel().getSeriesByIndex(0).getData();
        const centres = Object.fromEntries(window.echarts.getMap("泉州").geoJSON.features
            .map((feature) => [feature.properties.name, feature.properties.cp]));
        const regions = [];
        for (let i = 0; i < data.count(); i++) {
            const name = data.getName(i);
            const fills = new Set();
            const region = data.getItemGraphicEl(i);
            if (region) {
                region.traverse((shape) => {
                    if (shape.type !== "text" && shape.style && typeof shape.style.fill === "string") {
                        fills.add(shape.style.fill);
                    }
                });
            }
            regions.push({name, fills: [...fills], centre: chart.convertToPixel({seriesIndex: 0}, centres[name])});
        }
        return {regions, drawn: chart.getZr().storage.getDisplayList().length};
    }""")


def test_city_map_colours_its_twelve_regions_shows_the_zones_beside_it_and_drills_down(page, screenshot,
                                                                                       demo_city):
    city_staff(username="map_browser")
    sign_in(page, "map_browser")
    page.goto("/dashboard/?indicator=committee_formation_rate")
    assert_chart_drawn(page, "map-chart")
    page.locator("#map-chart").scroll_into_view_if_needed()
    drawn = map_regions(page)
    regions = {region["name"]: region for region in drawn["regions"]}
    assert len(regions) == 12 and drawn["drawn"] > 12
    # Every region is filled; 金门县, on the map but not administered by the city, in the neutral colour.
    assert all(len(region["fills"]) == 1 for region in regions.values()), regions
    neutral = regions.pop("金门县")["fills"][0]
    assert all(region["fills"][0] != neutral for region in regions.values())
    tiles = page.locator(".map-tile").all_inner_texts()
    assert len(tiles) == 2 and any("泉州台商投资区" in tile for tile in tiles)
    assert "没有它们的边界" in page.locator(".map-tiles").inner_text()
    rows, _markers = hover_tooltip(page, "map-chart", _page_point(page, "map-chart", regions["南安市"]["centre"]))
    assert rows[0][0] == "业委会组建率" and "%" in rows[0][1]
    screenshot("dashboard-12-city-map")
    assert page.console_errors == []
    with page.expect_navigation():
        page.mouse.click(*_page_point(page, "map-chart", regions["南安市"]["centre"]))
    assert page.url.split("?")[0].endswith("/dashboard/district/350583/")


def _page_point(page, container_id, point):
    box = page.locator(f"#{container_id}").bounding_box()
    return box["x"] + point[0], box["y"] + point[1]


def test_district_staff_land_on_their_district_and_cannot_open_another(page, screenshot, demo_city):
    district = demo_city["district"]
    district_staff(district, username="district_browser")
    sign_in(page, "district_browser")
    assert page.url.endswith(f"/dashboard/district/{district.code}/")
    assert_chart_drawn(page, "trend-chart")
    assert_chart_drawn(page, "bar-chart")
    screenshot("dashboard-10-district-staff-landing")
    assert page.console_errors == []
    # The refused page's 404 shows in the console too; nothing else may.
    assert page.goto(f"/dashboard/district/{demo_city['other_district'].code}/").status == 404
    assert page.goto("/dashboard/laggards/").status == 200


def test_street_officer_lands_on_the_report_and_cannot_reach_another_street(page, screenshot, demo_city):
    street = demo_city["street"]
    street_officer(street, username="street_browser")
    sign_in(page, "street_browser")
    assert f"/reports/{street.code}/" in page.url
    page.get_by_role("link", name="监测看板").click()
    assert page.url.endswith(f"/dashboard/street/{street.code}/")
    assert "月报：填报与查看" in page.locator(".report-link").inner_text()
    assert_chart_drawn(page, "trend-chart")
    assert_chart_drawn(page, "bar-chart")
    screenshot("dashboard-11-street-officer")
    assert page.console_errors == []
    assert page.goto(f"/dashboard/street/{demo_city['other_street'].code}/").status == 404
    assert page.goto(f"/dashboard/district/{street.district.code}/").status == 404
    page.goto("/dashboard/")
    assert page.url.endswith(f"/dashboard/street/{street.code}/")
