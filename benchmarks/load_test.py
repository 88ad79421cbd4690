"""Ten-minute load test: gunicorn + PostgreSQL + Redis + a Celery worker and beat, driven by locust (issue 8).

    .venv/bin/python benchmarks/load_test.py                     # 600 s against the seeded database qz_load
    .venv/bin/python benchmarks/load_test.py --prepare           # first create, migrate and seed it (~15 min)
    .venv/bin/python benchmarks/load_test.py --database qz_loadtest_small --duration 60    # a quick try

What it does, in order:
  1. installs locust (pinned in benchmarks/requirements.txt) into this virtualenv when missing;
  2. with --prepare, creates the database if missing, migrates it and seeds it unless it already has compounds
     (`seed_demo --compounds 100000 --months 6 --seed 7`, which computes the indicators at the end); without
     it the database must already be seeded and migrated (it stops, naming them, when migrations are missing).
     Then it runs VACUUM ANALYZE (see analyze());
  3. creates or refreshes its own users (password drawn anew each run, one hash for all): `loadtest_city`, one
     `loadtest_district_<code>` per district, one `loadtest_street_<code>` officer per campaign street (each
     officer has a street of its own, so two officers never race on one report), and two API clients with a
     fresh read-only token each (city-wide and one district); earlier runs' tokens are deleted;
  4. empties the Redis database --redis-db (the test's own: broker, results and cache) and starts, with
     production-like settings (DEBUG off, a random SECRET_KEY, REDIS_URL for broker, results and cache):
       - gunicorn with deploy/gunicorn.conf.py and --workers sync workers (default 3; see below);
       - one Celery worker (--concurrency 1) and Celery beat, whose one-minute `metrics.process_stale`
         recomputes the street-months that the saves mark stale, as in production;
     PRODUCTION stays off: it only adds HTTPS redirects, HSTS and Secure cookies, and Secure cookies are not
     sent back over the plain-http loopback. Static files are not requested (nginx serves them in production;
     no manifest storage, so pages render without collectstatic). Login lockout cannot trip: the logins use
     the right password and AXES_FAILURE_LIMIT is raised;
  5. runs locust headless (benchmarks/load_test_locustfile.py) for --duration seconds with --users users,
     started one a second (their logins are deliberately slow hashes), in the proportions 2 : 1 : 1
     (24 users: 12 / 6 / 6):
       - dashboard viewers (city staff, every third one district staff), think time 1-3 s (--think-time): city
         overview, ranking by an indicator, period-picker variants, district, street, community and compound
         pages, laggards lists;
       - feed pullers (API tokens), half the think time: `GET /api/v1/indicator-values/?...&format=json` with
         area, level and period filters or `updated_since`, page sizes 100 and 500, following `next` (40 pages
         at most, then a new query);
       - street officers, think time 1-3 s: open pages of their street's draft report grid and save 1-3
         compounds' figures (valid values) with the page's CSRF token and version; the browser's follow-up GET
         of the grid counts as a page. A save refused because the version went stale (the product's optimistic
         locking: "该月报已被他人修改") is counted apart, not as an error; any other refusal is an error.
     The loop is closed (a user waits for its answer before thinking again): 24 users offer about 15 requests
     a second while answers are fast, and fewer as they slow down;
  6. samples VmRSS of the gunicorn master and each worker, the Celery worker and its pool child, and beat
     every --sample-interval seconds;
  7. prints per category (pages, feed pages, saves; logins apart) count, errors, p50/p95/p99/max and req/s,
     the slowest request names, the memory of each process (start, end, max; slope in MB/min by least squares
     and growth over the judged window: the last 8 minutes of a run of 10 minutes or more, else its second
     half), the background work done, and a verdict against the goals: zero errors, p95 <= 300 ms for pages
     (saves are held to the same page budget), <= 100 ms for feed pages, every process flat (growth < 5%);
  8. writes everything (result.json, every request in samples.jsonl, the services' logs) under
     artifacts/load_test/<time>-<database>/ and stops every process it started, also on Ctrl-C.

Why 3 sync workers: deploy/gunicorn.conf.py uses sync workers (short, database-bound requests) and gunicorn's
2 x cores + 1 would be 5; here PostgreSQL, the Celery worker and locust share the same 2 cores, so more than
3 processes only adds memory and context switches, while 3 still lets one request run Python while another
waits on PostgreSQL. Worker recycling (max_requests 2000 in the deploy config) is turned off for the run
(--max-requests 0): recycling would hide exactly the memory growth this test is meant to see.
The exit status is 0 when every goal is met, 1 otherwise.
"""
from __future__ import annotations

