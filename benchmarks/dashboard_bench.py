"""Server time of every dashboard page on PostgreSQL at 100,000 compounds.

    .venv/bin/python benchmarks/dashboard_bench.py --prepare      # create, seed and recompute (long)
    .venv/bin/python benchmarks/dashboard_bench.py                # time the pages on the prepared database

--prepare drops and creates the database (default qz_dashboard_bench), migrates it, runs
`seed_demo --compounds 100000 --months 24` and `recompute_indicators` for those months. Timing renders
each page through Django's test client (URL routing, views, selectors, templates; no network), in a
process started as a deployed worker is (benchmarks/deployed_worker.py), several times after one warm-up and prints the median and the maximum in milliseconds with the query count.
The goal is a median of 150 ms per page on a quiet machine, so that under the load test's mix the
95th percentile stays within 300 ms (issue 8).

Against an existing database (such as the load test's qz_load) leave out --prepare:
`--database qz_load`. Timing signs in a user `dashboard_bench` (created when missing), which writes
a session row and the user's last sign-in; point it at a copy to leave the database untouched
(`CREATE DATABASE qz_load_copy TEMPLATE qz_load`).
"""
import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_MS = 150


def prepare(server: str, database: str, compounds: int, months: int) -> None:
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{database}"')
    env = {**os.environ, "DATABASE_URL": f"{server}/{database}"}
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True)
    subprocess.run([*manage, "seed_demo", "--compounds", str(compounds), "--months", str(months), "--no-indicators"],
                   env=env, check=True)
    subprocess.run([*manage, "recompute_indicators", "--from", _first_seeded_month(months), "--to", _last_full_month()],
                   env=env, check=True)


def _last_full_month() -> str:
    import datetime

    today = datetime.date.today().replace(day=1)
    last = today - datetime.timedelta(days=1)
    return f"{last:%Y-%m}"


def _first_seeded_month(months: int) -> str:
    import datetime

    year, month = map(int, _last_full_month().split("-"))
    index = year * 12 + month - 1 - (months - 1)
    return f"{datetime.date(index // 12, index % 12 + 1, 1):%Y-%m}"


def pages() -> list[tuple[str, str]]:
    from communities.models import Community, Compound
    from districts.models import District, Street

    street = Street.objects.filter(name="鲤中街道").first() or Street.objects.order_by("code").first()
    district = street.district
    community = Community.objects.filter(street=street, compounds__isnull=False).order_by("code").first()
    compound = Compound.objects.filter(community=community).order_by("code").first()
    biggest = District.objects.order_by("code").first()
    return [
        ("city overview (month)", "/dashboard/"),
        ("city overview, ranking by party coverage", "/dashboard/?indicator=party_org_coverage&order=asc"),
        ("city overview (quarter)", f"/dashboard/?period={_quarter()}"),
        ("city overview (year)", f"/dashboard/?period={_year()}"),
        (f"district {district.name}", f"/dashboard/district/{district.code}/"),
        (f"district {biggest.name}", f"/dashboard/district/{biggest.code}/"),
        (f"district {district.name} (quarter)", f"/dashboard/district/{district.code}/?period={_quarter()}"),
        (f"street {street.name}", f"/dashboard/street/{street.code}/"),
        (f"community {community.name}", f"/dashboard/community/{community.code}/"),
        (f"compound {compound.code}", f"/dashboard/compound/{compound.code}/"),
        ("laggards, streets", "/dashboard/laggards/"),
        ("laggards, communities", "/dashboard/laggards/?level=community"),
        ("laggards, communities (year)", f"/dashboard/laggards/?level=community&period={_year()}"),
        ("ranking export .xlsx", "/dashboard/?export=ranking&format=xlsx"),
    ]


def _quarter() -> str:
    """The latest quarter whose reports are due: the only quarters a dashboard shows figures for."""
    from reporting.periods import latest_due_month

    latest = latest_due_month()
    year, quarter = latest.year, (latest.month - 1) // 3 + 1
    if latest.month % 3:  # its quarter's last month is not due yet
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    return f"{year}-Q{quarter}"


def _year() -> str:
    """The latest year whose reports are due."""
    from reporting.periods import latest_due_month

    latest = latest_due_month()
    return str(latest.year if latest.month == 12 else latest.year - 1)


def time_pages(runs: int) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quanzhou_pm.settings")
    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Role, User
    from benchmarks.deployed_worker import start_as_deployed_worker
    from communities.models import Compound

    settings.ALLOWED_HOSTS = ["*"]
    user, _created = User.objects.get_or_create(username="dashboard_bench", defaults={"role": Role.CITY_STAFF})
    client = Client()
    client.force_login(user)
    start_as_deployed_worker()
    print(f"PostgreSQL database {connection.settings_dict['NAME']}: {Compound.objects.count():,} compounds")
    print(f"{'page':48} {'median ms':>10} {'max ms':>8} {'queries':>8}")
    slow = []
    for label, url in pages():
        client.get(url)  # warm-up: connection, template loading
        timings = []
        for _run in range(runs):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        median = statistics.median(timings)
        print(f"{label:48} {median:10.0f} {max(timings):8.0f} {len(queries):8d}")
        if median > GOAL_MS:
            slow.append(label)
    print(f"goal ≤ {GOAL_MS} ms (median): " + ("all pages meet it" if not slow else "over: " + ", ".join(slow)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server URL")
    parser.add_argument("--database", default="qz_dashboard_bench")
    parser.add_argument("--prepare", action="store_true", help="create, seed and recompute the database first")
    parser.add_argument("--compounds", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    if args.prepare:
        prepare(args.server, args.database, args.compounds, args.months)
    os.environ["DATABASE_URL"] = f"{args.server}/{args.database}"
    time_pages(args.runs)


if __name__ == "__main__":
    main()
