"""Dashboard selectors: every number on a page is the engine's, laggards' gaps, periods."""
import datetime
from decimal import Decimal

import pytest
from django.core.paginator import EmptyPage

from metrics.dashboard import selectors
from metrics.dashboard.periods import MONTH, QUARTER, YEAR, PeriodChoice, parse_choice, picker_options
from metrics.models import Comparison, Target
from metrics.selectors import indicator_values_for_run, indicator_values_with_comparison
from metrics.services import recompute_range

from .conftest import FEBRUARY, MARCH

JANUARY = datetime.date(2024, 1, 1)
MARCH_CHOICE = PeriodChoice(MONTH, MARCH, MARCH)


@pytest.fixture
def computed(world, settings):
    settings.METRICS_BASELINE_PERIOD = "2024-01"
    recompute_range(first=JANUARY, last=MARCH)
    return world


def table(page, key):
    return next(t for t in page.tables if t.key == key)


def column_values(tbl, label):
    index = [str(c.label) for c in tbl.columns].index(label)
    return {row[1].text if tbl.key == "ranking" else row[0].text: row[index].value for row in tbl.rows}


def test_cards_show_the_engines_values_baseline_and_previous_month(computed):
    d1 = computed.areas["D1"]
    page = selectors.area_page(d1, MARCH_CHOICE)
    engine = {row.indicator.code: row for row in indicator_values_with_comparison(
        area_level="district", area_codes=["D1"], period=MARCH)}
    assert [c.compared.indicator.code for c in page.cards] == [
        code for code, row in engine.items() if row.indicator.is_core]
    for shown in page.cards:
        row = engine[shown.compared.indicator.code]
        assert (shown.compared.value, shown.compared.delta_vs_baseline, shown.compared.delta_vs_previous) == (
            row.value, row.delta_vs_baseline, row.delta_vs_previous)
    formation = next(c for c in page.cards if c.compared.indicator.code == "committee_formation_rate")
    # D1: A and F formed, B not (E is resettlement housing, not eligible): 2 of 3.
    assert formation.value == "66.7%"
    assert formation.attainment == "✘ 未达标"
    assert formation.target == "≥ 80.0%（2025年5月31日前）"


def test_every_indicator_table_row_equals_the_engine_row(computed):
    page = selectors.area_page(computed.areas["S1"], MARCH_CHOICE)
    engine = {row.indicator.name: row for row in indicator_values_with_comparison(
        area_level="street", area_codes=["S1"], period=MARCH)}
    rows = {row[0].text: row for row in table(page, "indicators").rows}
    assert rows.keys() == engine.keys()
    for name, row in rows.items():
        assert (row[1].value, row[2].value, row[3].value) == (engine[name].value, engine[name].numerator,
                                                              engine[name].denominator)


def test_ranking_orders_streets_best_first_and_numbers_equal_the_engine(computed):
    city = computed.city
    page = selectors.area_page(city, MARCH_CHOICE, indicator_code="committee_formation_rate")
    ranking = table(page, "ranking")
    ranked = [(row[0].text, row[1].text) for row in ranking.rows if row[0].value]
    names = {code: computed.areas[code].name for code in ("S1", "S2", "S3")}
    assert ranked == [("1", names["S2"]), ("2", names["S1"]), ("3", names["S3"])]
    engine = {row.area_code: row.value for row in indicator_values_with_comparison(
        area_level="street", area_codes=["S1", "S2", "S3"], period=MARCH) if row.indicator.code == "committee_formation_rate"}
    shown = {row[1].text: row[3].value for row in ranking.rows}
    assert {code: shown[names[code]] for code in names} == engine
    # Streets without published values (the real Quanzhou ones, empty here) come last, without a rank.
    assert all(row[0].value is None for row in ranking.rows[3:])


def test_ranking_can_be_reversed_and_by_any_indicator(computed):
    page = selectors.area_page(computed.areas["D1"], MARCH_CHOICE, indicator_code="party_org_coverage",
                               descending=False)
    ranking = table(page, "ranking")
    assert "小区党组织覆盖率" in ranking.title
    # S1 covers A and E of A, B, E (66.7%); S2 covers nothing of F: worst first when ascending.
    assert [row[1].text for row in ranking.rows] == [computed.areas["S2"].name, computed.areas["S1"].name]
    assert [row[0].text for row in ranking.rows] == ["2", "1"]


