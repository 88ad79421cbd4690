"""Time the indicator engine on PostgreSQL at national scale.

    .venv/bin/python benchmarks/indicators_bench.py                       # 100,000 and 500,000 compounds
    .venv/bin/python benchmarks/indicators_bench.py --sizes 100000 --keep  # reuse an already seeded database

For each size, a database qz_metrics_bench_<size> is created, migrated and filled by
`manage.py seed_demo` (skipped with --keep when it already has the compounds). Then, on the latest
month with monthly data, it times:
  - one whole month, all areas (twice: the second run replaces the first's values);
  - one street-month after an edit of one compound (the biggest and the median street), median and max,
    as `process_stale` runs it (only that compound's facts rebuilt), and rebuilt whole as after a
    report's approval;
  - a straightforward per-compound ORM loop over a sample, extrapolated to all compounds,
    and the speed-up of the set-based engine over it;
  - rows written per second (facts + published values).
With --history, it measures on a copy of the seeded database (qz_metrics_bench_<size>_history, made
once) whose year gets facts for every earlier month, copied from the latest month's: the quarter and
year a recompute publishes then span those months, as late in a real year.
Goals (issue 4): month ≤ 10 s at 100k, ≤ 5× that at 500k; street-month ≤ 0.5 s.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER = "postgres://postgres@127.0.0.1:5432"


def prepare_database(size: int, months: int, keep: bool) -> str:
    import psycopg

    name = f"qz_metrics_bench_{size}"
    url = f"{SERVER}/{name}"
    env = {**os.environ, "DATABASE_URL": url}
    manage = [sys.executable, str(ROOT / "manage.py")]
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not keep:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            conn.execute(f'DROP DATABASE IF EXISTS "{name}_history" WITH (FORCE)')
        if not exists or not keep:
            conn.execute(f'CREATE DATABASE "{name}"')
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True)
    started = time.monotonic()
    subprocess.run([*manage, "seed_demo", "--compounds", str(size), "--months", str(months), "--seed", "7", "--no-indicators",
                    "--if-empty", "-v", "0"], env=env, check=True)
    print(f"[{size:,}] database ready in {time.monotonic() - started:.0f} s ({name})", flush=True)
    return url


def history_database(url: str) -> str:
    """The seeded database's copy for --history, made once from it as a template."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    copy = f"{name}_history"
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [copy]).fetchone():
            conn.execute(f'CREATE DATABASE "{copy}" TEMPLATE "{name}"')
    copy_url = f"{SERVER}/{copy}"
    subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v", "0"],
                   env={**os.environ, "DATABASE_URL": copy_url}, check=True)
    return copy_url


def fill_year_with_copies(period) -> int:
    """Give every earlier month of `period`'s year without facts a copy of `period`'s facts."""
    import datetime

    from django.db import connection

    from metrics.models import CompoundMonthFact
    from metrics.periods import add_months, months_between

    columns = [f.column for f in CompoundMonthFact._meta.concrete_fields if f.name not in ("id", "period")]
    table = CompoundMonthFact._meta.db_table
    built = set(CompoundMonthFact.objects.values_list("period", flat=True).distinct())
    missing = [m for m in months_between(datetime.date(period.year, 1, 1), add_months(period, -1)) if m not in built]
    with connection.cursor() as cursor:
        for month in missing:
            cursor.execute(f"INSERT INTO {table} ({', '.join(columns)}, period) SELECT {', '.join(columns)}, %s "
                           f"FROM {table} WHERE period = %s", [month, period])
    return period.month


