"""Writes of the indicator engine: rebuild a month's compound facts, sum them per area, publish.

A month's recompute (whole, or one street's) is a handful of set-based statements whatever the
number of compounds or areas:
  1. the facts of every active compound (metrics.facts), in one SELECT;
  2. one GROUP BY of the facts per community into AreaMonthSums and AreaMonthRecency, then each
     level above from the level below's rows;
  3. the month's published values (IndicatorValue) from those rows, every level in one INSERT;
  4. firm party-organisation coverage, counted over firms by registered district.
Each step writes only what changed (_write_changed): new rows are computed into a temporary table
and only the stored rows that differ are replaced, and only the areas whose sums or firm figures
changed, or whose stored values are incomplete, have their values rewritten. A recompute of a
month whose data barely moved writes little, a first computation writes everything, and rows lost
while others stayed (a restore, a manual delete) are written again.
Quarters, years and any other run of months are read from the stored monthly rows
(selectors.indicator_values_for_run): nothing is published per span.
A street's recompute rebuilds its facts (all, or those of the compounds an edit touched) and sums
its communities again from them; its district and city are re-summed from the stored rows of their
streets and districts.
Everything a recompute replaces is replaced inside one transaction, so readers see
either the old month or the new one, and a crash leaves the old values published.
A month's facts carry when each compound last met and its latest score from the month before, so a
recompute marks the following month stale when it has been computed.
"""
from __future__ import annotations

import datetime
from collections.abc import Callable, Collection, Iterable
from decimal import Decimal
from functools import reduce
from itertools import product
from operator import or_

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count, Exists, F, Func, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from committees.selectors import firms_covered_by_party_org_on
from common.enqueue import send_after_commit
from communities.models import Community, Compound
from communities.selectors import compounds_as_of, sanyou_firms_on
from districts.models import City, District, Street

from .facts import compound_month_fact_select
from .formulas import COMPOUND_FORMULAS, FACT_SUM_COLUMNS, FIRM_PARTY_ORG_COVERAGE
from .models import (
    AreaMonthRecency,
    AreaMonthSums,
    CompoundMonthFact,
    Indicator,
    IndicatorValue,
    RecomputeJob,
    StaleStreetMonth,
    Target,
    Unit,
)
from .periods import add_months, current_period, month_end, months_between, parse_period, quarter_start
from .selectors import indicator_value

LEVELS = ("community", "street", "district", "city")
# Each level's area table and, for the levels below the city, the column naming its parent.
AREA_TABLES = {"community": Community, "street": Street, "district": District, "city": City}
PARENT_COLUMNS = {"community": "street_id", "street": "district_id", "district": "city_id"}
SUMS = AreaMonthSums._meta.db_table
RECENCY = AreaMonthRecency._meta.db_table
FACTS = CompoundMonthFact._meta.db_table
# The columns summed into a sums row, besides "compounds" and "provisional".
SUM_COLUMNS = list(FACT_SUM_COLUMNS)
RECENCY_COLUMNS = ["consulted", "scored_households", "score_weighted"]
# The connection's temporary table of a write's new rows (_write_changed).
NEW_ROWS = "metrics_new_rows"
# First key of the PostgreSQL advisory locks taken per month ("QZPM" in ASCII).
MONTH_LOCK_NAMESPACE = 0x515A504D


def _include_submitted(include_submitted: bool | None) -> bool:
    return settings.METRICS_INCLUDE_SUBMITTED if include_submitted is None else include_submitted


