"""Any run of months over the API: one row per area and indicator, summed from the stored months."""
import datetime
from decimal import Decimal

import pytest

from metrics.models import IndicatorValue
from metrics.services import recompute_range
from reporting.models import ReportState
from reporting.periods import add_months, latest_due_month
from tests.api_clients import results, token_client
from tests.factories import city_staff, district_staff, street_officer

from .conftest import FEBRUARY, MARCH, record, report

JANUARY = datetime.date(2024, 1, 1)
RUNS = "/api/v1/indicator-values/runs/"

# Flows: numerator and denominator summed over the months.
FLOWS_OVER_FLOWS = ["hotline_resolution_rate", "hotline_satisfaction_rate", "fee_collection_rate",
                    "micro_matters_completion", "hazard_rectification_rate", "report_timeliness"]
# Registry states and stocks: the last month's numerator and denominator.
STOCKS = ["party_org_coverage", "committee_formation_rate", "red_committee_share", "dual_role_share",
          "renewed_committee_party_ratio", "firm_party_org_coverage", "property_service_coverage",
          "safety_standardisation_rate", "guard_certification_rate"]


@pytest.fixture
def quarter(world):
    """S1 also reports January: six petitions, a hundred guards employed and a score of 50 at A, a meeting at B."""
    jan = report(world.areas["S1"], JANUARY, state=ReportState.APPROVED,
                 submitted_on_local=datetime.datetime(2024, 2, 1, 9))
    record(jan, world.compounds["A"], petitions=6, hotline_received=3, hotline_resolved=1, fees_due=Decimal("800"),
           fees_collected=Decimal("200"), guards_employed=100, guards_certified=0, evaluation_score=Decimal("50"))
    record(jan, world.compounds["B"], weekly_meetings=1)
    recompute_range(first=JANUARY, last=MARCH)
    return world


def monthly(level, code, indicator):
    return {v.period: v for v in IndicatorValue.objects.filter(area_level=level, area_code=code, indicator_id=indicator)}


def run_rows(client, **params):
    rows = results(client.get(RUNS, {"period_from": "2024-01", "period_to": "2024-03", **params}))
    return {(row["area_code"], row["indicator"]): row for row in rows}


def test_a_run_sums_flows_takes_stocks_at_its_last_month_and_scores_the_latest(quarter):
    rows = run_rows(token_client(city_staff()), level="street")
    for code in ("S1", "S2"):
        for indicator in FLOWS_OVER_FLOWS:
            months = monthly("street", code, indicator).values()
            row = rows[code, indicator]
            assert Decimal(str(row["numerator"])) == sum(m.numerator for m in months), (code, indicator)
            assert Decimal(str(row["denominator"])) == sum(m.denominator for m in months), (code, indicator)
        for indicator in STOCKS:
            march = monthly("street", code, indicator).get(MARCH)
            if march is None:  # firms are registered in districts: no street has the firm indicator
                assert (code, indicator) not in rows
                continue
            row = rows[code, indicator]
            assert (Decimal(str(row["numerator"])), Decimal(str(row["denominator"]))) == (
                march.numerator, march.denominator), (code, indicator)
    # Complaints (petitions and hotline cases) are a flow over the last month's households: Jan 6 + 3,
    # Feb none, Mar A 1 + 4, B 2 and E 2: 18 per 0.6 thousand households.
    complaints = monthly("street", "S1", "complaint_rate")
    assert Decimal(str(rows["S1", "complaint_rate"]["numerator"])) == sum(m.numerator for m in complaints.values()) == 18
    assert Decimal(str(rows["S1", "complaint_rate"]["denominator"])) == complaints[MARCH].denominator
    assert rows["S1", "complaint_rate"]["value"] == 30
    # Guards are a stock: March's 4 of 7 at S1, not January's 100.
    assert rows["S1", "guard_certification_rate"]["value"] == pytest.approx(57.1429)
    # Scores: the latest of each compound in the run, A's 90 of March (not January's 50) and E's 80 of
    # February, weighted by households (100 and 200).
    assert rows["S1", "service_quality"]["value"] == pytest.approx(83.3333)
    # Meetings: A met in March, B in January, E in March: every compound of S1 met in the run.
    assert rows["S1", "consultation_coverage"]["value"] == 100
    assert monthly("street", "S1", "consultation_coverage")[MARCH].value < 100


