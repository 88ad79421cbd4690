"""Writes of the indicator engine: rebuild compound-month facts, roll them up, publish atomically.

A recompute is a handful of set-based statements whatever the number of compounds or areas:
  1. INSERT ... SELECT the facts of every active compound (the ORM builds the SELECT);
  2. per level, INSERT ... SELECT one value per area and indicator from a GROUP BY over the facts
     (numerators and denominators are summed, the value is computed from the sums);
  3. firm party-organisation coverage, counted over firms by registered district;
  4. the quarter and the year containing the month, from a temporary table of their sums per area.
A street's recompute sums only its own facts; its district and city are re-rolled from the stored
sums of their streets and districts.
Everything a recompute replaces is deleted and rewritten inside one transaction, so readers see
either the old month or the new one, and a crash leaves the old values published.
"""
from __future__ import annotations

import datetime
import os
import time
from collections.abc import Callable, Collection, Iterable
from decimal import Decimal
from itertools import product

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Max, Min, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext

from committees.selectors import firms_covered_by_party_org_on
from common.enqueue import send_after_commit
from communities.models import Community, Compound
from communities.selectors import sanyou_firms_on
from districts.models import City, District, Street

from .formulas import COMPOUND_FORMULAS, FACT_SUM_COLUMNS, FIRM_PARTY_ORG_COVERAGE, FLOW, STOCK
from .models import (
    CompoundMonthFact,
    IndicatorSpanValue,
    IndicatorValue,
    RecomputeJob,
    SpanKind,
    SpanLeafSums,
    StaleStreetMonth,
    Unit,
)
from .periods import add_months, current_period, month_end, months_between, parse_period, quarter_start
from .selectors import AREA_CODE_PATHS, compound_month_fact_source, fact_sums, indicator_value

LEVELS = ("community", "street", "district", "city")
# First key of the PostgreSQL advisory locks taken per month ("QZPM" in ASCII) and per quarter or year ("QZPS").
MONTH_LOCK_NAMESPACE = 0x515A504D
SPAN_LOCK_NAMESPACE = 0x515A5053


def _include_submitted(include_submitted: bool | None) -> bool:
    return settings.METRICS_INCLUDE_SUBMITTED if include_submitted is None else include_submitted


def _pause_between_phases() -> None:
    # Test hook: lets the crash test kill a worker while a recompute's transaction is open.
    seconds = float(os.environ.get("METRICS_RECOMPUTE_PAUSE_SECONDS") or 0)
    if seconds:
        time.sleep(seconds)


def _start_month_write(period: datetime.date) -> None:
    """Serialise recomputes of one month (street or whole) across workers; other months run in parallel.

    SQLite already serialises writers. On PostgreSQL, a transaction-level advisory lock per month;
    JIT off (compiling these wide statements costs seconds and never pays back at this size) and
    enough work_mem for the per-community GROUP BY to stay in memory.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '64MB'")
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [MONTH_LOCK_NAMESPACE, period.year * 100 + period.month])


def _insert_facts(period: datetime.date, *, street_id: int | None, include_submitted: bool,
                  compound_ids: Collection[int] | None = None, replace_moved: bool = False) -> int:
    """INSERT ... SELECT the month's facts. With `replace_moved`, a compound that still has a fact
    under the street it left gets that fact replaced (the old street, marked by the same move,
    re-sums without it)."""
    source, columns = compound_month_fact_source(period, street_id=street_id, compound_ids=compound_ids,
                                                 include_submitted=include_submitted)
    select_sql, params = source.query.sql_with_params()
    table = CompoundMonthFact._meta.db_table
    quoted = [connection.ops.quote_name(column) for column in columns]
    sql = f"INSERT INTO {table} ({', '.join(quoted)}) {select_sql}"
    if replace_moved:
        updates = ", ".join(f"{name} = EXCLUDED.{name}" for column, name in zip(columns, quoted)
                            if column not in ("compound_id", "period"))
        sql += f" ON CONFLICT (compound_id, period) DO UPDATE SET {updates}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _replace_street_facts(period: datetime.date, *, street_id: int, compound_ids: Collection[int] | None,
                          include_submitted: bool) -> None:
    """Rebuild the month's facts of the given compounds (wherever they now are), or of the whole street."""
    facts = CompoundMonthFact.objects.filter(period=period)
    if compound_ids is None:
        facts.filter(street_id=street_id).delete()
        _insert_facts(period, street_id=street_id, include_submitted=include_submitted, replace_moved=True)
    else:
        facts.filter(compound_id__in=compound_ids).delete()
        _insert_facts(period, street_id=None, compound_ids=compound_ids, include_submitted=include_submitted)


