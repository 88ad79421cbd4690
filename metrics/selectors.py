"""Reads of the indicator engine: the compound-month fact source, published values with their
baseline, previous month and target, and quarter/year figures (published, or built from the monthly facts).
"""
from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan

from committees.selectors import (
    committee_in_office_q,
    committee_members_on,
    compound_party_coverage_exists,
)
from communities.models import Compound, CompoundManagementPeriod, ManagementMode, ServiceContract
from communities.selectors import (
    compound_active_q,
    compound_managed_exists,
    compound_safety_certified_q,
    compounds_as_of,
    contract_active_q,
    management_period_q,
)
from reporting.models import MonthlyRecord, ReportState

from .formulas import COMPOUND_FORMULAS, FACT_SUM_COLUMNS, FIRM_PARTY_ORG_COVERAGE, FLOW, STOCK
from .models import Comparison, CompoundMonthFact, Indicator, IndicatorSpanValue, IndicatorValue, Target, Unit
from .periods import add_months, month_end, months_between, parse_period, quarter_start

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


def _flag(*conditions, **lookups) -> Case:
    return Case(When(*conditions, **lookups, then=Value(1)), default=Value(0), output_field=IntegerField())


def _member_count(compound_ref, elected_between: tuple[datetime.date, datetime.date], **member_filter) -> Coalesce:
    """Members on the span's last day (with their party membership then) of the compound's
    committees elected within it."""
    members = (committee_members_on(elected_between[1])
               .filter(committee__compound_id=compound_ref, committee__elected_on__range=elected_between, **member_filter)
               .order_by().values("committee__compound_id").annotate(n=Count("pk")).values("n"))
    return Coalesce(Subquery(members, output_field=IntegerField()), Value(0))