import argparse
import datetime
import importlib.metadata
import json
import math
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
REQUIREMENTS = Path(__file__).with_name("requirements.txt")
LOCUSTFILE = Path(__file__).with_name("load_test_locustfile.py")
GOALS_MS = {"page": 300, "feed": 100, "save": 300}
CATEGORY_LABELS = {"page": "pages", "feed": "feed pages", "save": "saves", "login": "logins (not judged)"}
FLAT_GROWTH = 0.05
JUDGED_WINDOW_S = 480


# --- Setup --------------------------------------------------------------------------------------


def ensure_locust() -> None:
    pinned = re.search(r"^locust==(\S+)", REQUIREMENTS.read_text(), re.MULTILINE)[1]
    try:
        if importlib.metadata.version("locust") == pinned:
            return
    except importlib.metadata.PackageNotFoundError:
        pass
    print(f"installing locust {pinned} into {BIN.parent}", flush=True)
    installed = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-r", str(REQUIREMENTS)],
                               stderr=subprocess.PIPE, text=True)
    # As in scripts/bootstrap.sh: pip's notes about absent local package mirrors are noise.
    sys.stderr.write("".join(line for line in installed.stderr.splitlines(keepends=True)
                             if "is ignored: it is neither" not in line))
    installed.check_returncode()


def manage(*args: str, env: dict, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "manage.py"), *args], env=env, check=True, cwd=ROOT, **kwargs)


def prepare_database(server: str, database: str, compounds: int, months: int, env: dict) -> None:
    """Create the database when missing, migrate it and seed it unless it already holds compounds."""
    import psycopg

    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone():
            conn.execute(f'CREATE DATABASE "{database}"')
    manage("migrate", "--noinput", "-v", "0", env=env)
    started = time.monotonic()
    manage("seed_demo", "--compounds", str(compounds), "--months", str(months), "--seed", "7", "--if-empty", env=env)
    print(f"seeded in {time.monotonic() - started:.0f} s", flush=True)


def check_database(url: str) -> dict:
    import psycopg

    try:
        with psycopg.connect(url) as conn:
            counts = {
                "compounds": conn.execute("SELECT count(*) FROM communities_compound").fetchone()[0],
                "indicator_values": conn.execute("SELECT count(*) FROM metrics_indicatorvalue").fetchone()[0],
            }
    except psycopg.Error as exc:
        raise SystemExit(f"{url}: {exc}".strip() + "\nSeed it first: add --prepare.") from exc
    if not counts["compounds"] or not counts["indicator_values"]:
        raise SystemExit(f"{url} has {counts['compounds']} compounds and {counts['indicator_values']} indicator "
                         "values: seed it first (--prepare).")
    return counts


def analyze(url: str) -> str:
    """Vacuumed tables and fresh planner statistics, as autovacuum keeps them on a live server;
    returns the autovacuum setting.

    On a server with autovacuum off (CI's configuration) the indicator tables keep the dead rows of
    every earlier recompute and whatever statistics the last manual ANALYZE left, which makes plans
    and scans several times slower than production's.
    """
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
        return conn.execute("SHOW autovacuum").fetchone()[0]


def check_migrations(env: dict) -> None:
    """Stop when the code expects migrations the database lacks; only --prepare migrates (a shared database
    is not altered behind its owner's back)."""
    check = subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "--check", "--plan"], env=env,
                           cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if check.returncode:
        raise SystemExit(f"{env['DATABASE_URL']} lacks migrations of this checkout:\n{check.stdout.strip()}\n"
                         "Migrate it (`manage.py migrate`) or run with --prepare.")