def _constant_params(model, constants: dict[str, object]) -> list:
    return [model._meta.get_field(name).get_db_prep_value(value, connection) for name, value in constants.items()]


def _insert_formula_values(model, constants: dict[str, object], sums_sql: str, sums_params) -> int:
    """INSERT ... SELECT every compound-based indicator of every area in `sums_sql`.

    `sums_sql` yields one row per area: area_code, s_<name> for each name the formulas use, and
    s_provisional; `constants` fill the model's other columns (level, period, computed time...).
    """
    def by_code(expression: Callable[[str, object], str]) -> str:
        branches = " ".join(f"WHEN '{code}' THEN {expression(code, formula)}"
                            for code, formula in COMPOUND_FORMULAS.items())
        return f"CASE i.code {branches} END"

    numerator = by_code(lambda code, f: f"s.s_{f.numerator}")
    denominator = by_code(lambda code, f: f"s.s_{f.denominator}" if f.denominator_divisor == 1
                          else f"s.s_{f.denominator} / {f.denominator_divisor}.0")
    monthly_codes = ", ".join(f"'{code}'" for code, f in COMPOUND_FORMULAS.items() if f.uses_monthly_data)
    codes = ", ".join(f"'{code}'" for code in COMPOUND_FORMULAS)
    constant_columns = ", ".join(constants)
    placeholders = ", ".join("%s" for _ in constants)
    sql = f"""
        INSERT INTO {model._meta.db_table}
            (indicator_id, area_code, numerator, denominator, value, provisional, {constant_columns})
        SELECT code, area_code, num, den,
               CASE WHEN den = 0 THEN NULL ELSE ROUND(scale * num / den, 4) END,
               prov > 0, {placeholders}
        FROM (
            SELECT i.code AS code, s.area_code AS area_code,
                   {numerator} AS num, {denominator} AS den,
                   CASE WHEN i.unit = '{Unit.PERCENT}' THEN 100.0 ELSE 1.0 END AS scale,
                   CASE WHEN i.code IN ({monthly_codes}) THEN s.s_provisional ELSE 0 END AS prov
            FROM ({sums_sql}) s CROSS JOIN metrics_indicator i
            WHERE i.code IN ({codes})
        ) x
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*_constant_params(model, constants), *sums_params])
        return cursor.rowcount


def _insert_compound_values(level: str, period: datetime.date, fact_filter: Q, computed_at) -> int:
    """One INSERT ... SELECT of every compound-based indicator for every area of `level`."""
    sums = (CompoundMonthFact.objects.filter(fact_filter, period=period).order_by()
            .values(area_code=F(AREA_CODE_PATHS[level]))
            .annotate(**{f"s_{name}": aggregate for name, aggregate in fact_sums().items()},
                      s_provisional=Count("pk", filter=Q(provisional=True))))
    sums_sql, sums_params = sums.query.sql_with_params()
    constants = {"area_level": level, "period": period, "computed_at": computed_at}
    return _insert_formula_values(IndicatorValue, constants, sums_sql, sums_params)


def _insert_rolled_up_values(model, constants: dict[str, object], children: Q, child_level: str) -> int:
    """One area's compound-based values from its children's stored sums, instead of re-summing its facts.

    Exact: every compound-based numerator and denominator is a sum over compounds, so summing the
    children's gives the parent's. Firm coverage is counted by registered district, so it is not here.
    `constants` name the parent (area_level, area_code) and the period columns the children share.
    """
    shared = {name: value for name, value in constants.items() if name not in ("area_level", "area_code", "computed_at")}
    rows = (model.objects.filter(children, area_level=child_level, indicator_id__in=list(COMPOUND_FORMULAS), **shared)
            .order_by().values("indicator_id")
            .annotate(num=Sum("numerator"), den=Sum("denominator"), prov=Count("pk", filter=Q(provisional=True))))
    rows_sql, rows_params = rows.query.sql_with_params()
    constant_columns = ", ".join(constants)
    placeholders = ", ".join("%s" for _ in constants)
    sql = f"""
        INSERT INTO {model._meta.db_table}
            (indicator_id, numerator, denominator, value, provisional, {constant_columns})
        SELECT r.indicator_id, r.num, r.den,
               CASE WHEN r.den = 0 THEN NULL
                    ELSE ROUND(CASE WHEN i.unit = '{Unit.PERCENT}' THEN 100.0 ELSE 1.0 END * r.num / r.den, 4) END,
               r.prov > 0, {placeholders}
        FROM ({rows_sql}) r JOIN metrics_indicator i ON i.code = r.indicator_id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [*_constant_params(model, constants), *rows_params])
        return cursor.rowcount