def _start_month_write(period: datetime.date) -> None:
    """Serialise recomputes of one month (street or whole) across workers; other months run in parallel.

    SQLite already serialises writers. On PostgreSQL, a transaction-level advisory lock per month;
    JIT off (compiling these wide statements costs seconds and never pays back at this size) and
    enough work_mem for the per-compound aggregates to be hashed in memory.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = '128MB'")
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [MONTH_LOCK_NAMESPACE, period.year * 100 + period.month])


def _db(model, field: str, value):
    return model._meta.get_field(field).get_db_prep_value(value, connection)


def _null_safe_equal(left: str, right: str) -> str:
    return f"{left} IS {right}" if connection.vendor == "sqlite" else f"{left} IS NOT DISTINCT FROM {right}"


def _write_changed(table: str, select: str, params: list, *, period: datetime.date, keys: list[str],
                   compared: list[str], constants: dict, scope: str | None = None, scope_params: Iterable = (),
                   scope_holds_every_key: bool = True) -> int:
    """Make the month's rows of `table` in scope those `select` yields, writing only what differs.

    `select` yields the `keys` and `compared` columns by name; `constants` (column → value: the
    period, a computation time) are the same for every new row. A stored row equal to its new row in
    every compared column is left as it is, keeping its id and its computation time; the others are
    deleted and the new rows inserted. So a month's recompute rewrites what changed, not every row
    and index entry of the month. In scope: the month's rows matching `scope` (a WHERE over
    `table`; None for all of them) and any row with the key of a new one. Returns the rows inserted.

    A first computation (no stored row in scope, and no row outside it can hold a new row's key:
    `scope_holds_every_key`) inserts straight from `select`: there is nothing to compare with.
    """
    day = _db(AreaMonthSums, "period", period)
    match = " AND ".join(f"n.{key} = t.{key}" for key in keys)
    same = " AND ".join(_null_safe_equal(f"n.{column}", f"t.{column}") for column in compared)
    in_scope, in_scope_params = "", []
    if scope is not None:
        in_scope = (f" AND t.id IN (SELECT id FROM {table} WHERE period = %s AND {scope} UNION "
                    f"SELECT x.id FROM {table} x JOIN {NEW_ROWS} n ON {match.replace('t.', 'x.')} WHERE x.period = %s)")
        in_scope_params = [day, *scope_params, day]
    written = [*keys, *compared]
    columns = ", ".join(connection.ops.quote_name(column) for column in [*written, *constants])
    constant_columns = "".join(", %s" for _ in constants)
    with connection.cursor() as cursor:
        if scope_holds_every_key:
            cursor.execute(f"SELECT 1 FROM {table} WHERE period = %s{'' if scope is None else f' AND {scope}'} LIMIT 1",
                           [day, *scope_params])
            if cursor.fetchone() is None:
                cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {', '.join(written)}{constant_columns} "
                               f"FROM ({select}) n", [*constants.values(), *params])
                return cursor.rowcount
        cursor.execute(f"CREATE TEMPORARY TABLE {NEW_ROWS} AS {select}", params)
        if connection.vendor == "postgresql":
            cursor.execute(f"ANALYZE {NEW_ROWS}")  # a temporary table has no statistics until analysed
        cursor.execute(f"DELETE FROM {table} AS t WHERE t.period = %s{in_scope} "
                       f"AND NOT EXISTS (SELECT 1 FROM {NEW_ROWS} n WHERE {match} AND {same})", [day, *in_scope_params])
        # The new rows still stored (unchanged) are dropped from the new ones, so what is left is
        # inserted as it is: an insert checking the table it inserts into could scan its own new rows.
        key_columns = ", ".join(keys)
        cursor.execute(f"DELETE FROM {NEW_ROWS} WHERE ({key_columns}) IN "
                       f"(SELECT {key_columns} FROM {table} WHERE period = %s)", [day])
        cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {', '.join(written)}{constant_columns} FROM {NEW_ROWS}",
                       list(constants.values()))
        inserted = cursor.rowcount
        cursor.execute(f"DROP TABLE {NEW_ROWS}")
        return inserted


def _write_facts(period: datetime.date, *, street_id: int | None, include_submitted: bool,
                 compound_ids: Collection[int] | None = None) -> int:
    """The month's facts: of every active compound, one street's, or the given compounds of one
    street. For a street, a compound that still has a fact under the street it left gets that fact
    replaced: the old street, marked by the same move, re-sums without it."""
    select, params, columns = compound_month_fact_select(period, street_id=street_id, compound_ids=compound_ids,
                                                         include_submitted=include_submitted)
    scope, scope_params = None, []
    if street_id is not None:
        scope, scope_params = "street_id = %s", [street_id]
        if compound_ids is not None:
            scope += f" AND compound_id IN ({', '.join('%s' for _ in compound_ids)})"
            scope_params += list(compound_ids)
    return _write_changed(FACTS, select, params, period=period, keys=["compound_id"],
                          compared=[column for column in columns if column not in ("compound_id", "period")],
                          constants={"period": _db(CompoundMonthFact, "period", period)},
                          scope=scope, scope_params=scope_params, scope_holds_every_key=street_id is None)


def _level_scope(level: str, parent_id: int | None) -> tuple[str, list]:
    """A level's rows of the month: all, or those under one area of the level above (a community
    level) or that one area itself (the levels above)."""
    if parent_id is None:
        return f"area_level = '{level}'", []
    if level == "community":
        return (f"area_level = 'community' AND area_code IN (SELECT code FROM {Community._meta.db_table} "
                f"WHERE street_id = %s)"), [parent_id]
    return f"area_level = '{level}' AND area_code = (SELECT code FROM {AREA_TABLES[level]._meta.db_table} WHERE id = %s)", [parent_id]


def _write_sums(level: str, period: datetime.date, computed_at, parent_id: int | None, sums_select: str, sums_params: list,
                recency_select: str, recency_params: list) -> None:
    scope, scope_params = _level_scope(level, parent_id)
    # A whole level's rows are all the rows of that level: none outside the scope can hold a new key.
    whole = parent_id is None
    _write_changed(SUMS, sums_select, sums_params, period=period, keys=["area_level", "area_code"],
                   compared=["compounds", "provisional", *SUM_COLUMNS],
                   constants={"period": _db(AreaMonthSums, "period", period),
                              "computed_at": _db(AreaMonthSums, "computed_at", computed_at)},
                   scope=scope, scope_params=scope_params, scope_holds_every_key=whole)
    _write_changed(RECENCY, recency_select, recency_params, period=period, keys=["area_level", "area_code", "month"],
                   compared=RECENCY_COLUMNS, constants={"period": _db(AreaMonthRecency, "period", period)},
                   scope=scope, scope_params=scope_params, scope_holds_every_key=whole)


def _write_community_rows(period: datetime.date, street_id: int | None, computed_at) -> None:
    """One GROUP BY over the month's facts (of one street, or all) per community: its sums row, and
    its recency rows (compounds by the month they last met; households by the month of their latest score).
    Facts are grouped by their community id and the few groups then take the community's code: a
    join per fact would cost more than the sums."""
    # A month counts the scores of its own quarter.
    scored = "f.last_scored_period >= %s"
    sums = {column: f"SUM(f.{column})" for column in SUM_COLUMNS}
    sums["scored_households"] = f"SUM(CASE WHEN {scored} THEN f.households ELSE 0 END)"
    sums["score_weighted"] = f"SUM(CASE WHEN {scored} THEN f.evaluation_score * f.households ELSE 0 END)"
    day = _db(CompoundMonthFact, "period", period)
    quarter = _db(CompoundMonthFact, "period", quarter_start(period))
    where, params = "f.period = %s", [day]
    if street_id is not None:
        where, params = where + " AND f.street_id = %s", [*params, street_id]
    community = Community._meta.db_table
    _write_sums(
        "community", period, computed_at, street_id,
        f"SELECT 'community' AS area_level, a.code AS area_code, "
        f"{', '.join(f'g.{column}' for column in ['compounds', 'provisional', *sums])} "
        f"FROM (SELECT f.community_id, COUNT(*) AS compounds, SUM(CASE WHEN f.provisional THEN 1 ELSE 0 END) AS provisional, "
        f"{', '.join(f'{sql} AS {column}' for column, sql in sums.items())} "
        f"FROM {FACTS} f WHERE {where} GROUP BY f.community_id) g JOIN {community} a ON a.id = g.community_id",
        [quarter, quarter, *params],
        f"SELECT 'community' AS area_level, a.code AS area_code, r.month, r.consulted, r.scored_households, r.score_weighted "
        f"FROM (SELECT community_id, month, SUM(consulted) AS consulted, "
        f"SUM(scored_households) AS scored_households, SUM(score_weighted) AS score_weighted "
        f"FROM (SELECT f.community_id, f.last_consulted_period AS month, 1 AS consulted, "
        f"0 AS scored_households, 0 AS score_weighted "
        f"FROM {FACTS} f WHERE {where} AND f.last_consulted_period IS NOT NULL "
        f"UNION ALL SELECT f.community_id, f.last_scored_period, 0, f.households, f.evaluation_score * f.households "
        f"FROM {FACTS} f WHERE {where} AND f.last_scored_period IS NOT NULL) u "
        f"GROUP BY community_id, month) r JOIN {community} a ON a.id = r.community_id", [*params, *params])


def _roll_up(level: str, period: datetime.date, computed_at, parent_id: int | None = None) -> None:
    """The rows of `level` (one area, or all) summed from their children's stored rows, grouped by
    the parent's id before the parent's code is joined (as the community rows are)."""
    child = LEVELS[LEVELS.index(level) - 1]
    child_table, parent_table = AREA_TABLES[child]._meta.db_table, AREA_TABLES[level]._meta.db_table
    parent = f"ch.{PARENT_COLUMNS[child]}"
    where = f"WHERE s.period = %s AND s.area_level = '{child}'"
    params = [_db(AreaMonthSums, "period", period)]
    if parent_id is not None:
        where, params = where + f" AND {parent} = %s", [*params, parent_id]

    def summed(table: str, columns: list[str], by: list[str]) -> str:
        return (f"SELECT '{level}' AS area_level, pa.code AS area_code, {', '.join(f'g.{c}' for c in [*by, *columns])} "
                f"FROM (SELECT {parent} AS parent_id, {''.join(f's.{c}, ' for c in by)}"
                f"{', '.join(f'SUM(s.{c}) AS {c}' for c in columns)} FROM {table} s "
                f"JOIN {child_table} ch ON ch.code = s.area_code {where} GROUP BY {', '.join([parent, *(f's.{c}' for c in by)])}) g "
                f"JOIN {parent_table} pa ON pa.id = g.parent_id")

    _write_sums(level, period, computed_at, parent_id, summed(SUMS, ["compounds", "provisional", *SUM_COLUMNS], []),
                params, summed(RECENCY, RECENCY_COLUMNS, ["month"]), params)


def _publish(period: datetime.date, areas: Q, district: District | None, computed_at, *,
             firms_as_stored: bool = False) -> int:
    """The month's values of the areas in `areas` whose sums or firm figures this computation changed.

    An area's values are rewritten together, with its sums' computation time, when any of them
    changes or some of them are missing; the values of an area whose sums are as they were stay as
    they are. Returns the number of values written. With `firms_as_stored`, the firm figures are
    kept as stored, not counted again.
    """
    firm_rows = IndicatorValue.objects.filter(areas, period=period, indicator_id=FIRM_PARTY_ORG_COVERAGE)
    stored = {(level, code): (numerator, denominator)
              for level, code, numerator, denominator in firm_rows.values_list("area_level", "area_code", "numerator", "denominator")}
    firms = stored if firms_as_stored else _firm_figures(period, district)
    changed = [key for key in firms.keys() | stored.keys() if firms.get(key) != stored.get(key)]
    if changed:
        AreaMonthSums.objects.filter(reduce(or_, (Q(area_level=level, area_code=code) for level, code in changed)),
                                     period=period).update(computed_at=computed_at)
    # An area missing some of its values while its sums stayed as they were (rows lost to a restore
    # or a manual delete) is written again too: a recompute brings the published month back whole.
    values_stored = (IndicatorValue.objects.filter(period=period, area_level=OuterRef("area_level"),
                                                   area_code=OuterRef("area_code"), indicator_id__in=list(COMPOUND_FORMULAS))
                     .order_by().values("area_level").annotate(rows=Count("pk")).values("rows"))
    (AreaMonthSums.objects.filter(areas, period=period).exclude(computed_at=computed_at)
     .alias(values_stored=Coalesce(Subquery(values_stored), 0))
     .filter(values_stored__lt=Subquery(Indicator.objects.filter(code__in=list(COMPOUND_FORMULAS)).order_by()
                                        .values(rows=Func(F("code"), function="COUNT"))))
     .update(computed_at=computed_at))
    unchanged = AreaMonthSums.objects.filter(period=period, area_level=OuterRef("area_level"),
                                             area_code=OuterRef("area_code")).exclude(computed_at=computed_at)
    IndicatorValue.objects.filter(areas, period=period).exclude(Exists(unchanged)).delete()
    written = _insert_values(period, areas & Q(computed_at=computed_at), computed_at)
    kept = set(firm_rows.values_list("area_level", "area_code"))
    IndicatorValue.objects.bulk_create([
        IndicatorValue(indicator_id=FIRM_PARTY_ORG_COVERAGE, area_level=level, area_code=code, period=period,
                       numerator=Decimal(numerator), denominator=Decimal(denominator),
                       value=indicator_value(numerator, denominator, Unit.PERCENT), computed_at=computed_at)
        for (level, code), (numerator, denominator) in firms.items() if (level, code) not in kept
    ])
    return written + len(firms.keys() - kept)


def _insert_values(period: datetime.date, areas: Q, computed_at) -> int:
    """One INSERT ... SELECT of every compound-based indicator for the month's stored sums rows in `areas`."""
    def by_code(expression: Callable[[str, object], str]) -> str:
        branches = " ".join(f"WHEN '{code}' THEN {expression(code, formula)}" for code, formula in COMPOUND_FORMULAS.items())
        return f"CASE i.code {branches} END"

    numerator = by_code(lambda code, f: f"s.{f.numerator}")
    denominator = by_code(lambda code, f: f"s.{f.denominator}" if f.denominator_divisor == 1
                          else f"s.{f.denominator} / {f.denominator_divisor}.0")
    monthly_codes = ", ".join(f"'{code}'" for code, f in COMPOUND_FORMULAS.items() if f.uses_monthly_data)
    codes = ", ".join(f"'{code}'" for code in COMPOUND_FORMULAS)
    rows_sql, rows_params = AreaMonthSums.objects.filter(areas, period=period).values("pk").query.sql_with_params()
    sql = f"""
        INSERT INTO {IndicatorValue._meta.db_table}
            (indicator_id, area_level, area_code, period, numerator, denominator, value, provisional, computed_at)
        SELECT code, area_level, area_code, %s, num, den,
               CASE WHEN den = 0 THEN NULL ELSE ROUND(scale * num / den, 4) END, prov > 0, %s
        FROM (
            SELECT i.code AS code, s.area_level AS area_level, s.area_code AS area_code,
                   {numerator} AS num, {denominator} AS den,
                   CASE WHEN i.unit = '{Unit.PERCENT}' THEN 100.0 ELSE 1.0 END AS scale,
                   CASE WHEN i.code IN ({monthly_codes}) THEN s.provisional ELSE 0 END AS prov
            FROM {SUMS} s CROSS JOIN metrics_indicator i
            WHERE i.code IN ({codes}) AND s.id IN ({rows_sql})
        ) x
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [_db(IndicatorValue, "period", period), _db(IndicatorValue, "computed_at", computed_at),
                             *rows_params])
        return cursor.rowcount


def _firm_figures(period: datetime.date, district: District | None) -> dict[tuple[str, str], tuple[int, int]]:
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
    return {key: (covered, total) for key, (covered, total) in by_area.items()}


def _mark_next_month(period: datetime.date, street: Street | None, compound_ids: Collection[int] | None = None) -> None:
    """The next month's facts carry this month's (when each compound last met, its latest score):
    when it has been computed, mark it for recompute (every street's, one street's, or some of its compounds)."""
    following = add_months(period, 1)
    computed = AreaMonthSums.objects.filter(period=following, area_level="street")
    if street is not None:
        computed = computed.filter(area_code=street.code)
    street_ids = list(Street.objects.filter(code__in=computed.values("area_code")).values_list("pk", flat=True))
    if street_ids:
        mark_street_months_stale(street_ids=street_ids, periods=[following], compound_ids=compound_ids)


def recompute_month(*, period: datetime.date, include_submitted: bool | None = None) -> int:
    """Rebuild and publish every area's values for one month. Returns the number of values written."""
    include_submitted = _include_submitted(include_submitted)
    computed_at = timezone.now()
    with transaction.atomic():
        _start_month_write(period)
        # Everything of the month is rebuilt: its marks are answered (an edit committed after this
        # delete marks again and is recomputed next time).
        StaleStreetMonth.objects.filter(period=period).delete()
        _write_facts(period, street_id=None, include_submitted=include_submitted)
        _write_community_rows(period, None, computed_at)
        for level in LEVELS[1:]:
            _roll_up(level, period, computed_at)
        written = _publish(period, Q(), None, computed_at)
        _mark_next_month(period, None)
    return written