def build_fixture(started_at: str) -> dict:
    """Runs inside a subprocess with Django set up: the users, tokens and codes the simulated users need."""
    import random
    import urllib.parse

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quanzhou_pm.settings")
    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from accounts.models import ApiToken, Role, User
    from common.demo.users import NAMED_STREETS
    from communities.models import Community
    from communities.selectors import compounds_active_on
    from districts.models import District, Street
    from metrics.dashboard.periods import picker_options
    from metrics.dashboard.selectors import published_periods
    from metrics.models import Indicator, IndicatorValue
    from reporting.models import MonthlyReport, ReportState
    from reporting.periods import current_month, format_period, month_end
    from reporting.views import GRID_PAGE_SIZE

    rng = random.Random(7)
    password = secrets.token_urlsafe(16)
    hashed = make_password(password)  # one slow hash for every load-test user

    def account(username: str, role: str, **area) -> User:
        user, _ = User.objects.update_or_create(username=username, defaults={
            "role": role, "password": hashed, "is_active": True, "district": None, "street": None, **area})
        return user

    today_month = current_month()
    districts, officers, district_staff = [], [], {}
    with transaction.atomic():
        city = account("loadtest_city", Role.CITY_STAFF, first_name="负载测试(市)")
        for district in District.objects.order_by("code"):
            active = compounds_active_on(month_end(today_month), area=district)
            compounds = list(active.order_by("?").values_list("code", flat=True)[:30])
            if not compounds:
                continue
            streets = list(Street.objects.filter(district=district, communities__compounds__isnull=False)
                           .distinct().values_list("code", flat=True))
            communities = list(Community.objects.filter(street__district=district, compounds__isnull=False)
                               .distinct().values_list("code", flat=True))
            districts.append({"code": district.code, "streets": rng.sample(streets, min(30, len(streets))),
                              "communities": rng.sample(communities, min(30, len(communities))),
                              "compounds": compounds})
            district_staff[district.code] = account(f"loadtest_district_{district.code.lower()}",
                                                    Role.DISTRICT_STAFF, district=district).username
        for street in Street.objects.filter(code__in=NAMED_STREETS).select_related("district").order_by("code"):
            draft = (MonthlyReport.objects.filter(street=street, state=ReportState.DRAFT, period__lte=today_month)
                     .order_by("-period").values_list("period", flat=True).first()) or today_month
            rows = compounds_active_on(month_end(draft), area=street).count()
            if not rows:
                continue
            user = account(f"loadtest_street_{street.code.lower()}", Role.STREET_OFFICER,
                           street=street, district=street.district)
            officers.append({"username": user.username, "street": street.code, "period": format_period(draft),
                             "grid_pages": math.ceil(rows / GRID_PAGE_SIZE)})
        api_city = account("loadtest_api_city", Role.API_CLIENT, first_name="负载测试(市平台)")
        api_district = account("loadtest_api_district", Role.API_CLIENT,
                               district=District.objects.get(code=districts[0]["code"]))
        ApiToken.objects.filter(user__in=[api_city, api_district]).delete()
        _, city_token = ApiToken.issue(user=api_city, name="负载测试")
        _, district_token = ApiToken.issue(user=api_district, name="负载测试")
    months = sorted({format_period(p) for p in IndicatorValue.objects.filter(area_level="street")
                     .values_list("period", flat=True).distinct()})
    return {
        "password": password, "city_staff": city.username, "district_staff": district_staff,
        "city_token": city_token, "district_token": district_token, "officers": officers, "districts": districts,
        "indicators": list(Indicator.objects.order_by("code").values_list("code", flat=True)),
        "months": months,
        "period_params": [param for _, choices in picker_options(published_periods()) for param, _ in choices],
        "started_at": urllib.parse.quote(started_at),
    }


# --- Processes ----------------------------------------------------------------------------------