def test_heat_table_cells_carry_the_engines_attainment(computed):
    page = selectors.area_page(computed.areas["D1"], MARCH_CHOICE)
    heat = table(page, "heat")
    engine = {(row.area_code, row.indicator.code): row for row in indicator_values_with_comparison(
        area_level="street", area_codes=["S1", "S2"], period=MARCH)}
    codes = [column.indicator_code for column in heat.columns[1:]]
    for row, code in zip(heat.rows, ["S1", "S2"]):
        for cell, indicator_code in zip(row[1:], codes):
            assert (cell.value, cell.attainment) == (engine[(code, indicator_code)].value,
                                                     engine[(code, indicator_code)].attainment)
    s1_formation = heat.rows[0][1 + codes.index("committee_formation_rate")]
    assert (s1_formation.text, s1_formation.needs_symbol, s1_formation.attainment_symbol) == ("50.0%", True, "✘")


def test_bar_chart_items_link_down_and_carry_the_target(computed):
    page = selectors.area_page(computed.areas["D1"], MARCH_CHOICE)
    bars = page.charts["bars"]
    assert bars["target"] == 80.0
    assert [(item["value"], item["attainment"], item["url"]) for item in bars["items"]] == [
        (50.0, "missed", "/dashboard/street/S1/"), (100.0, "met", "/dashboard/street/S2/")]


def test_trend_has_every_month_since_the_baseline(computed):
    page = selectors.area_page(computed.areas["S2"], MARCH_CHOICE)
    trend = page.charts["trend"]
    assert trend["periods"] == ["2024-01", "2024-02", "2024-03"]
    formation = next(s for s in trend["series"] if s["name"] == "业委会组建率")
    assert formation["data"] == [0.0, 0.0, 100.0]
    complaints = next(s for s in trend["series"] if s["name"] == "信访矛盾")
    assert complaints["axis"] == 1
    assert page.computed_at is not None


def test_no_value_is_shown_as_a_dash(computed):
    page = selectors.area_page(computed.areas["S2"], MARCH_CHOICE)
    rows = {row[0].text: row for row in table(page, "indicators").rows}
    # F's March record has no micro matters planned: zero denominator, no value.
    assert rows["微实事办结率"][1].text == "—"


def test_community_page_lists_its_compounds_month_facts(computed):
    page = selectors.area_page(computed.areas["C1"], MARCH_CHOICE)
    compounds = table(page, "compounds")
    assert [row[0].text for row in compounds.rows] == [computed.compounds["A"].name, computed.compounds["B"].name]
    assert "bars" not in page.charts


def test_quarter_cards_equal_the_engines_run_values(computed):
    quarter = PeriodChoice(QUARTER, JANUARY, MARCH)
    page = selectors.area_page(computed.areas["S1"], quarter)
    engine = {v.indicator_code: v.value for v in indicator_values_for_run(
        area_level="street", area_codes=["S1"], first=JANUARY, last=MARCH)}
    for shown in page.cards:
        assert shown.compared.value == engine[shown.compared.indicator.code]
    formation = next(c for c in page.cards if c.compared.indicator.code == "committee_formation_rate")
    assert formation.compared.attainment == "missed"


def test_provisional_values_are_marked(computed):
    recompute_range(first=MARCH, last=MARCH, include_submitted=True)
    page = selectors.area_page(computed.areas["S3"], MARCH_CHOICE)
    assert page.provisional
    assert any(card.compared.provisional for card in page.cards)


def test_quarter_values_with_a_provisional_month_are_marked(computed):
    recompute_range(first=MARCH, last=MARCH, include_submitted=True)
    quarter = PeriodChoice(QUARTER, JANUARY, MARCH)
    s3 = selectors.area_page(computed.areas["S3"], quarter)
    assert s3.provisional and any(card.compared.provisional for card in s3.cards)
    assert not selectors.area_page(computed.areas["S2"], quarter).provisional


@pytest.mark.parametrize("level", ["city", "district", "street", "community", "compound"])
@pytest.mark.parametrize("code", ["350502003", "350500KF", "XQ35050200300001", "a b", "林-1", "x%y?z#&", "@code@"])
def test_page_urls_for_many_codes_are_the_urls_reverse_gives(level, code):
    expected = selectors.compound_url(code) if level == "compound" else selectors.area_url(level, code)
    assert selectors.page_urls(level)(code) == expected


