import datetime
from decimal import Decimal

import pytest

from reporting.models import MonthlyRecord
from reporting.periods import add_months, current_month
from reporting import validation
from reporting.validation import validate_monthly_rows
from tests.factories import CompoundFactory

from .conftest import PERIOD, row

pytestmark = pytest.mark.django_db


def errors_of(street, *rows, period=PERIOD):
    return [(e.code, e.field, e.message) for e in validate_monthly_rows(street=street, period=period, rows=list(rows)).errors]


def test_valid_row_is_parsed_into_typed_values(street, compounds):
    result = validate_monthly_rows(street=street, period=PERIOD, rows=[
        row("C0001", weekly_meetings="4", fees_due="1200.5", fees_collected=1000, public_revenue_disclosed="是",
            evaluation_score="88.5")])
    assert result.ok
    values = result.rows[0].values
    assert values["weekly_meetings"] == 4
    assert values["fees_due"] == Decimal("1200.50")
    assert values["public_revenue_disclosed"] is True
    assert values["evaluation_score"] == Decimal("88.50")
    assert values["petitions"] == 0, "blank counts in a row with data are zero"


def test_blank_score_means_not_evaluated(street, compounds):
    result = validate_monthly_rows(street=street, period=PERIOD, rows=[row("C0001", petitions=1)])
    assert result.rows[0].values["evaluation_score"] is None


def test_all_blank_row_means_no_data(street, compounds):
    result = validate_monthly_rows(street=street, period=PERIOD, rows=[row("C0001", petitions="", fees_due=None)])
    assert result.ok and result.rows[0].values is None


@pytest.mark.parametrize("raw", ["-1", "1.5", "abc", True])
def test_counts_must_be_whole_numbers_not_below_zero(street, compounds, raw):
    [(code, field, message)] = errors_of(street, row("C0001", petitions=raw))
    assert (code, field) == ("C0001", "petitions")
    assert message.startswith("泉秀花园（C0001）：信访件数 须为不小于0的整数")


def test_whole_float_from_excel_is_accepted_as_count(street, compounds):
    assert errors_of(street, row("C0001", petitions=3.0)) == []


@pytest.mark.parametrize("raw", ["-5", "12.345", "x"])
def test_amounts_must_be_non_negative_with_two_decimals(street, compounds, raw):
    [(_, field, message)] = errors_of(street, row("C0001", fees_due=raw))
    assert field == "fees_due" and "应收物业费(元)" in message


@pytest.mark.parametrize("raw", ["101", "-1", "abc"])
def test_score_must_be_within_0_and_100(street, compounds, raw):
    [(_, field, message)] = errors_of(street, row("C0001", evaluation_score=raw))
    assert field == "evaluation_score" and "须为0到100之间的分数" in message


def test_disclosure_must_be_yes_or_no(street, compounds):
    [(_, field, message)] = errors_of(street, row("C0001", public_revenue_disclosed="也许"))
    assert field == "public_revenue_disclosed" and "请填写“是”或“否”" in message


@pytest.mark.parametrize("part,whole,part_label,whole_label", [
    ("hotline_resolved", "hotline_received", "12345物业诉求办结件数", "12345物业诉求受理件数"),
    ("hotline_satisfied", "hotline_resolved", "12345物业诉求满意件数", "12345物业诉求办结件数"),
    ("fees_collected", "fees_due", "实收物业费(元)", "应收物业费(元)"),
    ("micro_matters_completed", "micro_matters_planned", "微实事完成数", "微实事计划数"),
    ("hazards_rectified", "hazards_found", "整改安全隐患数", "排查安全隐患数"),
    ("guards_certified", "guards_employed", "持证保安人数", "保安人数"),
])
def test_a_part_may_not_exceed_its_whole(street, compounds, part, whole, part_label, whole_label):
    values = {"hotline_received": 20, "hotline_resolved": 20, "fees_due": 20, "micro_matters_planned": 20,
              "hazards_found": 20, "guards_employed": 20, part: 12, whole: 10}
    messages = [(f, m) for _, f, m in errors_of(street, row("C0001", **values))]
    assert (part, f"泉秀花园（C0001）：{part_label}(12) 不能大于{whole_label}(10)") in messages


def test_future_month_is_refused(street, compounds):
    [(_, field, message)] = errors_of(street, row("C0001", petitions=1), period=add_months(current_month(), 1))
    assert field is None and "不能填报未来月份" in message


def test_current_month_is_allowed(street, compounds):
    assert errors_of(street, row("C0001", petitions=1), period=current_month()) == []