def _write_firm_values(period: datetime.date, *, district: District | None, computed_at) -> int:
    """三有 firms covered / 三有 firms, by registered district and summed to the city.

    For one district (a street recompute) only its own firms are counted; the city adds the
    published figures of its other districts, as the street-level roll-up does, so the cost
    follows the district's firms, not the whole register.
    """
    firms = sanyou_firms_on(month_end(period)).order_by()
    if district is not None:
        firms = firms.filter(registered_district_id=district.pk)
    # "id in (covered firms)": the covered set is found once by a semi-join, not probed once per firm.
    covered = Q(pk__in=firms_covered_by_party_org_on(month_end(period), firms).values("pk"))
    by_district = firms.values("registered_district_id", district_code=F("registered_district__code"),
                               city_code=F("registered_district__city__code"))
    by_area: dict[tuple[str, str], list[int]] = {}
    for row in by_district.annotate(firms=Count("pk"), covered=Count("pk", filter=Q(covered))):
        by_area[("district", row["district_code"])] = [row["covered"], row["firms"]]
        city = by_area.setdefault(("city", row["city_code"]), [0, 0])
        city[0] += row["covered"]
        city[1] += row["firms"]
    if district is not None:
        others = (IndicatorValue.objects.filter(indicator_id=FIRM_PARTY_ORG_COVERAGE, period=period, area_level="district",
                                                area_code__in=District.objects.filter(city_id=district.city_id)
                                                .exclude(pk=district.pk).values("code"))
                  .aggregate(rows=Count("pk"), covered=Sum("numerator"), firms=Sum("denominator")))
        if others["rows"]:
            city = by_area.setdefault(("city", district.city.code), [0, 0])
            city[0] += int(others["covered"])
            city[1] += int(others["firms"])
    IndicatorValue.objects.bulk_create([
        IndicatorValue(indicator_id=FIRM_PARTY_ORG_COVERAGE, area_level=level, area_code=code, period=period,
                       numerator=Decimal(numerator), denominator=Decimal(denominator),
                       value=indicator_value(numerator, denominator, Unit.PERCENT), computed_at=computed_at)
        for (level, code), (numerator, denominator) in by_area.items()
    ])
    return len(by_area)


# --- Quarters and years -------------------------------------------------------------------------

# The area ids a fact carries, from the community up: a span's sums are kept apart per combination,
# so every level groups facts by the area they had in their own month, as the monthly values do.
LEAF_AREAS = {"community": Community, "street": Street, "district": District, "city": City}
LEAF_IDS = [f"{level}_id" for level in LEAF_AREAS]
LEAF_TABLE = SpanLeafSums._meta.db_table
# The summed columns of a stored span row.
LEAF_SUMS = ["compounds", *FACT_SUM_COLUMNS, "provisional"]
# A month as a whole number that orders like the date, in each database's own date arithmetic.
SORTABLE_DAY = {"postgresql": "(period - DATE '2000-01-01')::bigint", "sqlite": "CAST(julianday(period) AS INTEGER)"}


def _span_first_months(period: datetime.date) -> dict[str, datetime.date]:
    return {SpanKind.QUARTER: quarter_start(period), SpanKind.YEAR: datetime.date(period.year, 1, 1)}


