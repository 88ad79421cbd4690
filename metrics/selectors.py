"""Reads of the indicator engine: published values of a month with their baseline, previous month
and target, and any run of months (a quarter, a year, a campaign period) from the stored monthly sums.
"""
from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_date

from communities.models import Compound
from reporting.models import MonthlyRecord, ReportState

from .formulas import COMPOUND_FORMULAS, FACT_SUM_COLUMNS, FIRM_PARTY_ORG_COVERAGE, FLOW, STOCK
from .models import AreaMonthRecency, AreaMonthSums, Comparison, CompoundMonthFact, Indicator, IndicatorValue, Target, Unit
from .periods import add_months, month_end, parse_period, quarter_start

VALUE_PLACES = Decimal("0.0001")
NEAR_TARGET_POINTS = Decimal("5")


def counted_report_states(include_submitted: bool) -> list[str]:
    states = [ReportState.APPROVED, ReportState.LOCKED]
    return states + [ReportState.SUBMITTED] if include_submitted else states


def counted_monthly_records(include_submitted: bool | None = None) -> QuerySet[MonthlyRecord]:
    """The monthly records the engine counts: their report approved or locked (or submitted, when the
    setting includes it). A compound-month without one has zeros in its facts, not reported figures."""
    if include_submitted is None:
        include_submitted = settings.METRICS_INCLUDE_SUBMITTED
    return MonthlyRecord.objects.filter(report__state__in=counted_report_states(include_submitted))


def indicator_value(numerator, denominator, unit: str) -> Decimal | None:
    """The value as the database computes it: None on a zero denominator, rounded half up to 4 places."""
    numerator, denominator = Decimal(numerator), Decimal(denominator)
    if not denominator:
        return None
    scale = Decimal(100) if unit == Unit.PERCENT else Decimal(1)
    return (scale * numerator / denominator).quantize(VALUE_PLACES, rounding=ROUND_HALF_UP)


# --- Comparison with baseline, previous month and target -------------------------------------


class Attainment:
    MET = "met"
    NEAR = "near"
    MISSED = "missed"

    labels = {MET: "达标", NEAR: "接近", MISSED: "未达标"}


@dataclass
class ComparedValue:
    indicator: Indicator
    area_level: str
    area_code: str
    period: datetime.date
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    provisional: bool
    baseline_value: Decimal | None
    delta_vs_baseline: Decimal | None
    previous_value: Decimal | None
    delta_vs_previous: Decimal | None
    target: Target | None
    attainment: str | None

    @property
    def attainment_label(self) -> str:
        return Attainment.labels.get(self.attainment, "—")


def baseline_period() -> datetime.date:
    return parse_period(settings.METRICS_BASELINE_PERIOD)


def target_in_force(targets: list[Target], period: datetime.date) -> Target | None:
    """The earliest target whose deadline has not passed at the month's end, else the latest one."""
    if not targets:
        return None
    end = month_end(period)
    ordered = sorted(targets, key=lambda target: target.deadline)
    return next((target for target in ordered if target.deadline >= end), ordered[-1])


def targets_by_area(targets: Iterable[Target]) -> dict[tuple[str, str], list[Target]]:
    """Targets keyed by (indicator code, area code); city-wide targets have the area code ""."""
    keyed: dict[tuple[str, str], list[Target]] = {}
    for target in targets:
        keyed.setdefault((target.indicator_id, target.area_code), []).append(target)
    return keyed


def target_for_area(targets: dict[tuple[str, str], list[Target]], indicator_code: str, area_code: str,
                    period: datetime.date) -> Target | None:
    # An area's own target overrides the city-wide one.
    return target_in_force(targets.get((indicator_code, area_code)) or targets.get((indicator_code, ""), []), period)


def attainment(value: Decimal | None, target: Target | None) -> str | None:
    """Met, near (within 5 points on the wrong side) or missed; None without a value or target."""
    if value is None or target is None:
        return None
    gap = {
        Comparison.AT_LEAST: target.threshold - value,
        Comparison.AT_MOST: value - target.threshold,
        Comparison.EQUAL: abs(value - target.threshold),
    }[target.comparison]
    if gap <= 0:
        return Attainment.MET
    return Attainment.NEAR if gap <= NEAR_TARGET_POINTS else Attainment.MISSED


def _delta(value, other):
    return None if value is None or other is None else value - other


@dataclass(frozen=True)
class _StoredValue:
    value: Decimal | None
    numerator: Decimal
    denominator: Decimal
    provisional: bool


