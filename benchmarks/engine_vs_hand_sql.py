"""The indicator engine against one hand-written SQL pass (benchmarks/hand_sql_pass.py), on PostgreSQL.

    .venv/bin/python benchmarks/engine_vs_hand_sql.py --database qz_engine_bench_100000
    .venv/bin/python benchmarks/engine_vs_hand_sql.py --database qz_engine_bench_500000 --pairs 3 --street --rss

The database must be seeded already (`manage.py seed_demo --compounds N --months 12 --no-indicators`);
the script never seeds. On the latest month with monthly records (or --period YYYY-MM):
  1. every earlier month of its year is computed once by the engine when it has not been (with
     --copy-year: the month before is, and its facts are copied into the earlier ones), so the month
     recompute runs with a full year of facts behind it;
  2. the engine recomputes the month (whole month, all levels, everything it publishes), the hand
     pass computes the same month, and the two are compared row by row: every (level, area,
     indicator) numerator, denominator and value. Any difference is printed and fails the run;
  3. A B A B timing, engine then hand pass, --pairs times; each pair's ratio (engine / hand) and
     the median ratio are printed. The engine writes only what changed, so a recompute of the same
     data writes next to nothing; with --cold the month's engine rows (facts, sums, values) are
     deleted before each engine run, outside its timing, so it is a first computation writing
     every row;
  4. with --street, the biggest street's month after an edit of one compound, as the stale-mark
     job runs it (only that compound's facts rebuilt), and rebuilt whole (three times each: median, max);
  5. with --rss, the peak RSS of a fresh process (as a worker is) running one month recompute.
Dead rows a run leaves in the engine's tables are vacuumed before the next (autovacuum is off on
this server), outside the timings.
"""
import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER = "postgres://postgres@127.0.0.1:5432"


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quanzhou_pm.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def latest_period() -> datetime.date:
    from django.db.models import Max

    from reporting.models import MonthlyRecord

    return MonthlyRecord.objects.aggregate(latest=Max("period"))["latest"]


def vacuum() -> None:
    """The engine's tables, whose rewrites leave the dead rows (the source tables are only read)."""
    from django.db import connection

    from metrics.models import AreaMonthRecency, AreaMonthSums, CompoundMonthFact, IndicatorValue, StaleStreetMonth

    with connection.cursor() as cursor:
        for model in (CompoundMonthFact, IndicatorValue, AreaMonthSums, AreaMonthRecency, StaleStreetMonth):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")


def fill_year(period: datetime.date, copy: bool) -> list[datetime.date]:
    """Give `period`'s year facts for every month before it. Computed by the engine, in order, for the
    months it has not computed; or, with `copy`, the month before computed and its facts copied into
    the earlier months without facts (the month recompute reads only the month before, but the
    year's facts are in its tables and indexes, as late in a real year)."""
    from django.db import connection

    from metrics.models import AreaMonthSums, CompoundMonthFact
    from metrics.periods import add_months, months_between
    from metrics.services import recompute_month

    built = set(AreaMonthSums.objects.filter(area_level="city").values_list("period", flat=True))
    earlier = [m for m in months_between(period.replace(month=1), add_months(period, -1))]
    computed = [m for m in earlier if m not in built and (not copy or m == earlier[-1])]
    for month in computed:
        started = time.perf_counter()
        recompute_month(period=month)
        print(f"    computed {month:%Y-%m} first ({time.perf_counter() - started:.1f} s)", flush=True)
    if copy and earlier:
        with_facts = set(CompoundMonthFact.objects.filter(period__in=earlier).values_list("period", flat=True).distinct())
        columns = [f.column for f in CompoundMonthFact._meta.concrete_fields if f.name not in ("id", "period")]
        table = CompoundMonthFact._meta.db_table
        with connection.cursor() as cursor:
            for month in earlier:
                if month not in with_facts:
                    cursor.execute(f"INSERT INTO {table} ({', '.join(columns)}, period) SELECT {', '.join(columns)}, %s "
                                   f"FROM {table} WHERE period = %s", [month, earlier[-1]])
                    print(f"    facts of {earlier[-1]:%Y-%m} copied into {month:%Y-%m}", flush=True)
    return computed


def engine_rows(period: datetime.date) -> dict:
    from metrics.models import IndicatorValue

    return {(level, code, indicator): (numerator, denominator, value)
            for level, code, indicator, numerator, denominator, value in IndicatorValue.objects.filter(period=period)
            .values_list("area_level", "area_code", "indicator_id", "numerator", "denominator", "value")}


def hand_rows(period: datetime.date) -> dict:
    from django.db import connection, transaction

    from benchmarks.hand_sql_pass import run_hand_pass

    with transaction.atomic(), connection.cursor() as cursor:
        run_hand_pass(cursor, period)
        cursor.execute("SELECT area_level, area_code, indicator, numerator, denominator, value FROM hand_values")
        return {(level, code, indicator): (Decimal(numerator), Decimal(denominator), value)
                for level, code, indicator, numerator, denominator, value in cursor.fetchall()}


def compare(engine: dict, hand: dict) -> list[str]:
    differences = []
    for key in sorted(engine.keys() | hand.keys()):
        mine, theirs = engine.get(key), hand.get(key)
        if mine is None or theirs is None or any(
                (a is None) != (b is None) or (a is not None and Decimal(a) != Decimal(b)) for a, b in zip(mine, theirs)):
            differences.append(f"{key}: engine {mine}, hand {theirs}")
    return differences


