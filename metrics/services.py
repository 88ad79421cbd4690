"""Writes of the indicator engine: rebuild compound-month facts, roll them up, publish atomically.

A recompute is a handful of set-based statements whatever the number of compounds or areas:
  1. INSERT ... SELECT the facts of every active compound (the ORM builds the SELECT);
  2. per level, INSERT ... SELECT one value per area and indicator from a GROUP BY over the facts
     (numerators and denominators are summed, the value is computed from the sums);
  3. firm party-organisation coverage, counted over firms by registered district.
Everything a recompute replaces is deleted and rewritten inside one transaction, so readers see
either the old month or the new one, and a crash leaves the old values published.
"""
from __future__ import annotations

import datetime
import os
import time
from collections.abc import Callable, Iterable
from decimal import Decimal
from itertools import product

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from committees.selectors import firm_party_coverage_exists
from communities.models import Community, PropertyFirm
from districts.models import Street

from .formulas import COMPOUND_FORMULAS, FIRM_PARTY_ORG_COVERAGE
from .models import CompoundMonthFact, IndicatorValue, RecomputeJob, StaleStreetMonth, Unit
from .periods import current_period, month_end, months_between, parse_period
from .selectors import AREA_CODE_PATHS, compound_month_fact_source, fact_sums, indicator_value

LEVELS = ("community", "street", "district", "city")
# First key of the PostgreSQL advisory locks taken per month ("QZPM" in ASCII).
MONTH_LOCK_NAMESPACE = 0x515A504D


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


