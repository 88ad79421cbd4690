"""Server time of the pivot table (数据透视) on PostgreSQL at 100,000 compounds (issue 19).

    .venv/bin/python benchmarks/pivot.py --database qz_pivot     # time the pivots on a seeded database

The database is one seeded and computed as the other benchmarks' are, for example
`DATABASE_URL=postgres://postgres@127.0.0.1:5432/qz_pivot manage.py seed_demo --compounds 100000
--months 24 --seed 7` (seed_demo computes the indicators of every month it writes) and `migrate`.

Each pivot is rendered through Django's test client (routing, form validation, the engine's reads,
the table, the template; no network) several times after one warm-up, as city staff; printed are the
median and maximum in milliseconds and the query count. The goal: every street of the city × the
latest 24 months × one indicator answers within 500 ms, and the query count does not grow with the
number of areas or months (compare the city's streets with one district's, and 24 months with 3).
The .xlsx download of the same pivot (its table and a detail sheet of every cell) is timed beside
it, not held to the goal.
Timing signs in a user `pivot_bench` (created when missing), which writes a session row.
"""
import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_MS = 500


def pivots() -> list[tuple[str, dict]]:
    from districts.models import City, District, Street
    from metrics.dashboard.selectors import published_periods
    from metrics.periods import add_months

    city = City.objects.order_by("code").first()
    district = District.objects.filter(name="晋江市").first() or District.objects.order_by("code").first()
    latest = published_periods()[0]
    streets = Street.objects.filter(district__city=city).count()

    def months(count: int, **changes) -> dict:
        return {"indicator": ["committee_formation_rate"], "area": city.code, "level": "street", "kind": "month",
                "period_from": f"{add_months(latest, 1 - count):%Y-%m}", "period_to": f"{latest:%Y-%m}",
                "indicator_axis": "filter", "area_axis": "rows", "period_axis": "columns", **changes}

    return [
        (f"{streets} streets × 24 months × 1 indicator", months(24)),
        (f"{streets} streets × 24 months, sorted by the last", months(24, sort="23", order="desc")),
        (f"{streets} streets × 3 months", months(3)),
        (f"{district.name}'s streets × 24 months", months(24, area=district.code)),
        (f"{streets} streets × 8 quarters (run reads)", months(24, kind="quarter")),
        ("every community × the latest month", months(1, level="community")),
        (f"{streets} streets × 24 months, .xlsx", months(24, format="xlsx")),
    ]


def time_pivots(runs: int) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quanzhou_pm.settings")
    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Role, User
    from communities.models import Compound

    settings.ALLOWED_HOSTS = ["*"]
    user, _created = User.objects.get_or_create(username="pivot_bench", defaults={"role": Role.CITY_STAFF})
    client = Client()
    client.force_login(user)
    print(f"PostgreSQL database {connection.settings_dict['NAME']}: {Compound.objects.count():,} compounds")
    print(f"{'pivot':48} {'median ms':>10} {'max ms':>8} {'queries':>8} {'cells':>7}")
    slow = []
    for label, params in pivots():
        response = client.get("/analysis/pivot/", params)  # warm-up: connection, template loading
        assert response.status_code == 200, (label, response.status_code)
        body = response.content.decode(errors="replace") if "format" not in params else ""
        assert "format" in params or 'id="pivot-data"' in body, f"{label}: the pivot did not validate"
        cells = body.count('<td class="num"')
        timings = []
        for _run in range(runs):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get("/analysis/pivot/", params)
                timings.append((time.perf_counter() - started) * 1000)
        median = statistics.median(timings)
        print(f"{label:48} {median:10.0f} {max(timings):8.0f} {len(queries):8d} {cells or '':>7}")
        if median > GOAL_MS and "format" not in params:  # the goal is the table's answer, not a download's
            slow.append(label)
    print(f"goal ≤ {GOAL_MS} ms (median): " + ("all pivots meet it" if not slow else "over: " + ", ".join(slow)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server URL")
    parser.add_argument("--database", default="qz_pivot")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = f"{args.server}/{args.database}"
    time_pivots(args.runs)


if __name__ == "__main__":
    main()