def indicator_values_with_comparison(*, area_level: str, area_codes: list[str], period: datetime.date,
                                     indicator_codes: list[str] | None = None) -> list[ComparedValue]:
    """Every indicator (or those of `indicator_codes`) for the given areas and month, beside its
    baseline, previous month and target.

    Three queries whatever the number of areas: indicators, values of the three months, targets.
    """
    baseline, previous = baseline_period(), add_months(period, -1)
    indicators = Indicator.objects.all()
    values = IndicatorValue.objects.filter(area_level=area_level, area_code__in=area_codes,
                                           period__in={period, previous, baseline}).order_by()
    if indicator_codes is not None:
        indicators = indicators.filter(code__in=indicator_codes)
        values = values.filter(indicator_id__in=indicator_codes)
    indicators = list(indicators)
    # Plain rows, not model instances: a ranking of every street reads thousands of them.
    values = {
        (indicator_id, area_code, month): _StoredValue(value, numerator, denominator, provisional)
        for indicator_id, area_code, month, value, numerator, denominator, provisional in values.values_list(
            "indicator_id", "area_code", "period", "value", "numerator", "denominator", "provisional")
    }
    targets = targets_by_area(Target.objects.filter(Q(area_level="") | Q(area_level=area_level,
                                                                         area_code__in=area_codes)))

    rows = []
    for area_code in area_codes:
        for indicator in indicators:
            current = values.get((indicator.code, area_code, period))
            value = current.value if current else None
            base = values.get((indicator.code, area_code, baseline))
            prev = values.get((indicator.code, area_code, previous))
            target = target_for_area(targets, indicator.code, area_code, period)
            rows.append(ComparedValue(
                indicator=indicator, area_level=area_level, area_code=area_code, period=period,
                value=value,
                numerator=current.numerator if current else None,
                denominator=current.denominator if current else None,
                provisional=bool(current and current.provisional),
                baseline_value=base.value if base else None,
                delta_vs_baseline=_delta(value, base.value if base else None),
                previous_value=prev.value if prev else None,
                delta_vs_previous=_delta(value, prev.value if prev else None),
                target=target,
                attainment=attainment(value, target),
            ))
    return rows


# --- Any run of months, from the stored monthly sums -------------------------------------------


@dataclass
class SpanValue:
    indicator_code: str
    area_code: str
    numerator: Decimal
    denominator: Decimal
    value: Decimal | None
    provisional: bool = False
    # The run's last month with values: `last`, or, for a run whose later months are not computed yet, before it.
    last_period: datetime.date | None = None