def test_a_row_names_its_area_indicator_unit_and_months(quarter):
    row = run_rows(token_client(city_staff()), area="S1", indicator="fee_collection_rate")["S1", "fee_collection_rate"]
    assert row["area_level"] == "street" and row["area_name"] == quarter.areas["S1"].name
    assert row["indicator_name"] == "物业费收缴率" and row["unit"] == "percent"
    assert (row["period_from"], row["period_to"], row["last_period"]) == ("2024-01", "2024-03", "2024-03")
    # Jan 200 + Mar 9000 + 2500 of Jan 800 + Mar 10000 + 5000.
    assert (row["numerator"], row["denominator"]) == (11700, 15800)


def test_descendants_give_every_area_at_the_level_under_an_area(quarter):
    rows = run_rows(token_client(city_staff()), area="D1", level="community", descendants="true",
                    indicator="complaint_rate")
    assert sorted(rows) == [("C1", "complaint_rate"), ("C2", "complaint_rate"), ("C3", "complaint_rate")]


def test_the_feed_with_aggregate_true_sends_the_caller_to_the_run(quarter):
    client = token_client(city_staff())
    response = client.get("/api/v1/indicator-values/", {"period_from": "2024-01", "period_to": "2024-03",
                                                        "area": "S1", "aggregate": "true"})
    assert response.status_code == 303
    assert response["Location"].startswith(f"http://testserver{RUNS}?")
    followed = client.get(response["Location"])
    assert {row["indicator"] for row in results(followed)} >= {"complaint_rate", "committee_formation_rate"}
    assert "aggregate" not in response["Location"]


def test_without_aggregate_the_months_are_filtered_row_by_row(quarter):
    client = token_client(city_staff())
    rows = results(client.get("/api/v1/indicator-values/", {
        "period_from": "2024-02", "period_to": "2024-03", "area": "S1", "indicator": "complaint_rate",
        "aggregate": "false"}))
    assert sorted(row["period"] for row in rows) == ["2024-02", "2024-03"]


def test_a_district_token_gets_no_run_of_another_districts_area(quarter):
    client = token_client(district_staff(quarter.areas["D1"]))
    assert run_rows(client, area="S3") == {}
    assert run_rows(client, level="street", indicator="complaint_rate").keys() == {
        ("S1", "complaint_rate"), ("S2", "complaint_rate")}
    assert run_rows(client, area="S1", indicator="complaint_rate").keys() == {("S1", "complaint_rate")}


def test_a_street_officer_gets_its_own_street_only(quarter):
    client = token_client(street_officer(quarter.areas["S1"]))
    assert run_rows(client, level="street", indicator="complaint_rate").keys() == {("S1", "complaint_rate")}
    assert run_rows(client, area="S2") == {}
    assert run_rows(client, area="D2") == {}
    # Its district's and the city's figures are its own context, as in the values feed.
    assert ("D1", "complaint_rate") in run_rows(client, area="D1")