def measure(sample: int, history: bool) -> dict:
    """Runs inside a subprocess whose DATABASE_URL points at the seeded database."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quanzhou_pm.settings")
    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.db import connection
    from django.db.models import Count, Max

    from communities.models import Compound
    from metrics.models import CompoundMonthFact, IndicatorValue, StaleStreetMonth
    from metrics.services import recompute_month, recompute_street_month
    from reporting.models import MonthlyRecord

    from benchmarks.naive_indicators import naive_month_facts

    period = MonthlyRecord.objects.aggregate(latest=Max("period"))["latest"]
    compounds = Compound.objects.count()
    if history:
        if not CompoundMonthFact.objects.filter(period=period).exists():
            recompute_month(period=period)
        months_of_facts = fill_year_with_copies(period)
    else:
        months_of_facts = CompoundMonthFact.objects.filter(period__year=period.year).values("period").distinct().count()
    # This server runs with autovacuum off: vacuum the dead rows of earlier runs, as autovacuum would.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")

    timings = []
    for _ in range(2):
        started = time.perf_counter()
        values = recompute_month(period=period)
        timings.append(time.perf_counter() - started)
    facts = CompoundMonthFact.objects.filter(period=period).count()
    # The month's rewrites leave dead rows and stale statistics; autovacuum would clear them on a live system.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")

    # The biggest street (the worst case) and the median one (the typical edit).
    sizes = list(CompoundMonthFact.objects.filter(period=period).values("street_id").annotate(n=Count("pk"))
                 .order_by("-n").values_list("street_id", "n"))
    streets = {"biggest": sizes[0], "median": sizes[len(sizes) // 2]}
    street_results = {}
    for label, (street_id, street_compounds) in streets.items():
        compound = Compound.objects.filter(community__street_id=street_id).first()
        edit_timings, whole_timings = [], []
        for _ in range(5):
            compound.households += 1
            compound.save()  # as an officer's edit would: the registry signal marks the compound stale
            started = time.perf_counter()
            recompute_street_month(street_id=street_id, period=period, consume_stale_marks=True)
            edit_timings.append(time.perf_counter() - started)
        StaleStreetMonth.objects.all().delete()  # the edit's other months
        for _ in range(5):
            started = time.perf_counter()
            recompute_street_month(street_id=street_id, period=period)
            whole_timings.append(time.perf_counter() - started)
        street_results[label] = {"compounds": street_compounds, "seconds": edit_timings, "whole_seconds": whole_timings}

    sample_ids = list(Compound.objects.order_by("?").values_list("pk", flat=True)[:sample])
    started = time.perf_counter()
    naive_month_facts(sample_ids, period)
    naive_per_compound = (time.perf_counter() - started) / len(sample_ids)

    best = min(timings)
    return {
        "period": period.isoformat(), "compounds": compounds, "facts": facts, "months_of_facts": months_of_facts,
        "values": values, "value_rows": IndicatorValue.objects.filter(period=period).count(),
        "month_seconds": timings, "streets": street_results,
        "naive_sample": len(sample_ids), "naive_per_compound": naive_per_compound,
        "naive_extrapolated": naive_per_compound * facts, "speedup": naive_per_compound * facts / best,
        "rows_per_second": (facts + values) / best,
    }


def report(size: int, result: dict) -> None:
    month = min(result["month_seconds"])
    print(f"[{size:,}] month {result['period'][:7]}: {result['compounds']:,} compounds, {result['facts']:,} facts, "
          f"{result['value_rows']:,} values; its year has facts for {result['months_of_facts']} months")
    print(f"    whole month, all areas: {', '.join(f'{s:.2f}' for s in result['month_seconds'])} s (best {month:.2f} s)")
    print(f"    rows written: {result['rows_per_second']:,.0f} rows/s")
    for label, street in result["streets"].items():
        for what, seconds, goal in (("after an edit of one compound", street["seconds"], "; goal ≤ 0.5 s"),
                                    ("rebuilt whole (a report approved)", street["whole_seconds"], "")):
            print(f"    one street-month {what}, {label} street ({street['compounds']:,} compounds): "
                  f"median {statistics.median(seconds):.3f} s, max {max(seconds):.3f} s "
                  f"({', '.join(f'{s:.3f}' for s in seconds)}{goal})")
    print(f"    per-compound ORM loop: {result['naive_per_compound'] * 1000:.1f} ms per compound on a sample of "
          f"{result['naive_sample']}, ≈ {result['naive_extrapolated']:.0f} s for the month; "
          f"set-based is {result['speedup']:.0f}× faster")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,500000")
    parser.add_argument("--months", type=int, default=2, help="months of monthly data to seed")
    parser.add_argument("--sample", type=int, default=300, help="compounds in the per-compound loop sample")
    parser.add_argument("--keep", action="store_true", help="reuse an existing seeded database")
    parser.add_argument("--history", action="store_true",
                        help="measure on a copy whose year has facts for every month up to the latest")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.measure:
        print(json.dumps(measure(args.sample, args.history)))
        return
    results = {}
    for size in (int(s) for s in args.sizes.split(",")):
        url = prepare_database(size, args.months, args.keep)
        if args.history:
            url = history_database(url)
        out = subprocess.run([sys.executable, __file__, "--measure", "--sample", str(args.sample),
                              *(["--history"] if args.history else [])],
                             env={**os.environ, "DATABASE_URL": url}, check=True, capture_output=True, text=True)
        results[size] = json.loads(out.stdout.strip().splitlines()[-1])
        report(size, results[size])
    if len(results) > 1:
        sizes = sorted(results)
        small, large = (min(results[s]["month_seconds"]) for s in (sizes[0], sizes[-1]))
        print(f"scaling {sizes[0]:,} → {sizes[-1]:,} compounds: {large / small:.2f}× the time "
              f"for {sizes[-1] / sizes[0]:.0f}× the compounds")


if __name__ == "__main__":
    main()
