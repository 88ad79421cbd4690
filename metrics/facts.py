"""The SELECT of a month's compound facts: one row per active compound with every fact column.

Each thing a fact needs is aggregated once per compound in its own subquery (the registry's and
committees' "as of day D" selectors give their conditions) and hash-joined to the active compounds,
instead of being looked up by a correlated subquery per compound. When a compound last held a
deliberation meeting and its latest evaluation score are carried from its fact of the month before,
so they cost one join however long ago they were.
"""
from __future__ import annotations

import datetime

from django.conf import settings
from django.db import connection
from django.db.models import Case, Count, F, IntegerField, Max, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

from committees.models import OwnersCommittee
from committees.selectors import committee_members_on, committees_in_office_on, compounds_covered_by_party_org_on
from communities.models import Compound, CompoundManagementPeriod, ManagementMode, ServiceContract
from communities.selectors import (
    compound_active_q,
    compound_safety_certified_q,
    compounds_as_of,
    contract_active_q,
    management_period_q,
)
from reporting.models import MonthlyRecord, ReportState

from .models import CompoundMonthFact
from .periods import add_months, month_end, months_between, quarter_start
from .selectors import counted_report_states

# The monthly figures a fact takes from a counted record, zero without one.
FIGURES = ["hotline_received", "hotline_resolved", "hotline_satisfied", "micro_matters_planned",
           "micro_matters_completed", "hazards_found", "hazards_rectified", "guards_employed", "guards_certified"]
MONEY = ["fees_due", "fees_collected"]


def _flag(*conditions, **lookups) -> Case:
    return Case(When(*conditions, **lookups, then=Value(1)), default=Value(0), output_field=IntegerField())


def _sql(queryset: QuerySet) -> tuple[str, list]:
    sql, params = queryset.query.sql_with_params()
    return sql, list(params)


def _quarter_so_far(period: datetime.date) -> list[tuple[int, datetime.date]]:
    """The months of `period`'s quarter up to it, latest first, numbered."""
    return list(enumerate(reversed(months_between(quarter_start(period), period))))


def _parts(period: datetime.date, *, street_id: int | None, compound_ids, include_submitted: bool) -> dict:
    """The subqueries joined into the facts, by alias; each yields at most one row per compound."""
    end = month_end(period)
    # Dated facts (households, housing type, community) as they were on the month's last day.
    compounds = compounds_as_of(end, Compound.objects.filter(compound_active_q(end)).order_by())
    if street_id is not None:
        compounds = compounds.filter(street_id_on=street_id)
    if compound_ids is not None:
        compounds = compounds.filter(pk__in=compound_ids)
    scoped = street_id is not None or compound_ids is not None

    def in_scope(queryset: QuerySet, compound: str = "compound_id") -> QuerySet:
        # A street's (or some compounds') recompute reads only its own compounds' rows.
        return queryset.filter(**{f"{compound}__in": compounds.values("pk")}) if scoped else queryset

    eligible = Q(housing_type_on__in=settings.COMMITTEE_ELIGIBLE_HOUSING_TYPES)
    states = counted_report_states(include_submitted)
    in_office = in_scope(committees_in_office_on(end))
    quarter_so_far = _quarter_so_far(period)
    return {
        "c": compounds.values(
            compound_id=F("pk"), c_community_id=F("community_id_on"), c_street_id=F("street_id_on"),
            c_district_id=Coalesce(F("dated_community__community__street__district_id"),
                                   F("community__street__district_id")),
            c_city_id=Coalesce(F("dated_community__community__street__district__city_id"),
                               F("community__street__district__city_id")),
            c_households=F("households_on"), eligible=_flag(eligible),
            certified=_flag(compound_safety_certified_q(end))),
        "party": compounds_covered_by_party_org_on(end, in_scope(Compound.objects.order_by(), "pk"))
        .values(compound_id=F("pk")),
        # At most one committee in office per compound (committees 0002).
        "office": in_office.order_by().values("compound_id").annotate(dual=Max(_flag(chair_is_branch_secretary=True))),
        # Its members on the last day, with their party membership then.
        "office_members": committee_members_on(end).filter(committee__in=in_office).order_by()
        .values(compound_id=F("committee__compound_id")).annotate(
            member_count=Count("pk"), party_count=Count("pk", filter=Q(is_party_member_on=True))),
        "renewed": committee_members_on(end).filter(
            committee__in=in_scope(OwnersCommittee.objects.filter(elected_on__range=(period.replace(month=1), end))))
        .order_by().values(compound_id=F("committee__compound_id")).annotate(
            member_count=Count("pk"), party_count=Count("pk", filter=Q(is_party_member_on=True))),
        "managed": in_scope(CompoundManagementPeriod.objects.filter(management_period_q(end))).order_by()
        .values("compound_id").annotate(
            managed=Max(_flag(~Q(mode=ManagementMode.UNMANAGED))),
            by_firm=Max(_flag(mode=ManagementMode.PROFESSIONAL))),
        "contracted": in_scope(ServiceContract.objects.filter(contract_active_q(end))).order_by()
        .values("compound_id").distinct(),
        "r": in_scope(MonthlyRecord.objects.filter(period=period)).order_by().values(
            "compound_id", "weekly_meetings", "monthly_meetings", "petitions", *FIGURES, *MONEY,
            counted=_flag(report__state__in=states),
            submitted=_flag(report__state=ReportState.SUBMITTED),
            # On time = the street's report was submitted (and not sent back) by its due day, Beijing time.
            on_time=_flag(report__state__in=[ReportState.SUBMITTED, ReportState.APPROVED, ReportState.LOCKED],
                          report__submitted_at__date__lte=F("report__due_on"))),
        # The latest counted score of each month of the quarter so far, in one pass over its records.
        "score": in_scope(MonthlyRecord.objects.filter(period__range=(quarter_start(period), period),
                                                        report__state__in=states, evaluation_score__isnull=False))
        .order_by().values("compound_id").annotate(
            **{f"score_{n}": Max(Case(When(period=month, then=F("evaluation_score")))) for n, month in quarter_so_far},
            **{f"submitted_{n}": Max(_flag(period=month, report__state=ReportState.SUBMITTED))
               for n, month in quarter_so_far}),
        "prev": in_scope(CompoundMonthFact.objects.filter(period=add_months(period, -1))).order_by().values(
            "compound_id", "last_consulted_period", "evaluation_score", "last_scored_period", "score_provisional"),
    }