def _insert_facts(period: datetime.date, *, street_id: int | None, include_submitted: bool) -> int:
    source, columns = compound_month_fact_source(period, street_id=street_id, include_submitted=include_submitted)
    select_sql, params = source.query.sql_with_params()
    table = CompoundMonthFact._meta.db_table
    column_list = ", ".join(connection.ops.quote_name(column) for column in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({column_list}) {select_sql}", params)
        return cursor.rowcount


def _insert_compound_values(level: str, period: datetime.date, fact_filter: Q, computed_at) -> int:
    """One INSERT ... SELECT of every compound-based indicator for every area of `level`."""
    sums = (CompoundMonthFact.objects.filter(fact_filter, period=period).order_by()
            .values(area_code=F(AREA_CODE_PATHS[level]))
            .annotate(**{f"s_{name}": aggregate for name, aggregate in fact_sums().items()},
                      s_provisional=Count("pk", filter=Q(provisional=True))))
    sums_sql, sums_params = sums.query.sql_with_params()

    def by_code(expression: Callable[[str, object], str]) -> str:
        branches = " ".join(f"WHEN '{code}' THEN {expression(code, formula)}"
                            for code, formula in COMPOUND_FORMULAS.items())
        return f"CASE i.code {branches} END"

    numerator = by_code(lambda code, f: f"s.s_{f.numerator}")
    denominator = by_code(lambda code, f: f"s.s_{f.denominator}" if f.denominator_divisor == 1
                          else f"s.s_{f.denominator} / {f.denominator_divisor}.0")
    monthly_codes = ", ".join(f"'{code}'" for code, f in COMPOUND_FORMULAS.items() if f.uses_monthly_data)
    codes = ", ".join(f"'{code}'" for code in COMPOUND_FORMULAS)
    table = IndicatorValue._meta.db_table
    sql = f"""
        INSERT INTO {table}
            (indicator_id, area_level, area_code, period, numerator, denominator, value, provisional, computed_at)
        SELECT code, %s, area_code, %s, num, den,
               CASE WHEN den = 0 THEN NULL ELSE ROUND(scale * num / den, 4) END,
               prov > 0, %s
        FROM (
            SELECT i.code AS code, s.area_code AS area_code,
                   {numerator} AS num, {denominator} AS den,
                   CASE WHEN i.unit = '{Unit.PERCENT}' THEN 100.0 ELSE 1.0 END AS scale,
                   CASE WHEN i.code IN ({monthly_codes}) THEN s.s_provisional ELSE 0 END AS prov
            FROM ({sums_sql}) s CROSS JOIN metrics_indicator i
            WHERE i.code IN ({codes})
        ) x
    """
    field = IndicatorValue._meta.get_field
    params = [level, field("period").get_db_prep_value(period, connection),
              field("computed_at").get_db_prep_value(computed_at, connection), *sums_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def _write_firm_values(period: datetime.date, *, district_id: int | None, computed_at) -> int:
    """三有 firms covered / 三有 firms, by registered district and summed to the city."""
    covered = firm_party_coverage_exists(month_end(period))
    by_district = list(PropertyFirm.objects.filter(PropertyFirm.SANYOU_Q).order_by()
                       .values("registered_district_id", district_code=F("registered_district__code"),
                               city_code=F("registered_district__city__code"))
                       .annotate(firms=Count("pk"), covered=Count("pk", filter=Q(covered))))
    by_area: dict[tuple[str, str], list[int]] = {}
    for row in by_district:
        if district_id is None or row["registered_district_id"] == district_id:
            by_area[("district", row["district_code"])] = [row["covered"], row["firms"]]
        city = by_area.setdefault(("city", row["city_code"]), [0, 0])
        city[0] += row["covered"]
        city[1] += row["firms"]
    if district_id is not None:
        own_city = next((row["city_code"] for row in by_district if row["registered_district_id"] == district_id), None)
        by_area = {key: sums for key, sums in by_area.items() if key[0] == "district" or key[1] == own_city}
    IndicatorValue.objects.bulk_create([
        IndicatorValue(indicator_id=FIRM_PARTY_ORG_COVERAGE, area_level=level, area_code=code, period=period,
                       numerator=Decimal(numerator), denominator=Decimal(denominator),
                       value=indicator_value(numerator, denominator, Unit.PERCENT), computed_at=computed_at)
        for (level, code), (numerator, denominator) in by_area.items()
    ])
    return len(by_area)


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
        written += _write_firm_values(period, district_id=None, computed_at=computed_at)
    return written


def recompute_street_month(*, street_id: int, period: datetime.date, include_submitted: bool | None = None,
                           consume_stale_mark: bool = False) -> int:
    """Rebuild one street's facts for a month and re-roll the street, its communities, district and city.

    With `consume_stale_mark`, the street-month's stale mark is removed in the same transaction, so
    a crash keeps the mark and a later run retries it; when another run has already taken the
    mark, nothing is done and 0 is returned.
    """
    include_submitted = _include_submitted(include_submitted)
    street = Street.objects.select_related("district__city").get(pk=street_id)
    district = street.district
    computed_at = timezone.now()
    with transaction.atomic():
        _start_month_write(period)
        if consume_stale_mark and not StaleStreetMonth.objects.filter(street_id=street_id, period=period).delete()[0]:
            return 0
        CompoundMonthFact.objects.filter(period=period, street_id=street_id).delete()
        _insert_facts(period, street_id=street_id, include_submitted=include_submitted)
        _pause_between_phases()
        IndicatorValue.objects.filter(
            Q(area_level="community", area_code__in=Community.objects.filter(street_id=street_id).values("code"))
            | Q(area_level="street", area_code=street.code)
            | Q(area_level="district", area_code=district.code)
            | Q(area_level="city", area_code=district.city.code),
            period=period,
        ).delete()
        scopes = {
            "community": Q(street_id=street_id),
            "street": Q(street_id=street_id),
            "district": Q(district_id=district.pk),
            "city": Q(city_id=district.city_id),
        }
        written = sum(_insert_compound_values(level, period, scopes[level], computed_at) for level in LEVELS)
        written += _write_firm_values(period, district_id=district.pk, computed_at=computed_at)
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
    transaction.on_commit(lambda: run_recompute_job_task.delay(job.pk))
    return job


# --- Stale street-months ------------------------------------------------------------------------


def first_period() -> datetime.date:
    return parse_period(settings.METRICS_FIRST_PERIOD)


def mark_street_months_stale(*, street_ids: Iterable[int], periods: Iterable[datetime.date]) -> int:
    """Mark street-months for recompute. Call it from transaction.on_commit after the data is saved.

    Marks are coalesced: marking a street-month that is already waiting changes nothing, so fifty
    edits in a minute cause one recompute. Months before the campaign's first month are ignored.
    """
    earliest = first_period()
    marks = [StaleStreetMonth(street_id=street_id, period=period)
             for street_id, period in product(set(street_ids), {p for p in periods if p >= earliest})]
    StaleStreetMonth.objects.bulk_create(marks, ignore_conflicts=True)
    return len(marks)


def periods_since(day: datetime.date | None) -> list[datetime.date]:
    """The months from `day`'s month (never before the first period) to the current month."""
    start = first_period() if day is None else max(day.replace(day=1), first_period())
    return months_between(start, current_period())


def process_stale_street_months(*, settle_seconds: int | None = None) -> int:
    """Recompute every street-month marked stale before the settle delay, once each.

    A month with many stale streets is recomputed whole, which is cheaper than street by street.
    Returns the number of street-months cleared.
    """
    settle = settings.METRICS_STALE_SETTLE_SECONDS if settle_seconds is None else settle_seconds
    settled_before = timezone.now() - datetime.timedelta(seconds=settle)
    by_period: dict[datetime.date, list[int]] = {}
    for street_id, period in (StaleStreetMonth.objects.filter(marked_at__lte=settled_before)
                              .order_by("period", "street_id").values_list("street_id", "period")):
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
                recompute_street_month(street_id=street_id, period=period, consume_stale_mark=True)
        cleared += len(street_ids)
    return cleared
