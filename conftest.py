"""Project-wide test fixtures.

Tests that need a real service call `require_service`: they skip on a machine without it, but
under CI (CI=true) a missing service is a failure, so a green CI means the real parts ran.
"""
import os
import signal
import subprocess
import sys
import tempfile
import time

import pytest
from django.db import connection

from tests.brokers import BROKER_DATABASES, BROKER_OWNER_KEY, claim_broker_database, empty_broker


PROJECT_DIR = os.path.dirname(os.path.abspath(__file__))

# Data migrations whose rows the tests rely on (areas, indicator definitions, the 2024 round).
DATA_MIGRATIONS = [
    ("districts", "0002_quanzhou_areas"),
    ("districts", "0004_official_division_codes"),
    # The areas' tree paths, after 0004 has moved their codes.
    ("districts", "0006_area_tree_paths"),
    ("communities", "0005_area_tree_paths"),
    ("metrics", "0002_indicators_and_targets"),
    ("selection", "0002_round_2024_history"),
    ("selection", "0005_round_2024_published_in_2025"),
]


@pytest.fixture(autouse=True)
def _migration_data(request):
    """Transactional tests end by emptying every table, which also drops the rows the data
    migrations loaded; load them again before the next test that uses the database."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("transactional_db")
    from districts.models import City

    if City.objects.exists():
        return
    import importlib

    from django.apps import apps

    for app_label, name in DATA_MIGRATIONS:
        migration = importlib.import_module(f"{app_label}.migrations.{name}").Migration
        for operation in migration.operations:
            if hasattr(operation, "code"):  # the data, not the schema
                operation.code(apps, None)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Throttles, vote rate limits and login lockouts count in the cache: each test starts at zero,
    so a test never inherits another's counts."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def fast_password_hashing(settings):
    """The factories hash a password per user; the production hasher is slow on purpose."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_in_process_beat(settings):
    """The in-process beat of the embedded default (common.eager_beat) would run every scheduled task
    after a test's first request; tests run the tasks they mean to, and test_eager_beat turns it on."""
    settings.EAGER_BEAT = False


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_service(available: bool, what: str) -> None:
    if available:
        return
    if _in_ci():
        pytest.fail(f"{what} is required under CI but is not available")
    pytest.skip(f"{what} not available on this machine")


@pytest.fixture
def require_postgres():
    require_service(connection.vendor == "postgresql", "PostgreSQL (set DATABASE_URL)")


@pytest.fixture
def redis_url():
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
        ok = True
    except Exception:
        ok = False
    require_service(ok, f"Redis at {url}")
    return url


# A real Celery worker on the local Redis and the PostgreSQL test database. Tests using these
# commit their data (django_db(transaction=True)) so the worker, another process, can read it.

@pytest.fixture(scope="session")
def _broker_database():
    """The Redis database this run claims for its worker tests' broker (tests/brokers.py); None when Redis
    is down (redis_url then skips, or fails under CI)."""
    import uuid

    import redis

    server = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15").rsplit("/", 1)[0]
    owner = f"{os.getpid()}-{uuid.uuid4().hex}"
    try:
        claimed = claim_broker_database(server, owner)
    except redis.RedisError:
        yield None
        return
    if claimed is None:
        pytest.fail(f"every Redis database {BROKER_DATABASES} for test brokers is claimed by another test run "
                    f"(key {BROKER_OWNER_KEY}); wait for it, or delete the key if that run is gone")
    yield f"{server}/{claimed}", owner
    client = redis.Redis.from_url(f"{server}/{claimed}")
    if client.get(BROKER_OWNER_KEY) == owner.encode():
        client.flushdb()


@pytest.fixture
def broker_url(redis_url, require_postgres, _broker_database):
    """This run's own Redis database as the worker tests' broker; emptied before and after each test."""
    from quanzhou_pm.celery import app

    url, owner = _broker_database
    empty_broker(url, owner)
    previous = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=url, task_always_eager=False)
    yield url
    app.conf.update(previous)
    empty_broker(url, owner)


@pytest.fixture
def start_worker(broker_url):
    """start_worker(**env) starts a one-process worker on the test database (with beat embedded when
    beat=True); killed at teardown."""
    workers = []

    def start(*, beat: bool = False, **extra_env) -> subprocess.Popen:
        db = connection.settings_dict
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "CELERY_BROKER_URL": broker_url,
            "METRICS_STALE_SETTLE_SECONDS": "0",
            **extra_env,
        }
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "quanzhou_pm", "worker", "--concurrency=1", "--loglevel=WARNING",
             "--without-gossip", "--without-mingle", "--without-heartbeat",
             *(["--beat", f"--schedule={tempfile.mkdtemp()}/beat-schedule"] if beat else [])],
            cwd=PROJECT_DIR, env=env, start_new_session=True)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


@pytest.fixture
def send(broker_url):
    """send(task, *args) publishes on an explicit connection: the app's producer pool may predate the
    test's broker URL."""
    from quanzhou_pm.celery import app

    def publish(task, *args) -> None:
        with app.connection_for_write(broker_url) as broker:
            task.apply_async(args=args, connection=broker)

    return publish


@pytest.fixture
def wait_for():
    """wait_for(condition, timeout, what) polls until condition() is true, or fails the test."""

    def wait(condition, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.2)
        pytest.fail(f"timed out waiting for {what}")

    return wait


CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium_browser():
    """Debian's Chromium driven by Playwright (browser downloads do not work here)."""
    available = os.path.exists(CHROMIUM)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        available = False
    require_service(available, f"Chromium at {CHROMIUM} with Playwright")
    # Playwright's sync API runs an event loop; Django's ORM calls from the test thread are safe here.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _browser_page(chromium_browser, live_server, **context_options):
    context = chromium_browser.new_context(locale="zh-CN", base_url=live_server.url, **context_options)
    browser_page = context.new_page()
    browser_page.console_errors = []
    browser_page.on("console", lambda msg: msg.type == "error" and browser_page.console_errors.append(msg.text))
    return context, browser_page


@pytest.fixture
def page(chromium_browser, live_server):
    """A fresh browser page at 1366×768 that records console errors in `page.console_errors`."""
    context, browser_page = _browser_page(chromium_browser, live_server, viewport={"width": 1366, "height": 768})
    yield browser_page
    context.close()


@pytest.fixture
def phone_page(chromium_browser, live_server):
    """A page as a 390×844 phone shows it (mobile viewport, touch), recording console errors too."""
    context, browser_page = _browser_page(chromium_browser, live_server, viewport={"width": 390, "height": 844},
                                          is_mobile=True, has_touch=True, device_scale_factor=2)
    yield browser_page
    context.close()


SCREENSHOT_DIR = os.path.join(os.path.dirname(__file__), "artifacts", "screenshots")


@pytest.fixture
def screenshot(request):
    """screenshot("name") saves a full-page PNG of `page` (or of the page given as `of`) under
    artifacts/screenshots/ (kept by CI)."""

    def take(name: str, of=None) -> str:
        target = of if of is not None else request.getfixturevalue("page")
        os.makedirs(SCREENSHOT_DIR, exist_ok=True)
        path = os.path.join(SCREENSHOT_DIR, f"{name}.png")
        target.screenshot(path=path, full_page=True)
        return path

    return take