def _lock_span(kind: str, first: datetime.date) -> None:
    """Two months of one quarter may be recomputed at once: their span rewrites take turns, always
    quarter before year after the month's own lock, so no two recomputes wait on each other in a circle."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)",
                           [SPAN_LOCK_NAMESPACE, first.year * 100 + (first.month if kind == SpanKind.QUARTER else 0)])


def _span_last_month(kind: str, first: datetime.date) -> datetime.date | None:
    """The span's latest month with facts: a quarter or year not over yet runs up to it."""
    span_end = add_months(first, 2 if kind == SpanKind.QUARTER else 11)
    return CompoundMonthFact.objects.filter(period__range=(first, span_end)).aggregate(last=Max("period"))["last"]


def _span_leaf(first: datetime.date, last: datetime.date, *, street_id: int | None = None,
               compound_ids: Collection[int] | None = None) -> tuple[str, list, list[str]]:
    """The SELECT of a span's sums per combination of area ids (DOMAIN.md "Periods"), its parameters
    and its columns after the ids, over all facts, a street's or some compounds'.

    Registry states and stock figures come from the compounds' facts at the span's last month;
    "held a meeting" is true when it was in any month; the evaluation score is the latest in the
    span, weighted by households at the last month; flow figures are summed over every month.
    Every sum is a sum over compounds, so the sums of a set of compounds add up.
    """
    ids, f_ids = ", ".join(LEAF_IDS), ", ".join(f"f.{name}" for name in LEAF_IDS)
    stock = [c for c, kind in FACT_SUM_COLUMNS.items() if kind == STOCK]
    flow = [c for c, kind in FACT_SUM_COLUMNS.items() if kind == FLOW]
    span_only = ["consulted", "scored_households", "score_weighted"]
    stock_sums = ", ".join(f"SUM(f.{c}) AS {c}" for c in stock)
    flow_zeros = ", ".join(f"0 AS {c}" for c in flow)
    stock_zeros = ", ".join(f"0 AS {c}" for c in ["compounds", *stock, *span_only])
    flow_sums = ", ".join(f"SUM({c}) AS {c}" for c in flow)
    scope, scope_params = "", []
    if street_id is not None:
        scope, scope_params = " AND {t}street_id = %s", [street_id]
    if compound_ids is not None:
        scope += f" AND {{t}}compound_id IN ({', '.join('%s' for _ in compound_ids)})"
        scope_params = [*scope_params, *compound_ids]
    facts = CompoundMonthFact._meta.db_table
    # Each compound's "held a meeting in any month" and latest score, in one pass over its months:
    # the greatest day number × 10⁶ + score × 100 carries the latest month's score in its last digits.
    latest_key = f"{SORTABLE_DAY[connection.vendor]} * 1000000 + ROUND(evaluation_score * 100)"
    sql = f"""
        SELECT {f_ids}, COUNT(*) AS compounds, {stock_sums},
               SUM(p.consulted_any) AS consulted,
               SUM(CASE WHEN p.score IS NOT NULL THEN f.households ELSE 0 END) AS scored_households,
               COALESCE(SUM(p.score * f.households), 0) AS score_weighted,
               {flow_zeros}, 0 AS provisional
        FROM {facts} f
        JOIN (
            SELECT compound_id, MAX(consulted) AS consulted_any,
                   MAX({latest_key}) %% 1000000 / 100.0 AS score
            FROM {facts} WHERE period >= %s AND period <= %s {scope.format(t="")}
            GROUP BY compound_id
        ) p ON p.compound_id = f.compound_id
        WHERE f.period = %s {scope.format(t="f.")}
        GROUP BY {f_ids}
        UNION ALL
        SELECT {ids}, {stock_zeros}, {flow_sums}, SUM(CASE WHEN provisional THEN 1 ELSE 0 END)
        FROM {facts} WHERE period >= %s AND period <= %s {scope.format(t="")}
        GROUP BY {ids}
    """
    field = CompoundMonthFact._meta.get_field("period")
    first_db, last_db = (field.get_db_prep_value(day, connection) for day in (first, last))
    params = [first_db, last_db, *scope_params, last_db, *scope_params, first_db, last_db, *scope_params]
    return sql, params, ["compounds", *stock, *span_only, *flow, "provisional"]


