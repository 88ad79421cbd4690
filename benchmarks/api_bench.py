"""Time the REST API on PostgreSQL at 100,000 compounds: the indicator feed and a registry list.

    .venv/bin/python benchmarks/api_bench.py                  # create, seed and measure qz_api_bench
    .venv/bin/python benchmarks/api_bench.py --keep           # reuse an already seeded database

The database is migrated and its registry filled by `manage.py seed_demo --compounds N`. Seeding
M months of monthly data at this size takes about 80 s a month, so by default the indicator
values of the last M months are published synthetically (bulk_create, every area of every level,
every indicator: the same rows and sizes the engine writes); `--monthly` seeds the monthly data
and computes the values with the engine instead. Then, in-process
through Django's test client with an API token (no network, so the figures are the server's own
cost: queries, serialization, rendering):
  - the indicator feed: every street × the M months × every indicator, 500-row pages, followed
    through `next` to the end;
  - the registry list: every compound, 500-row pages, to the end;
  - the same indicator feed as one streamed CSV.
The process starts as a deployed worker does (benchmarks/deployed_worker.py: what it loaded is frozen
out of the garbage collector) before the first request. It prints pages, rows, requests per second
and the p50 / p95 / max time per page.
Goal (issue 5): p95 ≤ 100 ms per page of 500 rows.
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
PAGE_SIZE = 500


def prepare_database(name: str, compounds: int, months: int, keep: bool, monthly: bool) -> str:
    import psycopg

    url = f"{SERVER}/{name}"
    env = {**os.environ, "DATABASE_URL": url}
    manage = [sys.executable, str(ROOT / "manage.py")]
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and not keep:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        if not exists or not keep:
            conn.execute(f'CREATE DATABASE "{name}"')
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True)
    started = time.monotonic()
    seed = [*manage, "seed_demo", "--compounds", str(compounds), "--seed", "7", "--if-empty", "--no-indicators", "-v", "0"]
    seed += ["--months", str(months)] if monthly else ["--no-monthly"]
    subprocess.run(seed, env=env, check=True)
    print(f"seeded in {time.monotonic() - started:.0f} s", flush=True)
    return url


def publish_values(months: int, monthly: bool) -> None:
    """Runs inside a subprocess: indicator values for the last `months` months, unless already there."""
    import datetime
    import random
    from decimal import Decimal

    from django.db import transaction
    from django.db.models import Max, Min
    from django.utils import timezone

    from districts.selectors import area_models
    from metrics.models import Indicator, IndicatorValue
    from metrics.services import recompute_range
    from reporting.models import MonthlyRecord

    if IndicatorValue.objects.filter(area_level="street").values("period").distinct().count() >= months:
        return
    started = time.monotonic()
    if monthly:
        span = MonthlyRecord.objects.aggregate(first=Min("period"), last=Max("period"))
        recompute_range(first=span["first"], last=span["last"], include_submitted=True)
    else:
        IndicatorValue.objects.all().delete()
        this_month = timezone.localdate().replace(day=1)
        periods = []
        for back in range(months, 0, -1):
            index = this_month.year * 12 + this_month.month - 1 - back
            periods.append(datetime.date(index // 12, index % 12 + 1, 1))
        areas = [(model.level, code) for model in area_models() for code in model.objects.values_list("code", flat=True)]
        indicators = list(Indicator.objects.values_list("code", flat=True))
        rng, now = random.Random(7), timezone.now()
        for period in periods:
            rows = []
            for level, code in areas:
                for indicator in indicators:
                    denominator = rng.randint(0, 400)
                    numerator = rng.randint(0, denominator)
                    value = (Decimal(100 * numerator) / denominator).quantize(Decimal("0.0001")) if denominator else None
                    rows.append(IndicatorValue(indicator_id=indicator, area_level=level, area_code=code, period=period,
                                               numerator=numerator, denominator=denominator, value=value,
                                               computed_at=now))
            with transaction.atomic():
                IndicatorValue.objects.bulk_create(rows, batch_size=5000)
    print(f"indicator values published in {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)


def walk(client, url: str) -> dict:
    """Follow `next` from `url` to the end; the time of every page."""
    timings, rows = [], 0
    started = time.perf_counter()
    while url:
        page_started = time.perf_counter()
        response = client.get(url)
        assert response.status_code == 200, response.content[:500]
        body = response.json()
        timings.append(time.perf_counter() - page_started)
        rows += len(body["results"])
        url = body["next"]
    total = time.perf_counter() - started
    ordered = sorted(timings)
    return {
        "pages": len(timings), "rows": rows, "seconds": round(total, 2),
        "requests_per_second": round(len(timings) / total, 1), "rows_per_second": round(rows / total),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000, 1),
        "max_ms": round(ordered[-1] * 1000, 1),
    }


def measure(months: int, monthly: bool) -> dict:
    """Runs inside a subprocess whose DATABASE_URL points at the seeded database."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quanzhou_pm.settings")
    os.environ.setdefault("API_THROTTLE_TOKEN", "1000000/min")
    sys.path.insert(0, str(ROOT))
    django.setup()
    publish_values(months, monthly)
    from django.db import connection
    from django.db.models import Max, Min

    # Fresh bulk loads have no planner statistics yet; autovacuum would gather them on a live system.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    from rest_framework.test import APIClient

    from accounts.models import ApiToken, Role, User
    from benchmarks.deployed_worker import start_as_deployed_worker
    from communities.models import Compound
    from districts.models import Street
    from metrics.models import Indicator, IndicatorValue

    user, _ = User.objects.get_or_create(username="api-bench", defaults={"role": Role.API_CLIENT})
    _, key = ApiToken.issue(user=user, name="api_bench")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    start_as_deployed_worker()

    street_values = IndicatorValue.objects.filter(area_level="street")
    span = street_values.aggregate(first=Min("period"), last=Max("period"))
    feed = (f"/api/v1/indicator-values/?level=street&period_from={span['first']:%Y-%m}"
            f"&period_to={span['last']:%Y-%m}&page_size={PAGE_SIZE}")
    client.get(feed)  # warm the connection and caches once
    result = {
        "compounds": Compound.objects.count(),
        "streets": Street.objects.count(),
        "indicators": Indicator.objects.count(),
        "months": street_values.values("period").distinct().count(),
        "indicator_values": IndicatorValue.objects.count(),
        "values": "computed by the engine from seeded monthly data" if monthly else "synthetic (bulk_create)",
        "indicator_feed": walk(client, feed),
        "registry_compounds": walk(client, f"/api/v1/compounds/?page_size={PAGE_SIZE}"),
    }
    started = time.perf_counter()
    response = client.get(feed.replace(f"&page_size={PAGE_SIZE}", "") + "&format=csv")
    lines = sum(chunk.count(b"\n") for chunk in response.streaming_content)
    result["indicator_feed_csv"] = {"rows": lines - 1, "seconds": round(time.perf_counter() - started, 2)}
    ApiToken.objects.filter(name="api_bench").delete()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="qz_api_bench")
    parser.add_argument("--compounds", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--keep", action="store_true", help="reuse the database when it is already seeded")
    parser.add_argument("--monthly", action="store_true",
                        help="seed monthly data and compute the values with the engine (slow at this size)")
    parser.add_argument("--measure-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_only:
        print(json.dumps(measure(args.months, args.monthly)))
        return
    url = prepare_database(args.database, args.compounds, args.months, args.keep, args.monthly)
    output = subprocess.run([sys.executable, __file__, "--measure-only", "--months", str(args.months),
                             *(["--monthly"] if args.monthly else [])],
                            env={**os.environ, "DATABASE_URL": url}, check=True, stdout=subprocess.PIPE, text=True)
    result = json.loads(output.stdout.strip().splitlines()[-1])
    print(json.dumps(result, indent=2, ensure_ascii=False))
    for name in ("indicator_feed", "registry_compounds"):
        figures = result[name]
        verdict = "meets" if figures["p95_ms"] <= 100 else "misses"
        print(f"{name}: {figures['pages']} pages, {figures['rows']:,} rows, {figures['requests_per_second']} req/s, "
              f"p95 {figures['p95_ms']} ms per page ({verdict} the 100 ms goal)")


if __name__ == "__main__":
    main()
