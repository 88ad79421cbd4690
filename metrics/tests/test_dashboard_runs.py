"""Any run of months on the dashboards: the picker's from–to months, the run's figures from the engine's
run read, its title, its like-for-like comparisons, and a Chinese message for a run that cannot be shown."""
import datetime
from types import SimpleNamespace

import pytest
from django.urls import reverse

from metrics.dashboard import selectors
from metrics.dashboard.periods import MONTH, RUN, PeriodChoice, parse_choice
from metrics.selectors import indicator_values_for_run
from reporting import periods as reporting_periods
from tests.factories import city_staff

from .conftest import FEBRUARY, JANUARY, MARCH


@pytest.fixture
def staff(client, computed):
    client.force_login(city_staff())
    return client


def street_page(client, **params):
    return client.get(reverse("dashboard:street", kwargs={"code": "S1"}), params)


def test_the_picker_shows_a_run_of_months_with_its_figures_from_the_engine(staff, computed):
    response = street_page(staff, period="run", period_from="2024-02", period_to="2024-03")

    assert response.status_code == 200
    page = response.context["page"]
    assert page.choice == PeriodChoice(RUN, FEBRUARY, MARCH, MARCH)
    run = {v.indicator_code: v for v in indicator_values_for_run(area_level="street", area_codes=["S1"],
                                                                 first=FEBRUARY, last=MARCH)}
    assert {card.compared.indicator.code: (card.compared.numerator, card.compared.denominator, card.compared.value)
            for card in page.cards} == {code: (run[code].numerator, run[code].denominator, run[code].value)
                                        for code in (card.compared.indicator.code for card in page.cards)}
    content = response.content.decode()
    assert "统计期：<strong>2024-02 至 2024-03</strong>" in content
    # The picker keeps the run: its option selected, its months in the from and to fields.
    assert 'value="run" selected>2024-02 至 2024-03' in content
    assert 'name="period_from" placeholder="2024-11" pattern="[0-9]{4}-[0-9]{2}" value="2024-02"' in content
    assert 'name="period_to" placeholder="2025-03" pattern="[0-9]{4}-[0-9]{2}" value="2024-03"' in content


def test_a_runs_link_shows_the_same_run(staff, computed):
    picked = street_page(staff, period="run", period_from="2024-02", period_to="2024-03").context["page"]
    linked = street_page(staff, period="2024-02..2024-03").context["page"]
    assert linked.choice == picked.choice
    assert [card.value for card in linked.cards] == [card.value for card in picked.cards]
    # Links of the page (laggards, child areas) carry the run on.
    assert "?period=2024-02..2024-03" in street_page(staff, period="2024-02..2024-03").content.decode()


def test_a_run_sums_flows_where_its_last_month_alone_would_not(staff, computed):
    cards = {card.compared.indicator.code: card.compared
             for card in street_page(staff, period="2024-02..2024-03").context["page"].cards}
    march = {card.compared.indicator.code: card.compared
             for card in street_page(staff, period="2024-03").context["page"].cards}
    complaints = indicator_values_for_run(area_level="street", area_codes=["S1"], first=FEBRUARY, last=MARCH,
                                          indicator_codes=["complaint_rate"])[0]
    assert cards["complaint_rate"].numerator == complaints.numerator
    assert cards["committee_formation_rate"].value == march["committee_formation_rate"].value  # a state: March's


def test_a_run_is_compared_with_runs_as_long(computed):
    choice = PeriodChoice(RUN, FEBRUARY, MARCH, MARCH)
    assert choice.previous() == PeriodChoice(RUN, datetime.date(2023, 12, 1), JANUARY, JANUARY)
    assert choice.like_from(JANUARY) == PeriodChoice(RUN, JANUARY, FEBRUARY, FEBRUARY)
    page = selectors.area_page(computed.areas["S1"], choice)
    expected = {v.indicator_code: v.value for v in indicator_values_for_run(
        area_level="street", area_codes=["S1"], first=JANUARY, last=FEBRUARY)}
    assert {c.compared.indicator.code: c.compared.baseline_value for c in page.cards} == {
        c.compared.indicator.code: expected.get(c.compared.indicator.code) for c in page.cards}
    assert "2024-01 至 2024-02" in page.comparison_note and "2 个月" in page.comparison_note


@pytest.mark.parametrize("params, message", [
    ({"period_from": "2024-03", "period_to": "2024-02"}, "起始月份 2024-03 晚于截止月份 2024-02。"),
    ({"period_from": "2010-01", "period_to": "2024-03"}, "月份区间最长 120 个月"),
    ({"period_from": "2024-3", "period_to": "2024-03"}, "请填写起止月份，格式 YYYY-MM"),
    ({"period_from": "", "period_to": "2024-03"}, "请填写起止月份"),
])
def test_a_run_that_cannot_be_shown_says_why_and_shows_the_latest_month(staff, params, message):
    response = street_page(staff, period="run", **params)
    assert response.status_code == 200
    assert message in response.context["period"].error
    assert message in response.content.decode()
    assert response.context["page"].choice == PeriodChoice(MONTH, MARCH, MARCH)


def test_a_run_ending_in_a_month_not_yet_due_has_no_figures(staff, monkeypatch):
    monkeypatch.setattr(reporting_periods, "timezone", SimpleNamespace(localdate=lambda: datetime.date(2024, 4, 5)))
    response = street_page(staff, period="run", period_from="2024-01", period_to="2024-03")
    assert response.context["period"].not_due and "page" not in response.context
    assert "2024-01 至 2024-03的月报截止日为2024年4月10日" in response.content.decode()


def test_a_run_of_one_month_is_the_month():
    assert parse_choice("2024-03..2024-03", MARCH) == PeriodChoice(MONTH, MARCH, MARCH)


def test_a_run_past_the_latest_values_is_cut_there_and_keeps_its_name():
    choice = parse_choice("2024-02..2024-05", MARCH)
    assert (choice.first, choice.last, choice.param, choice.label) == (
        FEBRUARY, MARCH, "2024-02..2024-05", "2024-02 至 2024-05")


def test_the_laggards_page_takes_a_run(staff):
    response = staff.get(reverse("dashboard:laggards"), {"period": "2024-02..2024-03"})
    assert response.status_code == 200 and response.context["page"].choice.kind == RUN
    assert "统计期：<strong>2024-02 至 2024-03</strong>" in response.content.decode()