def test_units_to_target_is_the_ceiling_of_target_times_denominator_minus_numerator():
    target = Target(comparison=Comparison.AT_LEAST, threshold=Decimal("80"), deadline=datetime.date(2025, 5, 31))
    assert selectors.units_to_target(target, Decimal(40), Decimal(57), "percent") == 6  # 45.6 − 40 → 6
    assert selectors.units_to_target(target, Decimal(50), Decimal(57), "percent") == 0
    assert selectors.units_to_target(target, Decimal(1), Decimal(2), "score") is None


def test_laggards_are_the_areas_furthest_from_each_target_with_the_gap_in_compounds(computed):
    page = selectors.laggards_page("street", None, MARCH_CHOICE)
    formation = next(t for t in page.tables if t.key == "laggards-committee_formation_rate")
    rows = [(row[1].text, row[3].value, row[5].value, row[6].value) for row in formation.rows]
    # S3: G has no committee (0 of 1, 80 points short); S1: 1 of 2 (30 points short); S2 meets it.
    assert rows == [(computed.areas["S3"].name, Decimal("0"), Decimal("80"), 1),
                    (computed.areas["S1"].name, Decimal("50"), Decimal("30"), 1)]
    assert "还需组建业委会的小区(个)" in [str(c.label) for c in formation.columns]


def laggard_rows(page, indicator_code="committee_formation_rate"):
    formation = next(t for t in page.tables if t.key == f"laggards-{indicator_code}")
    return [(row[0].value, row[1].text, row[5].value) for row in formation.rows]


def test_laggards_with_equal_gaps_follow_their_codes_and_an_areas_own_target_wins(computed):
    # C1: 1 of 2 eligible compounds formed, 30 points below the city's 80%; C4 (0%) has a target of its
    # own, 30%, so it is 30 points short as well.
    Target.objects.create(indicator_id="committee_formation_rate", area_level="community", area_code="C4",
                          comparison=Comparison.AT_LEAST, threshold=Decimal("30"), deadline=datetime.date(2025, 5, 31))
    page = selectors.laggards_page("community", None, MARCH_CHOICE)
    assert laggard_rows(page) == [(1, computed.areas["C1"].name, Decimal("30")),
                                  (2, computed.areas["C4"].name, Decimal("30"))]
    c4 = next(t for t in page.tables if t.key == "laggards-committee_formation_rate").rows[1]
    assert c4[4].text == "≥ 30.0%（2025年5月31日前）"


def test_laggards_come_a_page_at_a_time_numbered_on_from_the_pages_before(computed, monkeypatch):
    monkeypatch.setattr(selectors, "LAGGARDS_SHOWN", 1)
    param = selectors.laggards_page_param("committee_formation_rate")
    first = selectors.laggards_page("street", None, MARCH_CHOICE, params={"level": "street"})
    second = selectors.laggards_page("street", None, MARCH_CHOICE, params={"level": "street", param: "2"})
    assert laggard_rows(first) == [(1, computed.areas["S3"].name, Decimal("80"))]
    assert laggard_rows(second) == [(2, computed.areas["S1"].name, Decimal("30"))]
    first_table, second_table = (next(t for t in page.tables if t.key == "laggards-committee_formation_rate")
                                 for page in (first, second))
    assert (first_table.pager.number, first_table.pager.pages) == (1, 2)
    assert (first_table.pager.previous_url, first_table.pager.next_url) == (None, f"?level=street&{param}=2")
    assert (second_table.pager.previous_url, second_table.pager.next_url) == ("?level=street", None)
    assert second_table.caption == "共 2 个未达标或接近目标的区域，按差距从大到小列出第 2–2 个。"


def test_a_laggards_page_after_the_last_is_empty(computed, monkeypatch):
    monkeypatch.setattr(selectors, "LAGGARDS_SHOWN", 1)
    with pytest.raises(EmptyPage):
        selectors.laggards_page("street", None, MARCH_CHOICE,
                                params={selectors.laggards_page_param("committee_formation_rate"): "3"})
    # Anything but a page number is the first page.
    page = selectors.laggards_page("street", None, MARCH_CHOICE,
                                   params={selectors.laggards_page_param("committee_formation_rate"): "x"})
    assert laggard_rows(page) == [(1, computed.areas["S3"].name, Decimal("80"))]


def test_quarter_laggards_are_the_engines_run_values(computed):
    page = selectors.laggards_page("street", None, PeriodChoice(QUARTER, JANUARY, MARCH))
    engine = {v.area_code: v.value for v in indicator_values_for_run(
        area_level="street", area_codes=["S1", "S3"], first=JANUARY, last=MARCH)
        if v.indicator_code == "committee_formation_rate"}
    formation = next(t for t in page.tables if t.key == "laggards-committee_formation_rate")
    assert [(row[1].text, row[3].value) for row in formation.rows] == [
        (computed.areas["S3"].name, engine["S3"]), (computed.areas["S1"].name, engine["S1"])]