def indicator_values_for_run(*, area_level: str, area_codes: list[str] | None, first: datetime.date, last: datetime.date,
                             indicator_codes: list[str] | None = None,
                             indicators: Iterable[Indicator] | None = None) -> list[SpanValue]:
    """Every indicator (or those of `indicator_codes`) of the given areas over the months from `first`
    to `last` (a quarter, a year, a campaign period, a single month), in one query over the stored
    monthly rows (DOMAIN.md "Periods"):

    - flow figures (meetings held, petitions, hotline cases, fees, micro matters, hazards, reports
      expected and on time) are summed over the run's months, each month counting where its
      compounds then were;
    - registry states and stock figures (guards) are the last month's;
    - consultation coverage counts the last month's compounds that held a meeting in any month of
      the run, and service quality takes each of them at its latest score since the start of the
      quarter the run begins in (scores are quarterly, and a month shows its quarter's), weighted by
      its households at the last month;
    - firm party-organisation coverage is a registry state: the last month's.

    `indicators` (rows the caller has already read) may stand for `indicator_codes`, saving the read
    of their units. `area_codes` None means every area of the level. A run whose later months are
    not computed yet runs to its latest computed month (`SpanValue.last_period`); an area without
    compounds at that month has no values. A value is provisional when a month of the run counted
    unapproved figures. A run of one month equals the published month.
    """
    if area_codes is not None and not area_codes:
        return []
    if indicators is not None:
        units = {indicator.code: indicator.unit for indicator in indicators}
        wanted = set(units)
    else:
        wanted = None if indicator_codes is None else set(indicator_codes)
        units = dict(Indicator.objects.values_list("code", "unit"))
    formulas = {code: formula for code, formula in COMPOUND_FORMULAS.items() if wanted is None or code in wanted}
    # Only the figures the wanted indicators read are summed and converted: summing every figure of
    # a level's areas over a year costs more than the rest of the query.
    needed = {"provisional", *(f.numerator for f in formulas.values()), *(f.denominator for f in formulas.values())}
    stock = [c for c, kind in FACT_SUM_COLUMNS.items() if kind == STOCK and c in needed]
    flow = [c for c, kind in FACT_SUM_COLUMNS.items() if kind == FLOW and c in needed]
    at_last_columns = ["compounds", *stock]
    sums, recency, values = (model._meta.db_table for model in (AreaMonthSums, AreaMonthRecency, IndicatorValue))
    codes = "" if area_codes is None else f"AND area_code IN ({', '.join('%s' for _ in area_codes)})"
    area_codes = area_codes or []

    def db(model, day):
        return model._meta.get_field("period").get_db_prep_value(day, connection)

    at_last = "s.period = (SELECT last FROM run_end)"
    columns = [
        *(f"SUM(CASE WHEN {at_last} THEN s.{c} ELSE 0 END)" for c in at_last_columns),
        *(f"SUM(s.{c})" for c in flow), "SUM(s.provisional)",
    ]
    # The run's rows are summed per area first; the last month's recency and firm rows then join
    # one row per area, not one per area and month.
    sql = f"""
        WITH run_end AS (
            SELECT MAX(period) AS last FROM {sums}
            WHERE area_level = %s {codes} AND period >= %s AND period <= %s
        ), summed AS (
            SELECT s.area_code, MAX(s.period) AS run_last, {', '.join(f'{c} AS f{n}' for n, c in enumerate(columns))}
            FROM {sums} s
            WHERE s.area_level = %s {codes.replace('area_code', 's.area_code')} AND s.period >= %s AND s.period <= %s
              AND s.period <= (SELECT last FROM run_end)
            GROUP BY s.area_code
            HAVING SUM(CASE WHEN {at_last} THEN 1 ELSE 0 END) > 0
        )
        SELECT t.area_code, t.run_last, {', '.join(f't.f{n}' for n in range(len(columns)))},
               r.consulted, r.scored_households, r.score_weighted, firm.numerator, firm.denominator, firm.value
        FROM summed t
        LEFT JOIN (
            SELECT area_code, SUM(CASE WHEN month >= %s THEN consulted ELSE 0 END) AS consulted,
                   SUM(CASE WHEN month >= %s THEN scored_households ELSE 0 END) AS scored_households,
                   SUM(CASE WHEN month >= %s THEN score_weighted ELSE 0 END) AS score_weighted
            FROM {recency} WHERE area_level = %s AND period = (SELECT last FROM run_end) {codes}
            GROUP BY area_code
        ) r ON r.area_code = t.area_code
        LEFT JOIN {values} firm ON firm.area_level = %s AND firm.area_code = t.area_code
             AND firm.period = (SELECT last FROM run_end) AND firm.indicator_id = %s
        ORDER BY t.area_code
    """
    first_sums, scores_from = db(AreaMonthSums, first), db(AreaMonthRecency, quarter_start(first))
    params = [area_level, *area_codes, first_sums, db(AreaMonthSums, last),
              area_level, *area_codes, first_sums, db(AreaMonthSums, last),
              db(AreaMonthRecency, first), scores_from, scores_from, area_level, *area_codes,
              area_level, FIRM_PARTY_ORG_COVERAGE]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()

    names = [*at_last_columns, *flow, "provisional", "consulted", "scored_households", "score_weighted"]
    positions = [(name, n) for n, name in enumerate(names) if name in needed]
    result = []
    for area_code, run_last, *figures in rows:
        run_last = parse_date(run_last) if isinstance(run_last, str) else run_last  # SQLite answers text
        totals = {name: Decimal(str(figures[n] or 0)) for name, n in positions}
        provisional = totals["provisional"] > 0
        for code, formula in formulas.items():
            numerator = totals[formula.numerator]
            denominator = totals[formula.denominator] / formula.denominator_divisor
            result.append(SpanValue(code, area_code, numerator, denominator,
                                    indicator_value(numerator, denominator, units[code]),
                                    provisional and formula.uses_monthly_data, run_last))
        firm_numerator, firm_denominator, firm_value = (None if f is None else Decimal(str(f)) for f in figures[len(names):])
        if firm_denominator is not None and (wanted is None or FIRM_PARTY_ORG_COVERAGE in wanted):
            result.append(SpanValue(FIRM_PARTY_ORG_COVERAGE, area_code, firm_numerator, firm_denominator, firm_value,
                                    False, run_last))
    return result


def compound_month_facts(compound: Compound) -> QuerySet[CompoundMonthFact]:
    """A compound's own monthly facts, newest first, for its page."""
    return CompoundMonthFact.objects.filter(compound=compound).order_by("-period")
