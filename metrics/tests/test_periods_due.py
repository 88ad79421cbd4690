"""A month, quarter or year whose reports are not yet due has no figures (DOMAIN.md "Periods"): the
dashboards, laggards, compound pages and the feed say "未到截止日" or leave it out, the picker does not
offer it, the default is the latest month that is due, and comparisons are between like spans.

The hand-built city has values for January to March 2024; reports are due on the 10th of the next
month, so on 5 April 2024 March (and the first quarter) is still being reported.
"""
import datetime
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import ApiToken
from metrics.dashboard import selectors
from metrics.dashboard.periods import MONTH, QUARTER, YEAR, PeriodChoice
from metrics.services import recompute_range
from reporting import periods as reporting_periods
from tests.factories import city_staff, street_officer

from .conftest import FEBRUARY, JANUARY, MARCH
MARCH_BEING_REPORTED = datetime.date(2024, 4, 5)
MARCH_DUE = datetime.date(2024, 4, 11)


@pytest.fixture
def today(monkeypatch):
    """Set the day the due-date rule (reporting.periods) sees."""
    def set_today(day: datetime.date) -> None:
        monkeypatch.setattr(reporting_periods, "timezone", SimpleNamespace(localdate=lambda: day))
    return set_today


@pytest.fixture
def staff(client, db):
    client.force_login(city_staff())
    return client


# --- The rule ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("day", "due"), [(datetime.date(2024, 4, 9), False), (datetime.date(2024, 4, 10), False),
                                          (datetime.date(2024, 4, 11), True)])
def test_a_month_is_due_once_its_due_day_is_over(day, due):
    assert reporting_periods.is_due(MARCH, today=day) is due


def test_the_due_day_is_the_configured_one(settings):
    settings.MONTHLY_REPORT_DUE_DAY = 3

    assert reporting_periods.is_due(MARCH, today=datetime.date(2024, 4, 4))


def test_the_latest_due_month_is_last_month_only_after_this_months_due_day():
    assert reporting_periods.latest_due_month(today=MARCH_BEING_REPORTED) == FEBRUARY
    assert reporting_periods.latest_due_month(today=MARCH_DUE) == MARCH


@pytest.mark.parametrize(("choice", "due"), [
    (PeriodChoice(MONTH, FEBRUARY, FEBRUARY), True),
    (PeriodChoice(MONTH, MARCH, MARCH), False),
    (PeriodChoice(QUARTER, JANUARY, FEBRUARY), False),  # its March is not due, whatever data it has
    (PeriodChoice(YEAR, JANUARY, FEBRUARY), False),
])
def test_a_span_is_due_when_its_last_calendar_month_is(today, choice, due):
    today(MARCH_BEING_REPORTED)
    assert choice.is_due is due


# --- Dashboards ----------------------------------------------------------------------------------

def test_by_default_the_dashboard_shows_the_latest_month_that_is_due(computed, staff, today):
    today(MARCH_BEING_REPORTED)

    response = staff.get(reverse("dashboard:overview"))

    assert response.context["page"].choice == PeriodChoice(MONTH, FEBRUARY, FEBRUARY)


def test_the_picker_offers_no_period_that_is_not_due(computed, staff, today):
    today(MARCH_BEING_REPORTED)

    options = dict(staff.get(reverse("dashboard:overview")).context["period"].options)

    assert [value for value, _label in options["月度"]] == ["2024-02", "2024-01"]
    assert options["季度"] == [] and options["年度"] == []


def test_once_march_is_due_the_picker_offers_it_and_its_quarter(computed, staff, today):
    today(MARCH_DUE)

    options = dict(staff.get(reverse("dashboard:overview")).context["period"].options)

    assert options["月度"][0][0] == "2024-03" and options["季度"] == [("2024-Q1", "2024年第1季度")]


@pytest.mark.parametrize(("period", "due"), [("2024-03", "2024年4月10日"), ("2024-Q1", "2024年4月10日"),
                                             ("2024", "2025年1月10日")])
@pytest.mark.parametrize("page", ["overview", "street", "laggards"])
def test_a_period_not_due_shows_no_figures_but_when_they_come(computed, staff, today, period, due, page):
    today(MARCH_BEING_REPORTED)
    url = {"overview": reverse("dashboard:overview"), "street": reverse("dashboard:street", kwargs={"code": "S1"}),
           "laggards": reverse("dashboard:laggards")}[page]

    response = staff.get(url, {"period": period})
    content = response.content.decode()

    assert response.status_code == 200 and "page" not in response.context
    assert "未到截止日" in content and due in content
    assert "%" not in content.split('class="not-due"')[1]


