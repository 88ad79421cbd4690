"""A run of months computed the long way, for the tests to hold the engine's stored-sums read against.

From each compound's facts of every month of the run (stocks and registry states at the last month,
flows summed where each month's compounds were) and the monthly records themselves (a meeting in
any month of the run; the latest counted score since the run's first quarter began), in Python,
compound by compound: nothing of AreaMonthSums, AreaMonthRecency or the facts' carried columns.
"""
import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import F

from metrics.formulas import COMPOUND_FORMULAS, FACT_SUM_COLUMNS, FIRM_PARTY_ORG_COVERAGE, FLOW, STOCK
from metrics.models import CompoundMonthFact, Indicator, IndicatorValue
from metrics.periods import quarter_start
from metrics.selectors import counted_monthly_records, indicator_value

CODE_PATHS = {"community": "community__code", "street": "street__code", "district": "district__code",
              "city": "city__code"}


def run_from_facts(area_level: str, first: datetime.date, last: datetime.date) -> set[tuple]:
    """{(indicator, area code, numerator, denominator, value)} of every area of the level over the run."""
    columns = [c for c in FACT_SUM_COLUMNS if c not in ("consulted", "scored_households", "score_weighted")]
    facts = list(CompoundMonthFact.objects.filter(period__range=(first, last))
                 .values("compound_id", "period", "households", *columns, area=F(CODE_PATHS[area_level])))
    records = counted_monthly_records().filter(period__range=(quarter_start(first), last))
    met = set(records.filter(period__gte=first).exclude(weekly_meetings=0, monthly_meetings=0)
              .values_list("compound_id", flat=True))
    latest_score = {}
    for compound_id, score in (records.exclude(evaluation_score=None).order_by("period")
                               .values_list("compound_id", "evaluation_score")):
        latest_score[compound_id] = score

    sums: dict[str, dict] = defaultdict(lambda: defaultdict(Decimal))
    for fact in facts:
        area = sums[fact["area"]]
        for column, kind in FACT_SUM_COLUMNS.items():
            if kind == FLOW:
                area[column] += fact[column]
        if fact["period"] != last:
            continue
        area["compounds"] += 1
        for column, kind in FACT_SUM_COLUMNS.items():
            if kind == STOCK:
                area[column] += fact[column]
        area["consulted"] += fact["compound_id"] in met
        if fact["compound_id"] in latest_score:
            area["scored_households"] += fact["households"]
            area["score_weighted"] += latest_score[fact["compound_id"]] * fact["households"]

    units = dict(Indicator.objects.values_list("code", "unit"))
    rows = set()
    for code, area in sums.items():
        if not area["compounds"]:
            continue
        for indicator, formula in COMPOUND_FORMULAS.items():
            numerator = area[formula.numerator]
            denominator = area[formula.denominator] / formula.denominator_divisor
            rows.add((indicator, code, numerator, denominator, indicator_value(numerator, denominator, units[indicator])))
    for value in IndicatorValue.objects.filter(indicator_id=FIRM_PARTY_ORG_COVERAGE, area_level=area_level, period=last):
        rows.add((value.indicator_id, value.area_code, value.numerator, value.denominator, value.value))
    return rows


def rows_of(values) -> set[tuple]:
    return {(v.indicator_code, v.area_code, v.numerator, v.denominator, v.value) for v in values}