def _store_leaf(kind: str, first: datetime.date, last: datetime.date, *, street_id: int | None = None,
                compound_ids: Collection[int] | None = None, sign: int = 1) -> None:
    """Add a span's sums (of everything, a street or some compounds; `sign` -1 to take them away) to
    the stored SpanLeafSums rows."""
    sql, params, columns = _span_leaf(first, last, street_id=street_id, compound_ids=compound_ids)
    signed = ", ".join(f"{'-' if sign < 0 else ''}leaf.{c}" for c in columns)
    constants = _constant_params(SpanLeafSums, {"kind": kind, "period": first, "last_period": last})
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {LEAF_TABLE} (kind, period, last_period, {', '.join(LEAF_IDS)}, {', '.join(columns)}) "
                       f"SELECT %s, %s, %s, {', '.join(f'leaf.{name}' for name in LEAF_IDS)}, {signed} "
                       f"FROM ({sql}) leaf", [*constants, *params])


def _collapse_street_leaf(kind: str, first: datetime.date, street_id: int) -> None:
    """Sum a street's stored rows of a span into one row per combination of area ids."""
    columns = ", ".join(["kind", "period", "last_period", *LEAF_IDS, *LEAF_SUMS])
    sums = ", ".join(["kind", "period", "last_period", *LEAF_IDS, *(f"SUM({c}) AS {c}" for c in LEAF_SUMS)])
    where = "kind = %s AND period = %s AND street_id = %s"
    params = [*_constant_params(SpanLeafSums, {"kind": kind, "period": first}), street_id]
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE metrics_span_leaf AS SELECT {sums} FROM {LEAF_TABLE} WHERE {where} "
                       f"GROUP BY kind, period, last_period, {', '.join(LEAF_IDS)}", params)
        cursor.execute(f"DELETE FROM {LEAF_TABLE} WHERE {where}", params)
        cursor.execute(f"INSERT INTO {LEAF_TABLE} ({columns}) SELECT * FROM metrics_span_leaf")
        cursor.execute("DROP TABLE metrics_span_leaf")


def _span_leaf_sums(level: str, kind: str, first: datetime.date, street_id: int | None) -> tuple[str, list]:
    """Per area of `level`, from the stored SpanLeafSums of the span (of one street, or all): its code
    and the s_<name> sums the formulas read; areas without compounds at the last month are left out."""
    area = LEAF_AREAS[level]._meta.db_table
    columns = ", ".join(f"SUM(l.{c}) AS s_{c}" for c in LEAF_SUMS)
    where, params = "l.kind = %s AND l.period = %s", _constant_params(SpanLeafSums, {"kind": kind, "period": first})
    if street_id is not None:
        where, params = where + " AND l.street_id = %s", [*params, street_id]
    return (f"SELECT a.code AS area_code, {columns} FROM {LEAF_TABLE} l JOIN {area} a ON a.id = l.{level}_id "
            f"WHERE {where} GROUP BY a.code HAVING SUM(l.compounds) > 0", params)


def _take_out_span_sums(period: datetime.date, *, street_id: int, compound_ids: Collection[int]) -> dict[str, datetime.date]:
    """Before some compounds' facts are rebuilt: take their sums out of the street's stored span sums,
    for each span (locked from here to the commit) whose stored sums can be updated that way.

    Returns {kind: last month} of those spans. A span is left to be rebuilt whole when the street has
    no stored sums at its last month, when one of the compounds is, or was in the span, in another
    street (a move: both streets are rebuilt), or when one was deleted, its facts with it.
    """
    taken_out = {}
    in_street = Compound.objects.filter(pk__in=compound_ids, community__street_id=street_id).count()
    for kind, first in _span_first_months(period).items():
        _lock_span(kind, first)
        last = _span_last_month(kind, first)
        if in_street != len(compound_ids) or last is None:
            continue
        stored = SpanLeafSums.objects.filter(kind=kind, period=first, street_id=street_id).aggregate(
            rows=Count("pk"), earliest=Min("last_period"), latest=Max("last_period"))
        if not stored["rows"] or stored["earliest"] != last or stored["latest"] != last:
            continue
        if CompoundMonthFact.objects.filter(compound_id__in=compound_ids, period__range=(first, last)).exclude(
                street_id=street_id).exists():
            continue
        _store_leaf(kind, first, last, compound_ids=compound_ids, sign=-1)
        taken_out[kind] = last
    return taken_out