def recompute_street_month(*, street_id: int, period: datetime.date, include_submitted: bool | None = None,
                           consume_stale_marks: bool = False) -> int:
    """Rebuild a street's facts for a month and re-sum the street, its communities, district and city.

    The communities are summed from the street's facts; the street, district and city from the
    stored sums of their communities, streets and districts.

    With `consume_stale_marks`, the street-month's stale marks decide which facts to rebuild (only
    the compounds they name, when the street-month was built before; the street's facts are then
    summed again whole) and are removed in the same transaction, so a crash keeps them and a later
    run retries; when another run has already taken them, nothing is done and 0 is returned.
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
        _write_facts(period, street_id=street_id, compound_ids=compound_ids, include_submitted=include_submitted)
        community_codes = list(Community.objects.filter(street_id=street_id).values_list("code", flat=True))
        own = (Q(area_level="community", area_code__in=community_codes) | Q(area_level="street", area_code=street.code)
               | Q(area_level="district", area_code=district.code) | Q(area_level="city", area_code=district.city.code))
        _write_community_rows(period, street_id, computed_at)
        for level, area_id in (("street", street_id), ("district", district.pk), ("city", district.city_id)):
            _roll_up(level, period, computed_at, area_id)
        # Compound marks come from edits of those compounds, which firm coverage does not count (an
        # edit of a firm or its party coverage marks its district's streets whole): firms kept as stored.
        written = _publish(period, own, district, computed_at, firms_as_stored=compound_ids is not None)
        _mark_next_month(period, street, compound_ids)
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
    if marks and settings.EAGER_BEAT and len(periods) <= EAGER_DRAIN_MAX_MONTHS:
        # The embedded default has no beat process and no worker: drain the marks as soon as the change
        # commits, so the demo's next page shows it. With a broker, beat drains them after the settle.
        transaction.on_commit(_drain_stale_marks_now)
    return len(marks)


# The most months a change may mark and still be drained while its page waits (embedded default): a
# monthly report's month and the rest of its quarter. A registry change reaching further back is left
# to the in-process beat (common.eager_beat), so the page that made it is not held up.
EAGER_DRAIN_MAX_MONTHS = 3


def _drain_stale_marks_now() -> None:
    process_stale_street_months(settle_seconds=0)


def periods_since(day: datetime.date | None) -> list[datetime.date]:
    """The months from `day`'s month (never before the first period) to the current month."""
    start = first_period() if day is None else max(day.replace(day=1), first_period())
    return months_between(start, current_period())