def test_laggards_stay_within_the_visible_areas(computed):
    page = selectors.laggards_page("street", ["S1", "S2"], MARCH_CHOICE)
    names = {row[1].text for t in page.tables for row in t.rows}
    assert computed.areas["S3"].name not in names and computed.areas["S1"].name in names


@pytest.mark.parametrize(("text", "kind", "first", "last"), [
    ("2024-02", MONTH, FEBRUARY, FEBRUARY),
    ("2024-Q1", QUARTER, JANUARY, MARCH),
    ("2024", YEAR, JANUARY, MARCH),  # data up to March: the year's figures end there
    ("2030-01", MONTH, datetime.date(2030, 1, 1), datetime.date(2030, 1, 1)),  # after the data: whole, to be told not due
    ("2030-Q2", QUARTER, datetime.date(2030, 4, 1), datetime.date(2030, 6, 1)),
])
def test_period_choice_parses_months_quarters_and_years(text, kind, first, last):
    choice = parse_choice(text, MARCH)
    assert (choice.kind, choice.first, choice.last) == (kind, first, last)


@pytest.mark.parametrize("text", ["rubbish", "2024-13", "2024-Q5", "0999-01", ""])
def test_anything_else_is_no_choice(text):
    assert parse_choice(text, MARCH) is None


def test_period_picker_offers_months_quarters_and_years():
    groups = dict(picker_options([MARCH, FEBRUARY, JANUARY]))
    assert [value for value, _label in groups["月度"]] == ["2024-03", "2024-02", "2024-01"]
    assert groups["季度"] == [("2024-Q1", "2024年第1季度")]
    assert groups["年度"] == [("2024", "2024年")]


def test_the_city_map_has_a_region_per_county_level_unit_and_the_functional_zones_as_tiles(computed):
    page = selectors.area_page(computed.city, MARCH_CHOICE, indicator_code="committee_formation_rate")
    regions = {region["name"]: region for region in page.charts["map"]["regions"]}
    # The units with a polygon on the map (the hand-built D1 and D2 among them), and 金门县, drawn without figures.
    assert {"鲤城区", "南安市", computed.areas["D1"].name, "金门县"} <= set(regions)
    assert regions[computed.areas["D1"].name]["value"] == pytest.approx(66.67)
    assert regions["金门县"]["value"] is None and "不由泉州市管辖" in regions["金门县"]["label"]
    assert sorted(tile.name for tile in page.map_tiles) == ["泉州台商投资区", "泉州经济技术开发区"]
    assert not {"泉州台商投资区", "泉州经济技术开发区"} & set(regions)
    assert page.charts["map"]["max"] == 100 and page.charts["map"]["higher_is_better"]
    assert "map" not in selectors.area_page(computed.areas["D1"], MARCH_CHOICE).charts


def test_an_area_page_forecasts_each_target_still_ahead_from_the_monthly_trend(computed):
    forecasts = table(selectors.area_page(computed.areas["S2"], MARCH_CHOICE), "forecasts")
    assert [(row[0].text, row[2].text) for row in forecasts.rows] == [
        ("小区党组织覆盖率", "2025年5月31日"), ("业委会组建率", "2025年5月31日"), ("业委会组建率", "2027年12月31日"),
        ("新成立或换届业委会党员比例", "2025年5月31日")]
    # S2: F, its one eligible compound, had no committee in January and February, one from March: half
    # a committee a month, so 1 of 1 (never more) by May 2025.
    formation = forecasts.rows[1]
    assert (formation[4].value, formation[5].text) == (Decimal("100.0000"), "✔ 达标")
    assert formation[6].text == "已达到目标所需数量" and formation[7].text == "近3个月平均每月新增 0.50 个业委会"
    assert "线性趋势" in forecasts.caption


def test_laggards_say_where_each_area_is_heading(computed):
    page = selectors.laggards_page("street", None, MARCH_CHOICE)
    formation = next(t for t in page.tables if t.key == "laggards-committee_formation_rate")
    assert formation.columns[-1].label == "按近6个月趋势预测"
    assert formation.rows[0][-1].text.startswith("预计 0.0%（✘ 未达标）；还需每月新增 1 个业委会")