def compound_month_fact_select(period: datetime.date, *, street_id: int | None = None, compound_ids=None,
                               include_submitted: bool = False) -> tuple[str, list, list[str]]:
    """The facts' SELECT, its parameters and the CompoundMonthFact columns it yields, in order.

    Of every active compound, a street's or some compounds' (wherever they are now). Registry state,
    dated facts included, is taken on the month's last day; monthly figures come from the compound's record
    for the month when its report is in a counted state (approved or locked, plus submitted with
    `include_submitted`). A compound-month without a counted record has zeros, not reported figures.
    """
    parts = _parts(period, street_id=street_id, compound_ids=compound_ids, include_submitted=include_submitted)
    joined, params = [], []
    for alias, queryset in parts.items():
        sql, part_params = _sql(queryset)
        params += part_params
        joined.append(f"({sql}) {alias}" if alias == "c" else f"LEFT JOIN ({sql}) {alias} ON {alias}.compound_id = c.compound_id")
    counted = "r.counted = 1"
    met = f"{counted} AND (r.weekly_meetings > 0 OR r.monthly_meetings > 0)"
    # The latest score of the quarter so far from its records, else the one carried from before it.
    quarter_so_far = _quarter_so_far(period)
    in_quarter = [f"score.score_{n} IS NOT NULL" for n, _month in quarter_so_far]

    def when(condition: str) -> str:
        return f"CASE WHEN {condition} THEN 1 ELSE 0 END"

    columns = {
        "compound_id": "c.compound_id",
        "period": "%s",
        "community_id": "c.c_community_id",
        "street_id": "c.c_street_id",
        "district_id": "c.c_district_id",
        "city_id": "c.c_city_id",
        "households": "c.c_households",
        "party_covered": when("party.compound_id IS NOT NULL"),
        "committee_eligible": "c.eligible",
        "committee_eligible_formed": when("c.eligible = 1 AND office.compound_id IS NOT NULL"),
        "consulted": when(met),
        "last_consulted_period": f"CASE WHEN {met} THEN %s ELSE prev.last_consulted_period END",
        "evaluation_score": f"COALESCE({', '.join(f'score.score_{n}' for n, _m in quarter_so_far)}, prev.evaluation_score)",
        "last_scored_period": (f"CASE {' '.join(f'WHEN {found} THEN %s' for found in in_quarter)} "
                               f"ELSE prev.last_scored_period END"),
        "score_provisional": (f"CASE {' '.join(f'WHEN {found} THEN score.submitted_{n} = 1' for (n, _m), found in zip(quarter_so_far, in_quarter))} "
                              f"ELSE COALESCE(prev.score_provisional, false) END"),
        "complaints": f"CASE WHEN {counted} THEN r.petitions + r.hotline_received ELSE 0 END",
        "committee_in_office": when("office.compound_id IS NOT NULL"),
        # A red committee has more party members than others.
        "red_committee": when("office.compound_id IS NOT NULL AND 2 * office_members.party_count > office_members.member_count"),
        "dual_role": "COALESCE(office.dual, 0)",
        "renewed_members": "COALESCE(renewed.member_count, 0)",
        "renewed_party_members": "COALESCE(renewed.party_count, 0)",
        # Served unless unmanaged (失管); a firm-served compound also needs a live contract.
        "service_covered": when("managed.managed = 1 AND (managed.by_firm = 0 OR contracted.compound_id IS NOT NULL)"),
        "safety_certified": "c.certified",
        **{name: f"CASE WHEN {counted} THEN r.{name} ELSE 0 END" for name in [*MONEY, *FIGURES]},
        "report_expected": "1",
        "reported_on_time": "COALESCE(r.on_time, 0)",
        "provisional": "false",
    }
    if include_submitted:
        # Unapproved figures this month, or an unapproved score of the month's quarter.
        columns["provisional"] = (f"(COALESCE(r.submitted, 0) = 1 OR "
                                  f"{' OR '.join(f'COALESCE(score.submitted_{n}, 0) = 1' for n, _m in quarter_so_far)})")
    day = CompoundMonthFact._meta.get_field("period").get_db_prep_value
    select_params = [day(period, connection)] * 2 + [day(month, connection) for _n, month in quarter_so_far]
    select = f"SELECT {', '.join(f'{sql} AS {name}' for name, sql in columns.items())} FROM {' '.join(joined)}"
    return select, [*select_params, *params], list(columns)