def process_stale_street_months(*, settle_seconds: int | None = None) -> int:
    """Recompute every street-month with a mark older than the settle delay, once each.

    Months are taken in order, so a month's recompute reads the facts of the month before as now
    recomputed; the marks a recompute leaves on the following month (which carries its facts) are
    taken in the same run, without waiting for the settle delay, so an edit of an early month reaches
    the latest in one run. A month with many stale streets is recomputed whole, which is cheaper
    than street by street. Returns the number of street-months cleared.
    """
    settle = settings.METRICS_STALE_SETTLE_SECONDS if settle_seconds is None else settle_seconds
    started = timezone.now()
    due = Q(marked_at__lte=started - datetime.timedelta(seconds=settle)) | Q(marked_at__gte=started)
    cleared, done_through = 0, None
    while True:
        marks = StaleStreetMonth.objects.filter(due)
        if done_through is not None:
            marks = marks.filter(period__gt=done_through)
        period = marks.order_by("period").values_list("period", flat=True).first()
        if period is None:
            return cleared
        street_ids = sorted(set(marks.filter(period=period).values_list("street_id", flat=True)))
        if len(street_ids) >= settings.METRICS_STALE_WHOLE_MONTH_THRESHOLD:
            recompute_month(period=period)
        else:
            for street_id in street_ids:
                recompute_street_month(street_id=street_id, period=period, consume_stale_marks=True)
        cleared += len(street_ids)
        done_through = period