def compound_month_fact_source(period: datetime.date, *, street_id: int | None = None,
                               compound_ids: Collection[int] | None = None,
                               include_submitted: bool = False) -> tuple[QuerySet, list[str]]:
    """One row per compound active on the month's last day, with every CompoundMonthFact column.

    Returns the queryset (values() of aliased annotations) and the fact columns in its SELECT
    order, ready for INSERT ... SELECT. Registry state is taken on the last day of the month
    (dated facts, such as households, community or members' party membership, as they were then);
    monthly figures come from the compound's record for the month when its report is in a counted
    state (approved/locked, plus submitted when `include_submitted`).
    """
    end = month_end(period)
    states = counted_report_states(include_submitted)
    compound = OuterRef("pk")
    compounds = compounds_as_of(end, Compound.objects.filter(compound_active_q(end)).order_by())
    if street_id is not None:
        compounds = compounds.filter(street_id_on=street_id)
    if compound_ids is not None:
        compounds = compounds.filter(pk__in=compound_ids)
    compounds = compounds.annotate(
        record=FilteredRelation("monthly_records", condition=Q(monthly_records__period=period)))
    counted = Q(record__report__state__in=states)

    def figure(field: str) -> Case:
        return Case(When(counted, then=F(f"record__{field}")), default=Value(0))

    def money(field: str) -> Case:
        return Case(When(counted, then=F(f"record__{field}")), default=Value(Decimal("0")),
                    output_field=DecimalField(max_digits=14, decimal_places=2))

    quarter_scores = MonthlyRecord.objects.filter(compound_id=compound, period__range=(quarter_start(period), period),
                                                  evaluation_score__isnull=False)
    latest_score = Subquery(quarter_scores.filter(report__state__in=states).order_by("-period")
                            .values("evaluation_score")[:1])
    # The committee in office on the last day, joined: the database allows at most one per compound
    # (committees 0002), so the join keeps one row per compound. A red committee has more party members
    # than others: one lookup of the members of that committee only.
    compounds = compounds.annotate(
        committee=FilteredRelation("committees", condition=committee_in_office_q(end, prefix="committees__")))
    in_office = Q(committee__isnull=False)
    party_majority = (committee_members_on(end).filter(committee_id=OuterRef("committee__id")).order_by()
                      .values("committee_id")
                      .annotate(lead=Sum(Case(When(is_party_member_on=True, then=Value(1)), default=Value(-1))))
                      .values("lead"))
    # A compound is served unless unmanaged (失管); a firm-served compound also needs a live contract.
    firm_served = Exists(CompoundManagementPeriod.objects.filter(management_period_q(end), compound_id=compound,
                                                                 mode=ManagementMode.PROFESSIONAL))
    contracted = Exists(ServiceContract.objects.filter(contract_active_q(end), compound_id=compound))
    renewed_between = (datetime.date(period.year, 1, 1), end)
    eligible = Q(housing_type_on__in=settings.COMMITTEE_ELIGIBLE_HOUSING_TYPES)
    if include_submitted:
        provisional = Q(record__report__state=ReportState.SUBMITTED) | Exists(
            quarter_scores.filter(report__state=ReportState.SUBMITTED))
        provisional_flag = Case(When(provisional, then=Value(True)), default=Value(False))
    else:
        provisional_flag = Value(False)

    columns = {
        "compound_id": F("pk"),
        "period": Value(period),
        "community_id": F("community_id_on"),
        "street_id": F("street_id_on"),
        "district_id": Coalesce(F("dated_community__community__street__district_id"), F("community__street__district_id")),
        "city_id": Coalesce(F("dated_community__community__street__district__city_id"),
                            F("community__street__district__city_id")),
        "households": F("households_on"),
        "party_covered": _flag(compound_party_coverage_exists(end)),
        "committee_eligible": _flag(eligible),
        "committee_eligible_formed": _flag(eligible & in_office),
        "consulted": _flag(counted & (Q(record__weekly_meetings__gt=0) | Q(record__monthly_meetings__gt=0))),
        "evaluation_score": latest_score,
        "complaints": Case(When(counted, then=F("record__petitions") + F("record__hotline_received")),
                           default=Value(0)),
        "committee_in_office": _flag(in_office),
        "red_committee": _flag(in_office & Q(GreaterThan(Subquery(party_majority, output_field=IntegerField()), 0))),
        "dual_role": _flag(committee__chair_is_branch_secretary=True),
        "renewed_members": _member_count(compound, renewed_between),
        "renewed_party_members": _member_count(compound, renewed_between, is_party_member_on=True),
        "service_covered": _flag(compound_managed_exists(end) & (~firm_served | contracted)),
        "safety_certified": _flag(compound_safety_certified_q(end)),
        "fees_due": money("fees_due"),
        "fees_collected": money("fees_collected"),
        "hotline_received": figure("hotline_received"),
        "hotline_resolved": figure("hotline_resolved"),
        "hotline_satisfied": figure("hotline_satisfied"),
        "micro_matters_planned": figure("micro_matters_planned"),
        "micro_matters_completed": figure("micro_matters_completed"),
        "hazards_found": figure("hazards_found"),
        "hazards_rectified": figure("hazards_rectified"),
        "guards_employed": figure("guards_employed"),
        "guards_certified": figure("guards_certified"),
        "report_expected": Value(1),
        # On time = the street's report was submitted (and not sent back) by its due day, Beijing time.
        "reported_on_time": _flag(record__report__state__in=[ReportState.SUBMITTED, ReportState.APPROVED,
                                                             ReportState.LOCKED],
                                  record__report__submitted_at__date__lte=F("record__report__due_on")),
        "provisional": provisional_flag,
    }
    # Aliases avoid clashing with Compound's own field names (households, community...).
    aliased = {f"fact_{name}": expression for name, expression in columns.items()}
    return compounds.annotate(**aliased).values(*aliased), list(columns)


# Per-area sums of the facts; the keys are the names the formulas refer to.
def fact_sums() -> dict:
    sums = {"compounds": Count("pk")}
    sums.update({column: Sum(column) for column in FACT_SUM_COLUMNS
                 if column not in ("scored_households", "score_weighted")})
    sums["scored_households"] = Coalesce(
        Sum(Case(When(evaluation_score__isnull=False, then=F("households")), default=Value(0))), Value(0))
    sums["score_weighted"] = Coalesce(
        Sum(F("evaluation_score") * F("households"), output_field=DecimalField(max_digits=20, decimal_places=2)),
        Value(Decimal("0")), output_field=DecimalField(max_digits=20, decimal_places=2))
    return sums


AREA_CODE_PATHS = {
    "community": "community__code",
    "street": "street__code",
    "district": "district__code",
    "city": "city__code",
}


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


# --- Quarter and year from the monthly facts ---------------------------------------------------


@dataclass
class SpanValue:
    indicator_code: str
    area_code: str
    numerator: Decimal
    denominator: Decimal
    value: Decimal | None
    provisional: bool = False  # as published; the figures built on demand from the facts leave it False