def forget_month(period: datetime.date) -> None:
    """The month's engine rows deleted, as before its first computation."""
    from django.db import transaction

    from metrics.models import AreaMonthRecency, AreaMonthSums, CompoundMonthFact, IndicatorValue

    with transaction.atomic():
        for model in (IndicatorValue, AreaMonthRecency, AreaMonthSums, CompoundMonthFact):
            model.objects.filter(period=period).delete()


def time_engine(period: datetime.date) -> float:
    from metrics.services import recompute_month

    started = time.perf_counter()
    recompute_month(period=period)
    return time.perf_counter() - started


def time_hand(period: datetime.date) -> float:
    from django.db import connection, transaction

    from benchmarks.hand_sql_pass import run_hand_pass

    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        run_hand_pass(cursor, period)
    return time.perf_counter() - started


def street_after_edit(period: datetime.date, runs: int = 3) -> tuple[int, list[float], list[float]]:
    """The biggest street: one compound's households edited, then the stale-mark job's street-month
    (only that compound's facts rebuilt); and the street-month rebuilt whole (as after a report's approval)."""
    from django.db.models import Count

    from communities.models import Compound
    from metrics.models import StaleStreetMonth
    from metrics.services import recompute_street_month

    street_id, size = (Compound.objects.values("community__street_id").annotate(n=Count("pk")).order_by("-n")
                       .values_list("community__street_id", "n").first())
    compound = Compound.objects.filter(community__street_id=street_id).first()
    edited, whole = [], []
    for _ in range(runs):
        compound.households += 1
        compound.save()
        started = time.perf_counter()
        recompute_street_month(street_id=street_id, period=period, consume_stale_marks=True)
        edited.append(time.perf_counter() - started)
    StaleStreetMonth.objects.all().delete()  # the edit's other months, which this benchmark does not time
    for _ in range(runs):
        started = time.perf_counter()
        recompute_street_month(street_id=street_id, period=period)
        whole.append(time.perf_counter() - started)
    return size, edited, whole


def peak_rss_of_month_recompute(url: str, period: datetime.date) -> int:
    out = subprocess.run([sys.executable, __file__, "--database", url, "--rss-child", period.isoformat()],
                         check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])["max_rss_kb"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True, help="database name on the local server, or a URL")
    parser.add_argument("--period", help="YYYY-MM (default: the latest month with monthly records)")
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--street", action="store_true", help="time the biggest street-month after an edit")
    parser.add_argument("--rss", action="store_true", help="peak RSS of a process running one month recompute")
    parser.add_argument("--copy-year", action="store_true",
                        help="compute only the month before and copy its facts into the year's earlier months")
    parser.add_argument("--cold", action="store_true",
                        help="time first computations: the month's engine rows deleted before each engine run")
    parser.add_argument("--rss-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = args.database if "://" in args.database else f"{SERVER}/{args.database}"
    setup_django(url)

    if args.rss_child:
        import resource

        from metrics.services import recompute_month

        recompute_month(period=datetime.date.fromisoformat(args.rss_child))
        print(json.dumps({"max_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
        return

    from communities.models import Compound

    period = datetime.datetime.strptime(args.period, "%Y-%m").date() if args.period else latest_period()
    print(f"{url.rsplit('/', 1)[1]}: {Compound.objects.count():,} compounds, month {period:%Y-%m}", flush=True)
    fill_year(period, args.copy_year)
    vacuum()
    time_engine(period)
    vacuum()
    engine, hand = engine_rows(period), hand_rows(period)
    differences = compare(engine, hand)
    print(f"row-by-row: {len(engine):,} engine rows, {len(hand):,} hand rows, {len(differences)} differences", flush=True)
    for line in differences[:20]:
        print("    " + line)

    ratios = []
    for pair in range(1, args.pairs + 1):
        if args.cold:
            forget_month(period)
        vacuum()
        engine_seconds = time_engine(period)
        vacuum()
        hand_seconds = time_hand(period)
        ratios.append(engine_seconds / hand_seconds)
        print(f"pair {pair}: engine {engine_seconds:.3f} s, hand {hand_seconds:.3f} s, ratio {ratios[-1]:.2f}", flush=True)
    kind = "first computation" if args.cold else "recompute of unchanged data"
    print(f"median ratio engine / hand ({kind}): {statistics.median(ratios):.2f} (goal ≤ 2)")

    if args.street:
        vacuum()
        size, edited, whole = street_after_edit(period)
        for what, timings, goal in (("after an edit of one compound", edited, "; goal ≤ 0.3 s"),
                                    ("rebuilt whole", whole, "")):
            print(f"biggest street ({size:,} compounds) {what}: median {statistics.median(timings):.3f} s, "
                  f"max {max(timings):.3f} s ({', '.join(f'{s:.3f}' for s in timings)}{goal})")
    if args.rss:
        vacuum()
        kb = peak_rss_of_month_recompute(url, period)
        print(f"peak RSS of a process running the month recompute: {kb / 1024:.0f} MB (goal ≤ 1024 MB)")
    if differences:
        sys.exit(1)


if __name__ == "__main__":
    main()