class Services:
    """The processes of one run, each in its own session so that one signal reaches its whole tree."""

    def __init__(self, run_dir: Path, env: dict):
        self.run_dir, self.env, self.procs = run_dir, env, {}

    def start(self, name: str, command: list[str], env: dict | None = None) -> subprocess.Popen:
        log = open(self.run_dir / f"{name}.log", "wb")
        proc = subprocess.Popen(command, cwd=ROOT, env=env or self.env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        self.procs[name] = proc
        return proc

    def check_alive(self) -> None:
        for name, proc in self.procs.items():
            if name != "locust" and proc.poll() is not None:
                raise RuntimeError(f"{name} exited with status {proc.returncode}; see {self.run_dir / name}.log")

    def stop(self) -> None:
        """SIGTERM (graceful for gunicorn and Celery), then SIGKILL to whatever of the group is left after 30 s."""
        for proc in self.procs.values():
            if proc.poll() is None:
                _signal_group(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        for proc in self.procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        for proc in self.procs.values():
            _signal_group(proc.pid, signal.SIGKILL)  # also reaps children orphaned by their parent's exit
            if proc.poll() is None:
                proc.wait(timeout=10)


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_ready(base_url: str, services: Services, gunicorn_workers: int, timeout: float = 120) -> None:
    """/readyz answers 200 (database and broker), every gunicorn worker is up and the Celery worker is ready."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        services.check_alive()
        try:
            with urllib.request.urlopen(f"{base_url}/readyz", timeout=5) as response:
                ready = response.status == 200
        except OSError:
            ready = False
        workers = len(children(services.procs["gunicorn"].pid))
        celery_ready = b" ready." in (services.run_dir / "celery-worker.log").read_bytes()
        if ready and workers == gunicorn_workers and celery_ready:
            return
        time.sleep(1)
    raise RuntimeError(f"services not ready after {timeout:.0f} s; see the logs in {services.run_dir}")


# --- Memory -------------------------------------------------------------------------------------


def rss_mb(pid: int) -> float | None:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                # The command name may contain spaces and parentheses: the fields after the last ")" are fixed.
                fields = stat.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry))
    return sorted(found)


class MemorySampler(threading.Thread):
    """VmRSS of every service process every `interval` seconds; workers are named in order of appearance."""

    def __init__(self, services: Services, interval: float):
        super().__init__(daemon=True)
        self.services, self.interval = services, interval
        self.series: dict[int, dict] = {}
        self.started = time.monotonic()
        self.halt = threading.Event()
        self._numbers: dict[str, int] = {}

    def _role(self, pid: int, role: str, numbered: bool) -> dict:
        if pid not in self.series:
            if numbered:
                self._numbers[role] = self._numbers.get(role, 0) + 1
                role = f"{role} {self._numbers[role]}"
            self.series[pid] = {"process": role, "pid": pid, "samples": []}
        return self.series[pid]

    def sample(self) -> None:
        at = round(time.monotonic() - self.started, 1)
        procs = self.services.procs
        tree = [(procs["gunicorn"].pid, "gunicorn master", "gunicorn worker"),
                (procs["celery-worker"].pid, "celery worker", "celery worker pool child"),
                (procs["celery-beat"].pid, "celery beat", "celery beat child")]
        for parent, role, child_role in tree:
            for pid, name, numbered in [(parent, role, False), *((c, child_role, True) for c in children(parent))]:
                rss = rss_mb(pid)
                if rss is not None:
                    self._role(pid, name, numbered)["samples"].append((at, round(rss, 1)))

    def run(self) -> None:
        while not self.halt.is_set():
            self.sample()
            self.halt.wait(self.interval)

    def latest_total(self) -> float:
        return sum(s["samples"][-1][1] for s in self.series.values() if s["samples"])


def least_squares(points: list[tuple[float, float]]) -> tuple[float, float]:
    """Slope and intercept of y over x."""
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / spread if spread else 0.0
    return slope, mean_y - slope * mean_x


def judged_window(duration: float, planned: int) -> tuple[float, float]:
    """The last 8 minutes of a run planned for at least 10 minutes (2 minutes' warm-up), else its second half."""
    start = duration - JUDGED_WINDOW_S if planned >= 600 else duration / 2
    return start, duration


def memory_report(series: dict[int, dict], window: tuple[float, float]) -> list[dict]:
    window_start, _ = window
    rows = []
    for entry in series.values():
        samples = entry["samples"]
        values = [rss for _, rss in samples]
        window = [(t, rss) for t, rss in samples if t >= window_start]
        row = {"process": entry["process"], "pid": entry["pid"], "start_mb": values[0], "end_mb": values[-1],
               "max_mb": max(values), "samples": len(samples), "first_seen_s": samples[0][0]}
        if len(window) >= 3:
            slope, intercept = least_squares(window)
            at_start = slope * window[0][0] + intercept
            growth = slope * (window[-1][0] - window[0][0]) / at_start if at_start > 0 else 0.0
            row.update(slope_mb_per_min=round(slope * 60, 3), growth_pct=round(growth * 100, 1),
                       flat=growth < FLAT_GROWTH)
        else:
            row.update(slope_mb_per_min=None, growth_pct=None, flat=None)  # too few samples to judge
        rows.append(row)
    return rows


# --- Requests -----------------------------------------------------------------------------------


def percentile(ordered: list[float], p: float) -> float:
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def timing_figures(samples: list[dict], seconds: float) -> dict:
    ordered = sorted(s["ms"] for s in samples)
    return {
        "count": len(samples),
        "errors": sum(1 for s in samples if s["outcome"] == "error"),
        "stale": sum(1 for s in samples if s["outcome"] == "stale"),
        "p50_ms": percentile(ordered, 50) if ordered else None,
        "p95_ms": percentile(ordered, 95) if ordered else None,
        "p99_ms": percentile(ordered, 99) if ordered else None,
        "max_ms": ordered[-1] if ordered else None,
        "req_per_s": round(len(samples) / seconds, 2) if seconds else None,
    }


def request_report(samples: list[dict], seconds: float) -> dict:
    by_category, by_name, errors = {}, {}, {}
    for sample in samples:
        by_category.setdefault(sample["category"], []).append(sample)
        by_name.setdefault(f"{sample['category']}: {sample['method']} {sample['name']}", []).append(sample)
        if sample["outcome"] == "error":
            key = f"{sample['category']}: {sample['name']}: {sample['error']}"
            errors[key] = errors.get(key, 0) + 1
    return {
        "categories": {category: timing_figures(items, seconds) for category, items in sorted(by_category.items())},
        "names": {name: timing_figures(items, seconds) for name, items in sorted(by_name.items())},
        "all": timing_figures(samples, seconds),
        "error_messages": dict(sorted(errors.items(), key=lambda item: -item[1])[:20]),
    }


# gunicorn's default access log line plus the time the worker spent on the request, in microseconds.
ACCESS_LOG_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(D)s'
_ACCESS_LINE = re.compile(r'"(\w+) (\S+) HTTP/[\d.]+" (\d{3}) \S+ ".*" ".*" (\d+)$')


def server_times(gunicorn_log: Path) -> dict:
    """Per category, the time gunicorn's workers spent on the requests: the client-side time minus the wait in
    the listen queue. On a busy machine the gap between the two says how much of the latency is queueing."""
    times: dict[str, list[float]] = {}
    for line in gunicorn_log.read_text(errors="replace").splitlines():
        match = _ACCESS_LINE.search(line)
        if not match or match[2].startswith(("/healthz", "/readyz")):
            continue
        method, path, micros = match[1], match[2], int(match[4])
        if path.startswith("/api/"):
            category = "feed"
        elif path.startswith("/accounts/login"):
            category = "login"
        elif method == "POST" and "/grid/" in path:
            category = "save"
        else:
            category = "page"
        times.setdefault(category, []).append(micros / 1000)
    return {category: {"count": len(values), "p50_ms": percentile(sorted(values), 50),
                       "p95_ms": percentile(sorted(values), 95)} for category, values in sorted(times.items())}


def background_report(run_dir: Path, database_url: str, started_at: datetime.datetime) -> dict:
    """What the Celery worker did and what the services logged as trouble."""
    import psycopg

    worker_log = (run_dir / "celery-worker.log").read_text(errors="replace")
    runs = re.findall(r"Task metrics\.process_stale\[[^\]]+\] succeeded in ([\d.]+)s: (\d+)", worker_log)
    gunicorn_log = (run_dir / "gunicorn.log").read_text(errors="replace")
    with psycopg.connect(database_url) as conn:
        pending = conn.execute("SELECT count(*) FROM metrics_stalestreetmonth").fetchone()[0]
        rewritten = conn.execute("SELECT count(*) FROM metrics_indicatorvalue WHERE computed_at >= %s",
                                 [started_at]).fetchone()[0]
    return {
        "process_stale_runs": len(runs),
        "street_months_recomputed": sum(int(cleared) for _, cleared in runs),
        "process_stale_max_s": max((round(float(seconds), 2) for seconds, _ in runs), default=None),
        "task_failures": len(re.findall(r"Task \S+\[[^\]]+\] (?:raised|retry)", worker_log)),
        "stale_street_months_pending_at_end": pending,
        "indicator_values_rewritten": rewritten,
        "gunicorn_worker_timeouts": gunicorn_log.count("WORKER TIMEOUT"),
        "gunicorn_server_errors": len(re.findall(r'" 5\d\d ', gunicorn_log)),
    }


# --- Report -------------------------------------------------------------------------------------


def _ms(value) -> str:
    return "-" if value is None else f"{value:.0f}"


def print_summary(result: dict) -> None:
    requests, seconds, servers = result["requests"], result["load_seconds"], result["server_times"]
    print(f"\n=== Load test on {result['database']} ({result['compounds']:,} compounds), {seconds:.0f} s, "
          f"{result['users']} users, {result['gunicorn_workers']} gunicorn workers ===")
    header = (f"{'category':<22}{'count':>7}{'errors':>7}{'stale':>6}{'p50':>7}{'p95':>7}{'p99':>7}{'max':>7}"
              f"{'req/s':>7}  goal p95      in worker p50/p95")
    print("client-side times in ms (what the goals judge); the last column is gunicorn's own time per request")
    print(header)
    for category, figures in requests["categories"].items():
        goal, server = GOALS_MS.get(category), servers.get(category, {})
        print(f"{CATEGORY_LABELS.get(category, category):<22}{figures['count']:>7}{figures['errors']:>7}"
              f"{figures['stale']:>6}{_ms(figures['p50_ms']):>7}{_ms(figures['p95_ms']):>7}{_ms(figures['p99_ms']):>7}"
              f"{_ms(figures['max_ms']):>7}{figures['req_per_s']:>7}  {f'<= {goal} ms' if goal else '':<13}"
              f"{_ms(server.get('p50_ms')):>6} /{_ms(server.get('p95_ms')):>6}")
    total = requests["all"]
    print(f"{'all requests':<22}{total['count']:>7}{total['errors']:>7}{total['stale']:>6}{_ms(total['p50_ms']):>7}"
          f"{_ms(total['p95_ms']):>7}{_ms(total['p99_ms']):>7}{_ms(total['max_ms']):>7}{total['req_per_s']:>7}")
    print("\nslowest request names by p95 (ms):")
    names = sorted(requests["names"].items(), key=lambda item: -(item[1]["p95_ms"] or 0))
    for name, figures in names[:12]:
        print(f"  {name:<58}{figures['count']:>6}  p50 {_ms(figures['p50_ms']):>5}  p95 {_ms(figures['p95_ms']):>5}"
              f"  max {_ms(figures['max_ms']):>5}  errors {figures['errors']}")
    if requests["error_messages"]:
        print("\nerrors:")
        for message, count in requests["error_messages"].items():
            print(f"  {count:>5} × {message}")
    window = result["memory_window_s"]
    print(f"\nmemory (RSS MB; slope and growth over {window[0]:.0f}-{window[1]:.0f} s):")
    print(f"  {'process':<28}{'pid':>8}{'start':>8}{'end':>8}{'max':>8}{'MB/min':>9}{'growth':>8}  flat")
    for row in result["memory"]:
        slope = "-" if row["slope_mb_per_min"] is None else f"{row['slope_mb_per_min']:+.2f}"
        growth = "-" if row["growth_pct"] is None else f"{row['growth_pct']:+.1f}%"
        flat = {True: "yes", False: "NO", None: "-"}[row["flat"]]
        late = f"  (appeared at {row['first_seen_s']:.0f} s)" if row["first_seen_s"] > result["sample_interval"] else ""
        print(f"  {row['process']:<28}{row['pid']:>8}{row['start_mb']:>8.1f}{row['end_mb']:>8.1f}{row['max_mb']:>8.1f}"
              f"{slope:>9}{growth:>8}  {flat}{late}")
    background = result["background"]
    longest = background["process_stale_max_s"] or "-"
    print(f"\nbackground: process_stale ran {background['process_stale_runs']} times and recomputed "
          f"{background['street_months_recomputed']} street-months (longest {longest} s); "
          f"{background['indicator_values_rewritten']} indicator values rewritten; "
          f"{background['stale_street_months_pending_at_end']} street-months still stale at the end; "
          f"task failures {background['task_failures']}, gunicorn worker timeouts "
          f"{background['gunicorn_worker_timeouts']}, 5xx in the access log {background['gunicorn_server_errors']}")
    print("\nverdict:")
    for check in result["checks"]:
        print(f"  {'PASS' if check['ok'] else 'FAIL'}  {check['goal']}: {check['actual']}")
    print(f"\n{'PASS' if result['passed'] else 'FAIL'}; details in {result['run_dir']}")


def checks(result: dict) -> list[dict]:
    categories = result["requests"]["categories"]
    errors = result["requests"]["all"]["errors"] + result["background"]["task_failures"]
    found = [{"goal": "zero errors (requests and background tasks)", "actual": f"{errors}", "ok": errors == 0}]
    for category, goal in GOALS_MS.items():
        p95 = categories.get(category, {}).get("p95_ms")
        found.append({"goal": f"p95 of {CATEGORY_LABELS[category]} <= {goal} ms", "actual": f"{_ms(p95)} ms",
                      "ok": p95 is not None and p95 <= goal})
    for row in result["memory"]:
        found.append({"goal": f"{row['process']} memory flat (growth < {FLAT_GROWTH:.0%})",
                      "actual": "too few samples" if row["growth_pct"] is None else f"{row['growth_pct']:+.1f}%",
                      "ok": row["flat"] is not False})
    return found


# --- Main ---------------------------------------------------------------------------------------


def service_env(args, database_url: str, port: int) -> dict:
    env = {key: value for key, value in os.environ.items()
           if key not in ("CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "CACHE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update({
        "DATABASE_URL": database_url,
        "REDIS_URL": f"{args.redis}/{args.redis_db}",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "DEBUG": "false",
        "PRODUCTION": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "AXES_FAILURE_LIMIT": "1000",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": str(args.workers),
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    })
    return env


def run(args) -> int:
    server = args.server.rstrip("/")
    database_url = f"{server}/{args.database}"
    base_env = {**os.environ, "DATABASE_URL": database_url}
    if args.prepare:
        prepare_database(server, args.database, args.compounds, args.months, base_env)
    counts = check_database(database_url)
    check_migrations(base_env)
    ensure_locust()
    autovacuum = analyze(database_url)
    if autovacuum != "on":
        print("note: autovacuum is off on this server: statistics were refreshed once now, but dead rows left by "
              "the recomputes during the run are not vacuumed as they would be in production", flush=True)

    started_at = datetime.datetime.now(datetime.timezone.utc)
    run_dir = ROOT / "artifacts" / "load_test" / f"{started_at:%Y%m%dT%H%M%SZ}-{args.database}"
    run_dir.mkdir(parents=True)
    output = subprocess.run([sys.executable, __file__, "--fixture-only", started_at.isoformat(timespec="seconds")],
                            env=base_env, check=True, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    fixture_path = run_dir / "fixture.json"
    fixture_path.write_text(output.stdout.strip().splitlines()[-1])
    fixture_path.chmod(0o600)  # holds the run's password and tokens

    import redis

    redis.Redis.from_url(f"{args.redis}/{args.redis_db}").flushdb()
    port = args.port or free_port()
    base_url = f"http://127.0.0.1:{port}"
    services = Services(run_dir, service_env(args, database_url, port))
    sampler = None
    try:
        services.start("gunicorn", [str(BIN / "gunicorn"), "quanzhou_pm.wsgi:application",
                                    "-c", str(ROOT / "deploy" / "gunicorn.conf.py"), "--max-requests", "0",
                                    "--access-logformat", ACCESS_LOG_FORMAT])
        services.start("celery-worker", [str(BIN / "celery"), "-A", "quanzhou_pm", "worker", "--loglevel", "INFO",
                                         "--concurrency", "1", "--hostname", f"loadtest-{port}@%h"])
        services.start("celery-beat", [str(BIN / "celery"), "-A", "quanzhou_pm", "beat", "--loglevel", "INFO",
                                       "--schedule", str(run_dir / "celerybeat-schedule")])
        wait_ready(base_url, services, args.workers)
        print(f"services ready at {base_url}; load for {args.duration} s with {args.users} users "
              f"(logs in {run_dir})", flush=True)

        sampler = MemorySampler(services, args.sample_interval)
        sampler.start()
        samples_path = run_dir / "samples.jsonl"
        load_started = time.monotonic()
        locust = services.start("locust", [
            str(BIN / "locust"), "-f", str(LOCUSTFILE), "--headless", "--host", base_url,
            "--users", str(args.users), "--spawn-rate", str(args.spawn_rate), "--run-time", f"{args.duration}s",
            "--stop-timeout", "10", "--only-summary", "--loglevel", "WARNING",
        ], env={**os.environ, "LOADTEST_FIXTURE": str(fixture_path), "LOADTEST_SAMPLES": str(samples_path),
                "LOADTEST_THINK": f"{args.think_time[0]},{args.think_time[1]}"})
        next_report = load_started + 60
        while locust.poll() is None:
            services.check_alive()
            if time.monotonic() >= next_report:
                done = samples_path.read_text().splitlines() if samples_path.exists() else []
                failed = sum('"outcome": "error"' in line for line in done)
                print(f"  {time.monotonic() - load_started:5.0f} s: {len(done)} requests, {failed} errors, "
                      f"services' RSS {sampler.latest_total():.0f} MB", flush=True)
                next_report += 60
            if time.monotonic() - load_started > args.duration + 120:
                raise RuntimeError("locust did not stop within two minutes of its run time")
            time.sleep(1)
        load_seconds = time.monotonic() - load_started
        sampler.halt.set()
        sampler.join()
        sampler.sample()
        services.check_alive()

        samples = [json.loads(line) for line in samples_path.read_text().splitlines() if line.strip()]
        if not samples:
            raise RuntimeError(f"locust made no requests; see {run_dir / 'locust.log'}")
        first = min(s["t"] for s in samples)
        last = max(s["t"] + s["ms"] / 1000 for s in samples)
        result = {
            "database": args.database, "compounds": counts["compounds"], "users": args.users,
            "think_time_s": list(args.think_time),
            "duration": args.duration, "load_seconds": round(last - first, 1), "gunicorn_workers": args.workers,
            "sample_interval": args.sample_interval, "started_at": started_at.isoformat(), "run_dir": str(run_dir),
            "cpu_count": os.cpu_count(), "autovacuum": autovacuum,
            "requests": request_report(samples, last - first),
            "server_times": server_times(run_dir / "gunicorn.log"),
            "memory_window_s": judged_window(load_seconds, args.duration),
            "memory": memory_report(sampler.series, judged_window(load_seconds, args.duration)),
            "background": background_report(run_dir, database_url, started_at),
        }
        result["checks"] = checks(result)
        result["passed"] = all(check["ok"] for check in result["checks"])
        (run_dir / "result.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
        print_summary(result)
        return 0 if result["passed"] else 1
    finally:
        if sampler is not None:
            sampler.halt.set()
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not leave processes behind
        print("stopping the services...", flush=True)
        services.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="qz_load", help="the seeded PostgreSQL database (default qz_load)")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432", help="PostgreSQL server URL")
    parser.add_argument("--prepare", action="store_true",
                        help="create the database when missing, migrate it and seed it unless it has compounds")
    parser.add_argument("--compounds", type=int, default=100_000, help="compounds to seed with --prepare")
    parser.add_argument("--months", type=int, default=6, help="months of monthly data to seed with --prepare")
    parser.add_argument("--duration", type=int, default=600, help="seconds of load (default 600)")
    parser.add_argument("--users", type=int, default=24, help="simulated users (default 24)")
    parser.add_argument("--think-time", type=float, nargs=2, default=(1, 3), metavar=("MIN", "MAX"),
                        help="seconds a person waits between requests (default 1 3; feed pullers wait half)")
    parser.add_argument("--spawn-rate", type=float, default=1, help="users started per second (default 1)")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers (default 3, for 2 cores)")
    parser.add_argument("--port", type=int, default=0, help="gunicorn's port (default: a free one)")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379", help="Redis server URL")
    parser.add_argument("--redis-db", type=int, default=9, help="Redis database of the run; emptied at start")
    parser.add_argument("--sample-interval", type=float, default=10, help="seconds between memory samples")
    parser.add_argument("--fixture-only", metavar="STARTED_AT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fixture_only:
        print(json.dumps(build_fixture(args.fixture_only), ensure_ascii=False))
        return 0

    def interrupted(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupted)
    # Also when started in the background, where the shell leaves SIGINT ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        return run(args)
    except KeyboardInterrupt:
        print("interrupted; services stopped", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