def indicator_values_for_span(*, area_level: str, area_codes: list[str], first: datetime.date,
                              last: datetime.date) -> list[SpanValue]:
    """Quarter or year figures (any run of months) computed on demand from the compound-month facts.

    Flow figures are summed over the months; registry states and stock figures are taken at the
    last month; a compound "held a meeting" when it did in any month; the evaluation score is the
    latest in the span. Firm coverage is a registry state: its value at the last month.
    """
    code_path = AREA_CODE_PATHS[area_level]
    months = months_between(first, last)
    in_area = Q(**{f"{code_path}__in": area_codes})
    span_facts = CompoundMonthFact.objects.filter(in_area, period__in=months).order_by()
    compound = OuterRef("compound_id")
    latest_score = Subquery(CompoundMonthFact.objects.filter(compound_id=compound, period__in=months,
                                                             evaluation_score__isnull=False)
                            .order_by("-period").values("evaluation_score")[:1])
    consulted_any = Exists(CompoundMonthFact.objects.filter(compound_id=compound, period__in=months, consulted=1))

    # Sums are aliased "s_<column>" so they do not shadow the fact columns they are built from.
    stock = {"compounds": Count("pk")}
    stock.update({column: Sum(column) for column, kind in FACT_SUM_COLUMNS.items() if kind == STOCK})
    stock["consulted"] = Sum(_flag(consulted_any))
    stock["scored_households"] = Sum(Case(When(span_score__isnull=False, then=F("households")), default=Value(0)))
    stock["score_weighted"] = Sum(F("span_score") * F("households"),
                                  output_field=DecimalField(max_digits=20, decimal_places=2))
    at_last = (CompoundMonthFact.objects.filter(in_area, period=last).order_by()
               .annotate(span_score=latest_score)
               .values(area_code=F(code_path))
               .annotate(**{f"s_{name}": aggregate for name, aggregate in stock.items()}))
    flow = (span_facts.values(area_code=F(code_path))
            .annotate(**{f"s_{column}": Sum(column) for column, kind in FACT_SUM_COLUMNS.items() if kind == FLOW}))

    sums: dict[str, dict] = {}
    for row in list(at_last) + list(flow):
        sums.setdefault(row.pop("area_code"), {}).update({name[2:]: total for name, total in row.items()})
    units = dict(Indicator.objects.values_list("code", "unit"))
    result = []
    for area_code in area_codes:
        area_sums = sums.get(area_code)
        if not area_sums or "compounds" not in area_sums:
            continue
        for code, formula in COMPOUND_FORMULAS.items():
            numerator = Decimal(area_sums.get(formula.numerator) or 0)
            denominator = Decimal(area_sums.get(formula.denominator) or 0) / formula.denominator_divisor
            result.append(SpanValue(code, area_code, numerator, denominator,
                                    indicator_value(numerator, denominator, units[code])))
    if area_level in ("district", "city"):
        for firm_value in IndicatorValue.objects.filter(indicator_id=FIRM_PARTY_ORG_COVERAGE, area_level=area_level,
                                                        area_code__in=area_codes, period=last):
            result.append(SpanValue(FIRM_PARTY_ORG_COVERAGE, firm_value.area_code, firm_value.numerator,
                                    firm_value.denominator, firm_value.value))
    return result


def published_span_values(*, area_level: str, area_codes: list[str], kind: str, first: datetime.date,
                          last: datetime.date | None, indicator_codes: list[str] | None = None) -> list[SpanValue]:
    """The quarter or year values the engine published, for the span from `first` to `last` (every
    indicator, or those of `indicator_codes`), marked provisional when a month of the span is.

    Equal to `indicator_values_for_span` over the same months, read from one indexed range instead of
    summing facts; a span published up to another last month (a later month since computed) gives nothing.
    `last=None` reads the span as published, up to whichever month its data reaches.
    """
    values = IndicatorSpanValue.objects.filter(kind=kind, period=first, area_level=area_level,
                                               area_code__in=area_codes).order_by()
    if last is not None:
        values = values.filter(last_period=last)
    if indicator_codes is not None:
        values = values.filter(indicator_id__in=indicator_codes)
    return [SpanValue(*row) for row in values.values_list("indicator_id", "area_code", "numerator", "denominator",
                                                          "value", "provisional")]


def compound_month_facts(compound: Compound) -> QuerySet[CompoundMonthFact]:
    """A compound's own monthly facts, newest first, for its page."""
    return CompoundMonthFact.objects.filter(compound=compound).order_by("-period")