def test_compound_of_another_street_is_refused(street, compounds):
    other = CompoundFactory(code="X0001")
    [(code, _, message)] = errors_of(street, row(other.code, petitions=1))
    assert code == "X0001" and "不属于鲤中街道" in message


def test_compound_not_active_at_month_end_is_refused(street, community):
    CompoundFactory(community=community, code="C0009", name="已合并小区", active_from=datetime.date(2020, 1, 1),
                    closed_on=datetime.date(2024, 5, 20))
    CompoundFactory(community=community, code="C0010", name="新小区", active_from=datetime.date(2024, 5, 31))
    result = errors_of(street, row("C0009", petitions=1), row("C0010", petitions=1))
    assert [(code, message) for code, _, message in result] == [
        ("C0009", "已合并小区（C0009）：2024-05 月末不在管（未纳入或已合并/撤销），不能填报")]


def test_same_compound_twice_is_refused(street, compounds):
    [(code, _, message)] = errors_of(street, row("C0001", petitions=1), row("C0001", petitions=2))
    assert "同一小区重复出现" in message


def test_every_bad_cell_is_reported_not_only_the_first(street, compounds):
    errors = errors_of(street, row("C0001", petitions=-1, weekly_meetings="x"), row("C0002", evaluation_score=120))
    assert {(code, field) for code, field, _ in errors} == {
        ("C0001", "petitions"), ("C0001", "weekly_meetings"), ("C0002", "evaluation_score")}


def _history(report_street, compound, values_by_month):
    from reporting.services import monthly_report_get_or_create

    for period, petitions in values_by_month.items():
        report = monthly_report_get_or_create(street=report_street, period=period)
        MonthlyRecord.objects.create(report=report, compound=compound, period=period, petitions=petitions)


def test_value_far_above_own_median_is_accepted_but_flagged(street, compounds, settings):
    settings.MONTHLY_OUTLIER_MULTIPLE = 3
    _history(street, compounds[0], {add_months(PERIOD, -i): 4 for i in range(1, 5)})
    result = validate_monthly_rows(street=street, period=PERIOD, rows=[row("C0001", petitions=13)])
    assert result.ok
    [flag] = result.rows[0].flags
    assert flag["field"] == "petitions"
    assert flag["message"] == "信访件数 13 远高于近6个月中位数 4"


def test_value_within_multiple_of_median_is_not_flagged(street, compounds):
    _history(street, compounds[0], {add_months(PERIOD, -i): 4 for i in range(1, 5)})
    result = validate_monthly_rows(street=street, period=PERIOD, rows=[row("C0001", petitions=12)])
    assert result.rows[0].flags == []


def test_value_far_below_own_median_is_flagged(street, compounds):
    _history(street, compounds[0], {add_months(PERIOD, -i): 10 for i in range(1, 5)})
    result = validate_monthly_rows(street=street, period=PERIOD, rows=[row("C0001", petitions=1)])
    assert "远低于" in result.rows[0].flags[0]["message"]


def test_too_little_history_flags_nothing(street, compounds):
    _history(street, compounds[0], {add_months(PERIOD, -1): 1, add_months(PERIOD, -2): 1})
    result = validate_monthly_rows(street=street, period=PERIOD, rows=[row("C0001", petitions=100)])
    assert result.rows[0].flags == []


def test_a_few_rows_are_judged_as_the_same_rows_in_a_whole_file(street, compounds, community, monkeypatch):
    """A grid page reads only the compounds it names; a file reads its whole street. Same verdicts."""
    CompoundFactory(community=community, code="C0009", name="已合并小区", closed_on=datetime.date(2024, 5, 20))
    CompoundFactory(code="X0001")
    _history(street, compounds[0], {add_months(PERIOD, -i): 4 for i in range(1, 5)})
    rows = [row("C0001", petitions=40), row("C0009", petitions=1), row("X0001", petitions=1), row("NOPE", petitions=1),
            row("C0001", petitions=2), row("C0002"), row("", petitions=1)]

    def verdict():
        result = validate_monthly_rows(street=street, period=PERIOD, rows=rows)
        return ([(e.code, e.field, e.message) for e in result.errors],
                [(r.compound.code, r.values, r.flags) for r in result.rows])

    few = verdict()
    monkeypatch.setattr(validation, "FEW_NAMED", 0)
    assert verdict() == few
    errors, validated = few
    assert [code for code, _, _ in errors] == ["C0009", "X0001", "NOPE", "C0001", ""]
    assert [(code, [flag["field"] for flag in flags]) for code, _, flags in validated] == [
        ("C0001", ["petitions"]), ("C0002", [])]