# --- targets: set by city staff on the targets page; read afresh by every dashboard, forecast and feed.

# The levels a target may name besides the city as a whole ("").
TARGET_LEVELS = {"district": District, "street": Street}


def _target_check(target: Target) -> None:
    """The rules of a target, in Chinese naming the field: a real area, a threshold within the
    indicator's scale, and one target per indicator, area and deadline (the dashboards pick the one
    in force by its deadline, so two with the same deadline would leave it undecided)."""
    errors = {}
    if target.area_level or target.area_code:
        model = TARGET_LEVELS.get(target.area_level)
        if model is None or not model.objects.filter(code=target.area_code).exists():
            errors["area"] = gettext("区域不存在，请从列表中选择全市、区县或街道(乡镇)。")
    low, high = Unit(target.indicator.unit).target_bounds
    if target.threshold is not None and not low <= target.threshold <= high:
        errors["threshold"] = gettext("目标值须在 %(low)s 至 %(high)s%(unit)s 之间。") % {
            "low": low, "high": high, "unit": target.indicator.get_unit_display()}
    same = Target.objects.filter(indicator=target.indicator, area_level=target.area_level,
                                 area_code=target.area_code, deadline=target.deadline).exclude(pk=target.pk)
    if not errors and same.exists():
        errors["deadline"] = gettext("该指标在该区域已有同一完成时限的目标，请修改那一条。")
    if errors:
        raise ValidationError(errors)


def _target_save(target: Target) -> Target:
    with transaction.atomic():
        # Writes of one indicator's targets one at a time, so two cannot both pass the one-per-deadline check.
        Indicator.objects.select_for_update().filter(pk=target.indicator_id).first()
        _target_check(target)
        target.save()
    return target


def target_create(*, indicator: Indicator, area_level: str, area_code: str, comparison: str,
                  threshold: Decimal, deadline: datetime.date, note: str = "") -> Target:
    return _target_save(Target(indicator=indicator, area_level=area_level, area_code=area_code,
                               comparison=comparison, threshold=threshold, deadline=deadline, note=note))


def target_update(*, target: Target, indicator: Indicator, area_level: str, area_code: str, comparison: str,
                  threshold: Decimal, deadline: datetime.date, note: str = "") -> Target:
    target.indicator, target.area_level, target.area_code = indicator, area_level, area_code
    target.comparison, target.threshold, target.deadline, target.note = comparison, threshold, deadline, note
    return _target_save(target)


def target_delete(*, target: Target) -> None:
    target.delete()