def test_a_month_far_in_the_future_is_not_due_either(computed, staff, today):
    today(MARCH_BEING_REPORTED)

    content = staff.get(reverse("dashboard:overview"), {"period": "2031-07"}).content.decode()

    assert "未到截止日" in content and "2031年8月10日" in content


def test_the_trend_line_stops_at_the_latest_month_that_is_due(computed, staff, today):
    today(MARCH_BEING_REPORTED)

    trend = staff.get(reverse("dashboard:street", kwargs={"code": "S1"})).context["page"].charts["trend"]

    assert trend["periods"] == ["2024-01", "2024-02"]


def test_with_only_a_month_in_progress_computed_the_page_says_it_is_not_due(world, staff, today):
    recompute_range(first=MARCH, last=MARCH)
    today(MARCH_BEING_REPORTED)

    content = staff.get(reverse("dashboard:overview")).content.decode()

    assert "未到截止日" in content and "尚未计算任何指标值" not in content


# --- Like with like ----------------------------------------------------------------------------

def formation(page):
    return next(card.compared for card in page.cards if card.compared.indicator.code == "committee_formation_rate")


def test_a_month_is_compared_with_the_baseline_month(computed, settings):
    settings.METRICS_BASELINE_PERIOD = "2024-02"

    march = formation(selectors.area_page(computed.areas["S1"], PeriodChoice(MONTH, MARCH, MARCH)))

    # S1's commodity compounds: A, B and M in February (A and M formed), A and B in March (M merged).
    assert march.baseline_value == Decimal("66.6667")
    assert march.value == 50


def test_a_quarter_is_compared_with_the_baseline_quarter_not_the_baseline_month(computed, settings):
    settings.METRICS_BASELINE_PERIOD = "2024-02"

    quarter = formation(selectors.area_page(computed.areas["S1"], PeriodChoice(QUARTER, JANUARY, MARCH)))

    assert quarter.baseline_value == 50  # the first quarter's figure, not February's 66.67
    assert quarter.delta_vs_baseline == 0


def test_a_year_is_compared_with_the_baseline_year(computed, settings):
    settings.METRICS_BASELINE_PERIOD = "2024-02"

    year = selectors.area_page(computed.areas["S1"], PeriodChoice(YEAR, JANUARY, MARCH))
    complaints = next(card.compared for card in year.cards if card.compared.indicator.code == "complaint_rate")

    assert complaints.baseline_value == complaints.value  # 2024 against 2024, summed alike


def test_the_page_says_what_each_change_is_measured_against(computed, staff, today, settings):
    today(datetime.date(2025, 1, 11))
    settings.METRICS_BASELINE_PERIOD = "2024-02"

    content = staff.get(reverse("dashboard:street", kwargs={"code": "S1"}), {"period": "2024-Q1"}).content.decode()

    assert "较基期：与基期所在的2024年第1季度比较；较上期：与2023年第4季度比较" in content
    assert "不与单月比较" in content


# --- Compound pages and the feed --------------------------------------------------------------

def test_a_compound_page_lists_only_months_that_are_due(computed, today, client):
    today(MARCH_BEING_REPORTED)
    client.force_login(city_staff())

    page = client.get(reverse("dashboard:compound", kwargs={"code": "B"})).context["page"]
    monthly = next(table for table in page.tables if table.key == "monthly")

    assert [row[0].text for row in monthly.rows] == ["2024-02", "2024-01"]


def test_a_compound_month_without_a_report_shows_dashes_not_zeros(computed, client):
    client.force_login(city_staff())

    page = client.get(reverse("dashboard:compound", kwargs={"code": "B"})).context["page"]
    monthly = next(table for table in page.tables if table.key == "monthly")
    header = [column.label for column in monthly.columns]
    rows = {row[0].text: row for row in monthly.rows}

    complaints = header.index("信访及12345物业诉求件数")
    assert rows["2024-03"][complaints].text == "2"  # B's March report: 2 petitions
    assert rows["2024-02"][complaints].text == "—"  # no February report for B


def test_the_feed_leaves_out_months_not_due(computed, today):
    today(MARCH_BEING_REPORTED)
    _token, key = ApiToken.issue(user=street_officer(computed.areas["S1"]), name="市大数据平台")

    rows = APIClient(HTTP_AUTHORIZATION=f"Token {key}").get(
        "/api/v1/indicator-values/", {"area": "S1", "page_size": 1000}).json()["results"]

    assert rows and {row["period"] for row in rows} == {"2024-01", "2024-02"}
