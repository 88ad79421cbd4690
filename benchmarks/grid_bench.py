"""Server time of the monthly entry grid (a page GET and a one-page save) for a big and a small street.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/qz_grid_big .venv/bin/python benchmarks/grid_bench.py
    ... grid_bench.py --streets 350502003,350583114 --repeat 7

Run it on a seeded copy, never on a shared database: it creates one street officer per street
(`bench_grid_<code>`, unusable password, logged in through the test client's session) and its saves
change figures of each street's latest draft report (made with `CREATE DATABASE qz_grid_big TEMPLATE
qz_load` when nobody is connected to qz_load, then migrated). Each request goes through Django's test client (routing,
middleware, view, services, template; no network). Printed per request: the median and maximum wall
time, the Python CPU time of this process, the time spent in SQL and the query count, after one
warm-up. The goals: a page GET ≤ 100 ms and a one-page save ≤ 200 ms, whatever the street's size.
"""
import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quanzhou_pm.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

INPUT_RE = re.compile(r'<input type="(text|checkbox|hidden)"[^>]*?name="([^"]+)"(?:[^>]*?value="([^"]*)")?([^>]*)>')


def officer_for(street):
    from accounts.models import Role, User

    user, _created = User.objects.get_or_create(
        username=f"bench_grid_{street.code.lower()}",
        defaults={"role": Role.STREET_OFFICER, "street": street, "district": street.district})
    if _created:
        user.set_unusable_password()
        user.save()
    return user


def measure(request) -> dict:
    started, cpu_started = time.perf_counter(), time.process_time()
    with CaptureQueriesContext(connection) as queries:
        response = request()
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    sql = sum(float(query["time"]) for query in queries.captured_queries)
    return {"response": response, "wall": wall * 1000, "cpu": cpu * 1000, "sql": sql * 1000,
            "queries": len(queries.captured_queries)}


def show(label: str, runs: list[dict]) -> None:
    def median(key):
        return statistics.median(run[key] for run in runs)

    print(f"  {label:<28} wall {median('wall'):7.1f} ms (max {max(r['wall'] for r in runs):7.1f})  "
          f"CPU {median('cpu'):7.1f} ms  SQL {median('sql'):7.1f} ms  queries {max(r['queries'] for r in runs)}")


def posted_form(html: str, change: int) -> dict:
    """The page's form as a browser would post it, with the first three compounds' meetings changed."""
    data, changed = {}, 0
    for kind, name, value, rest in INPUT_RE.findall(html):
        if kind == "checkbox":
            if "checked" in rest:
                data[name] = "on"
            continue
        data[name] = value or ""
        if name.endswith("__weekly_meetings") and changed < 3:
            data[name], changed = str(change % 5 + 1), changed + 1
    return data


def bench_street(code: str, repeat: int) -> None:
    from districts.models import Street
    from reporting.models import MonthlyReport, ReportState

    street = Street.objects.select_related("district").get(code=code)
    report = MonthlyReport.objects.filter(street=street, state=ReportState.DRAFT).order_by("-period").first()
    if report is None:
        sys.exit(f"{code}: no draft report to save into")
    client = Client()
    client.force_login(officer_for(street))
    url = f"/reports/{street.code}/{report.period:%Y-%m}/grid/"
    first = client.get(url)
    assert first.status_code == 200, first.status_code
    pager = re.search(r"第 \d+ / (\d+) 页", first.content.decode())
    pages = int(pager.group(1)) if pager else 1
    print(f"{street.name} ({code}), {report.period:%Y-%m}: {pages} pages of the grid")
    for label, page in (("GET first page", 1), ("GET middle page", (pages + 1) // 2), ("GET last page", pages)):
        client.get(f"{url}?page={page}")  # warm-up
        runs = [measure(lambda: client.get(f"{url}?page={page}")) for _ in range(repeat)]
        assert all(run["response"].status_code == 200 for run in runs)
        show(label, runs)
    page = (pages + 1) // 2
    saves, follow_ups = [], []
    for attempt in range(repeat + 1):
        form = posted_form(client.get(f"{url}?page={page}").content.decode(), attempt)
        # Urlencoded, as a browser posts the grid's form (the test client's default is multipart).
        run = measure(lambda: client.post(f"{url}?page={page}", urlencode(form),
                                          content_type="application/x-www-form-urlencoded"))
        assert run["response"].status_code == 302, (run["response"].status_code, run["response"].content[:500])
        follow_up = measure(lambda: client.get(run["response"].url))
        if attempt:  # the first one warms up
            saves.append(run)
            follow_ups.append(follow_up)
    show("POST save (middle page)", saves)
    show("GET after the redirect", follow_ups)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streets", default="350502003,350583114",
                        help="street codes (default: 鲤中街道, about 7,100 compounds, and 洪梅镇, about 350)")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']}); "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs")
    for code in args.streets.split(","):
        bench_street(code.strip(), args.repeat)


if __name__ == "__main__":
    main()