def _publish_spans(period: datetime.date, *, street: Street | None, computed_at,
                   compound_ids: Collection[int] | None = None, taken_out: dict | None = None) -> int:
    """Rewrite the quarter and the year that contain `period`, up to their latest month with facts.

    Their sums per combination of area ids are stored (SpanLeafSums) and every level is summed from
    them. For one street: its stored sums are rebuilt from its facts, or, for the spans in
    `taken_out`, get back the rebuilt `compound_ids`' sums; its communities and itself are published
    from them, its district and city from the published sums of their streets and districts.
    """
    written = 0
    taken_out = taken_out or {}
    if street is not None:
        community_codes = list(Community.objects.filter(street_id=street.pk).values_list("code", flat=True))
        own_areas = (Q(area_level="community", area_code__in=community_codes) | Q(area_level="street", area_code=street.code)
                     | Q(area_level="district", area_code=street.district.code)
                     | Q(area_level="city", area_code=street.district.city.code))
    street_id = None if street is None else street.pk
    for kind, first in _span_first_months(period).items():
        _lock_span(kind, first)
        last = _span_last_month(kind, first)
        stored = IndicatorSpanValue.objects.filter(kind=kind, period=first)
        (stored if street is None else stored.filter(own_areas)).delete()
        if last is not None and taken_out.get(kind) == last:
            _store_leaf(kind, first, last, compound_ids=compound_ids)
            _collapse_street_leaf(kind, first, street_id)
        else:
            leaf = SpanLeafSums.objects.filter(kind=kind, period=first)
            (leaf if street is None else leaf.filter(street_id=street_id)).delete()
            if last is not None:
                _store_leaf(kind, first, last, street_id=street_id)
        if last is None:
            continue
        constants = {"kind": kind, "period": first, "last_period": last, "computed_at": computed_at}
        levels = LEAF_AREAS if street is None else ("community", "street")
        written += sum(_insert_formula_values(IndicatorSpanValue, {"area_level": level, **constants},
                                              *_span_leaf_sums(level, kind, first, street_id)) for level in levels)
        if street is not None:
            written += _roll_up_district_and_city(IndicatorSpanValue, street, constants)
        # Firm coverage is a registry state: its value at the span's last month.
        firm_values = IndicatorValue.objects.filter(indicator_id=FIRM_PARTY_ORG_COVERAGE, period=last)
        if street is not None:
            firm_values = firm_values.filter(area_code__in=[street.district.code, street.district.city.code])
        written += len(IndicatorSpanValue.objects.bulk_create([
            IndicatorSpanValue(indicator_id=value.indicator_id, area_level=value.area_level, area_code=value.area_code,
                               numerator=value.numerator, denominator=value.denominator, value=value.value,
                               provisional=value.provisional, **constants)
            for value in firm_values]))
    return written


def recompute_month(*, period: datetime.date, include_submitted: bool | None = None) -> int:
    """Rebuild and publish every area's values for one month. Returns the number of values written."""
    include_submitted = _include_submitted(include_submitted)
    computed_at = timezone.now()
    with transaction.atomic():
        _start_month_write(period)
        CompoundMonthFact.objects.filter(period=period).delete()
        _insert_facts(period, street_id=None, include_submitted=include_submitted)
        _pause_between_phases()
        IndicatorValue.objects.filter(period=period).delete()
        written = sum(_insert_compound_values(level, period, Q(), computed_at) for level in LEVELS)
        written += _write_firm_values(period, district=None, computed_at=computed_at)
        written += _publish_spans(period, street=None, computed_at=computed_at)
    return written