@pytest.mark.parametrize("params, field, message", [
    ({"period_from": "2024-03", "period_to": "2024-01", "level": "street"}, "period_to", "晚于截止月份"),
    ({"period_from": "2010-01", "period_to": "2024-03", "level": "street"}, "period_to", "最长 120 个月"),
    ({"period_from": "2024-1", "period_to": "2024-03", "level": "street"}, "period_from", "YYYY-MM"),
    ({"period_to": "2024-03", "level": "street"}, "period_from", ""),
    ({"period_from": f"{add_months(latest_due_month(), 1):%Y-%m}", "period_to": f"{add_months(latest_due_month(), 1):%Y-%m}",
      "level": "street"}, "period_to", "未到截止日"),
    ({"period_from": "2024-01", "period": "2024-03", "level": "street"}, "period", "不能与"),
    ({"period_to": "", "level": "street"}, "period_to", "不能为空"),
    ({"period": "2024-03", "level": " "}, "level", "不能为空"),
    ({"period_from": "2024-01", "period_to": "2024-03", "area": "D1", "descendants": "true"}, "level", "区域层级"),
    ({"period_from": "2024-01", "period_to": "2024-03", "level": "street", "indicator": "nope"}, "indicator",
     "没有这些指标代码"),
    ({"period_from": "2024-01", "period_to": "2024-03", "level": "street", "page_size": "201"}, "page_size", "200"),
    ({"period_from": "2024-01", "period_to": "2024-03", "level": "street", "descendants": "yes"}, "descendants",
     "true 或 false"),
    ({"period_from": ["2024-01", "2024-02"], "period_to": "2024-03", "level": "street"}, "period_from", "只能给出一次"),
])
def test_a_bad_run_is_refused_in_chinese_naming_the_field(world, params, field, message):
    response = token_client(city_staff()).get(RUNS, params)
    assert response.status_code == 400, response.content
    errors = [error for error in response.json()["errors"] if error["field"] == field]
    assert errors and message in errors[0]["message"], response.json()


def test_a_run_without_level_or_months_is_the_streets_latest_month_and_one_month_is_a_run_of_one(quarter):
    client = token_client(city_staff())
    rows = results(client.get(RUNS, {"period_from": "2024-01", "period_to": "2024-03", "indicator": "complaint_rate"}))
    assert {(row["area_level"], row["area_code"]) for row in rows} == {("street", "S1"), ("street", "S2"), ("street", "S3")}
    latest = f"{latest_due_month():%Y-%m}"
    assert results(client.get(RUNS)) == results(client.get(RUNS, {"period_from": latest, "period_to": latest,
                                                                   "level": "street"}))
    march = {(row["area_code"], row["indicator"]): row for row in results(client.get(RUNS, {"period": "2024-03"}))}
    assert march == run_rows(client, period_from="2024-03", period_to="2024-03", level="street")
    assert Decimal(str(march["S1", "complaint_rate"]["numerator"])) == monthly("street", "S1", "complaint_rate")[
        MARCH].numerator


def test_a_page_of_runs_downloads_as_csv(quarter):
    response = token_client(city_staff()).get(RUNS, {"period_from": "2024-01", "period_to": "2024-03",
                                                     "indicator": "complaint_rate", "format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].split(",")[:3] == ["indicator", "indicator_name", "unit"]
    assert {line.split(",")[4] for line in lines[1:]} == {"S1", "S2", "S3"}


def test_the_feed_refuses_an_aggregate_that_is_not_true_or_false(world):
    response = token_client(city_staff()).get("/api/v1/indicator-values/", {"aggregate": "yes"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "aggregate"


def test_runs_page_through_areas_by_cursor(quarter):
    client = token_client(city_staff())
    params = {"period_from": "2024-01", "period_to": "2024-03", "area": "D1", "descendants": "true",
              "level": "community", "indicator": "complaint_rate", "page_size": "2"}
    first = client.get(RUNS, params).json()
    second = client.get(first["next"]).json()
    assert [row["area_code"] for row in first["results"]] == ["C1", "C2"]
    assert [row["area_code"] for row in second["results"]] == ["C3"] and second["next"] is None


def test_a_page_of_runs_costs_the_same_queries_whatever_its_areas(quarter, django_assert_max_num_queries):
    client = token_client(city_staff())
    params = {"period_from": "2024-01", "period_to": "2024-03"}
    with django_assert_max_num_queries(8):
        assert len(results(client.get(RUNS, {**params, "level": "community"}))) > 40
    with django_assert_max_num_queries(8):
        results(client.get(RUNS, {**params, "area": "S1"}))


def test_a_run_of_february_to_march_leaves_january_out(quarter):
    rows = results(token_client(city_staff()).get(RUNS, {"period_from": "2024-02", "period_to": "2024-03",
                                                         "area": "S1", "indicator": "complaint_rate"}))
    assert [Decimal(str(row["numerator"])) for row in rows] == [
        sum(m.numerator for p, m in monthly("street", "S1", "complaint_rate").items() if p >= FEBRUARY)]