def recompute_street_month(*, street_id: int, period: datetime.date, include_submitted: bool | None = None,
                           consume_stale_marks: bool = False) -> int:
    """Rebuild a street's facts for a month and re-roll the street, its communities, district and city.

    The communities are summed from the street's facts; the street, district and city from the
    published sums of their communities, streets and districts. The cost follows the street's size,
    and the facts rebuilt follow the edit.

    With `consume_stale_marks`, the street-month's stale marks decide which facts to rebuild (only the
    compounds they name, when the street-month was built before) and are removed in the same
    transaction, so a crash keeps them and a later run retries; when another run has already taken
    them, nothing is done and 0 is returned.
    """
    include_submitted = _include_submitted(include_submitted)
    street = Street.objects.select_related("district__city").get(pk=street_id)
    district = street.district
    computed_at = timezone.now()
    compound_ids = None
    with transaction.atomic():
        _start_month_write(period)
        if consume_stale_marks:
            marked = _take_stale_marks(street_id, period)
            if not marked:
                return 0
            if (None not in marked and len(marked) <= settings.METRICS_STALE_COMPOUND_LIMIT
                    and _street_month_built(period, street_id, marked)):
                compound_ids = marked
        # Some compounds only: their old sums leave the stored quarter and year before their facts change.
        taken_out = {} if compound_ids is None else _take_out_span_sums(period, street_id=street_id,
                                                                        compound_ids=compound_ids)
        _replace_street_facts(period, street_id=street_id, compound_ids=compound_ids,
                              include_submitted=include_submitted)
        _pause_between_phases()
        # Firm coverage is counted from the firm register alone: a rebuild of some compounds leaves it.
        rewrite_firms = compound_ids is None
        # Level by level, so each delete is an index range on (period, area_level, area_code).
        community_codes = list(Community.objects.filter(street_id=street_id).values_list("code", flat=True))
        for level, codes in (("community", community_codes), ("street", [street.code]),
                             ("district", [district.code]), ("city", [district.city.code])):
            stored = IndicatorValue.objects.filter(period=period, area_level=level, area_code__in=codes)
            (stored if rewrite_firms else stored.exclude(indicator_id=FIRM_PARTY_ORG_COVERAGE)).delete()
        constants = {"period": period, "computed_at": computed_at}
        written = _insert_compound_values("community", period, Q(street_id=street_id), computed_at)
        written += _insert_rolled_up_values(IndicatorValue, {"area_level": "street", "area_code": street.code, **constants},
                                            Q(area_code__in=community_codes), "community")
        written += _roll_up_district_and_city(IndicatorValue, street, constants)
        if rewrite_firms:
            written += _write_firm_values(period, district=district, computed_at=computed_at)
        written += _publish_spans(period, street=street, computed_at=computed_at, compound_ids=compound_ids,
                                  taken_out=taken_out)
    return written


def _street_month_built(period: datetime.date, street_id: int, compound_ids: Collection[int]) -> bool:
    """Whether the street's month has facts besides those compounds': a month never built is built whole."""
    return CompoundMonthFact.objects.filter(period=period, street_id=street_id).exclude(
        compound_id__in=compound_ids).exists()


def _take_stale_marks(street_id: int, period: datetime.date) -> set[int | None]:
    """Delete a street-month's marks and return their compound ids (None for a whole-street mark).

    One DELETE ... RETURNING: a mark committed after it stays for the next run, and any mark it
    returns was committed before the facts are rebuilt, so the rebuild sees that mark's edit.
    """
    table = StaleStreetMonth._meta.db_table
    period_value = StaleStreetMonth._meta.get_field("period").get_db_prep_value(period, connection)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE street_id = %s AND period = %s RETURNING compound_id",
                       [street_id, period_value])
        return {compound_id for (compound_id,) in cursor.fetchall()}


def _roll_up_district_and_city(model, street: Street, constants: dict[str, object]) -> int:
    district = street.district
    district_streets = Street.objects.filter(district_id=district.pk).values("code")
    written = _insert_rolled_up_values(model, {"area_level": "district", "area_code": district.code, **constants},
                                       Q(area_code__in=district_streets), "street")
    city_districts = District.objects.filter(city_id=district.city_id).values("code")
    written += _insert_rolled_up_values(model, {"area_level": "city", "area_code": district.city.code, **constants},
                                        Q(area_code__in=city_districts), "district")
    return written


def recompute_range(*, first: datetime.date, last: datetime.date, include_submitted: bool | None = None,
                    street_id: int | None = None,
                    on_month_done: Callable[[datetime.date], None] | None = None) -> int:
    """Recompute every month from `first` to `last`; each month publishes on its own."""
    written = 0
    for period in months_between(first, last):
        if street_id is None:
            written += recompute_month(period=period, include_submitted=include_submitted)
        else:
            written += recompute_street_month(street_id=street_id, period=period, include_submitted=include_submitted)
        if on_month_done:
            on_month_done(period)
    return written


def run_recompute_job(*, job_id: int) -> None:
    """Run a staff-started recompute, keeping the job's status and progress current."""
    job = RecomputeJob.objects.get(pk=job_id)
    periods = months_between(job.period_from, job.period_to)
    RecomputeJob.objects.filter(pk=job_id).update(status=RecomputeJob.Status.RUNNING, total=len(periods), done=0,
                                                  started_at=timezone.now(), error="")

    def month_done(period):
        RecomputeJob.objects.filter(pk=job_id).update(done=F("done") + 1)

    try:
        recompute_range(first=job.period_from, last=job.period_to, include_submitted=job.include_submitted,
                        on_month_done=month_done)
    except Exception as exc:
        RecomputeJob.objects.filter(pk=job_id).update(status=RecomputeJob.Status.FAILED, error=str(exc),
                                                      finished_at=timezone.now())
        raise
    RecomputeJob.objects.filter(pk=job_id).update(status=RecomputeJob.Status.DONE, finished_at=timezone.now())


def recompute_job_start(*, job: RecomputeJob) -> RecomputeJob:
    """Save a new recompute job (periods normalised to first days) and queue it once committed."""
    from .tasks import run_recompute_job_task

    job.period_from, job.period_to = job.period_from.replace(day=1), job.period_to.replace(day=1)
    job.total = len(months_between(job.period_from, job.period_to))
    job.full_clean()
    job.save()

    def not_sent():
        RecomputeJob.objects.filter(pk=job.pk, status=RecomputeJob.Status.PENDING).update(
            status=RecomputeJob.Status.FAILED, finished_at=timezone.now(),
            error=gettext("任务队列暂时不可用，重算没有开始，请稍后重新发起。"))

    send_after_commit(run_recompute_job_task, job.pk, on_failure=not_sent)
    return job


# --- Stale street-months ------------------------------------------------------------------------


def first_period() -> datetime.date:
    return parse_period(settings.METRICS_FIRST_PERIOD)


def mark_street_months_stale(*, street_ids: Iterable[int], periods: Iterable[datetime.date],
                             compound_ids: Iterable[int] | None = None) -> int:
    """Mark street-months for recompute, in the transaction that changes the data: the marks commit
    with the change, so no crash between the two can lose one.

    `compound_ids` names the compounds whose facts the change alters; without it (or beyond
    METRICS_STALE_COMPOUND_LIMIT of them) the whole street's facts are rebuilt. Marks are coalesced:
    marking what is already waiting changes nothing, so fifty edits in a minute cause one recompute.
    Months before the campaign's first month are ignored.
    """
    earliest = first_period()
    periods = {p for p in periods if p >= earliest}
    compounds: set[int | None] = {None} if compound_ids is None else set(compound_ids)
    if len(compounds) > settings.METRICS_STALE_COMPOUND_LIMIT:
        compounds = {None}
    marks = [StaleStreetMonth(street_id=street_id, period=period, compound_id=compound_id)
             for street_id, period, compound_id in product(set(street_ids), periods, compounds)]
    StaleStreetMonth.objects.bulk_create(marks, ignore_conflicts=True)
    return len(marks)


def periods_since(day: datetime.date | None) -> list[datetime.date]:
    """The months from `day`'s month (never before the first period) to the current month."""
    start = first_period() if day is None else max(day.replace(day=1), first_period())
    return months_between(start, current_period())


def process_stale_street_months(*, settle_seconds: int | None = None) -> int:
    """Recompute every street-month with a mark older than the settle delay, once each.

    A month with many stale streets is recomputed whole, which is cheaper than street by street.
    Returns the number of street-months cleared.
    """
    settle = settings.METRICS_STALE_SETTLE_SECONDS if settle_seconds is None else settle_seconds
    settled_before = timezone.now() - datetime.timedelta(seconds=settle)
    by_period: dict[datetime.date, list[int]] = {}
    for street_id, period in (StaleStreetMonth.objects.filter(marked_at__lte=settled_before)
                              .order_by("period", "street_id").values_list("street_id", "period").distinct()):
        by_period.setdefault(period, []).append(street_id)
    cleared = 0
    for period, street_ids in by_period.items():
        if len(street_ids) >= settings.METRICS_STALE_WHOLE_MONTH_THRESHOLD:
            with transaction.atomic():
                _start_month_write(period)
                if StaleStreetMonth.objects.filter(period=period, street_id__in=street_ids).delete()[0]:
                    recompute_month(period=period)
        else:
            for street_id in street_ids:
                recompute_street_month(street_id=street_id, period=period, consume_stale_marks=True)
        cleared += len(street_ids)
    return cleared
