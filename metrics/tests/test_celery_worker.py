"""A real Celery worker on the local Redis and the PostgreSQL test database.

These tests commit their data (transaction=True) so a worker in another process can read it; the
database's migration data is restored afterwards (serialized_rollback).
"""
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from metrics import tasks
from metrics.models import IndicatorValue, StaleStreetMonth
from metrics.services import MONTH_LOCK_NAMESPACE, recompute_month
from quanzhou_pm.celery import app

from .conftest import MARCH

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PROJECT_DIR = Path(settings.BASE_DIR)


@pytest.fixture
def broker_url(redis_url, require_postgres):
    """Redis db 14 is this app's test database; emptied before and after each test."""
    import redis

    url = redis_url.rsplit("/", 1)[0] + "/14"
    redis.Redis.from_url(url).flushdb()
    previous = {key: app.conf[key] for key in ("broker_url", "task_always_eager")}
    app.conf.update(broker_url=url, task_always_eager=False)
    yield url
    app.conf.update(previous)
    redis.Redis.from_url(url).flushdb()


@pytest.fixture
def start_worker(broker_url):
    workers = []

    def start(**extra_env) -> subprocess.Popen:
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
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=PROJECT_DIR, env=env, start_new_session=True)
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()


def send(broker_url, task, *args):
    """Publish on an explicit connection: the app's producer pool may predate the test's broker URL."""
    with app.connection_for_write(broker_url) as connection:
        task.apply_async(args=args, connection=connection)


def value(code, area_code):
    return IndicatorValue.objects.get(indicator_id=code, area_code=area_code, period=MARCH).value


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def test_worker_recomputes_after_an_edit(start_worker, broker_url, world):
    StaleStreetMonth.objects.all().delete()  # marks left by building the world
    start_worker()
    send(broker_url, tasks.recompute_month, "2024-03")
    wait_for(lambda: IndicatorValue.objects.filter(period=MARCH).exists(), 60, "the month's recompute")
    assert value("complaint_rate", "S1") == Decimal("15")

    a = world.compounds["A"]
    a.households = 600  # the registry signal marks S1's months stale once committed
    a.save()
    send(broker_url, tasks.process_stale)

    # S1: 9 complaints per (600 + 300 + 200) / 1000 households.
    wait_for(lambda: value("complaint_rate", "S1") == Decimal("8.1818"), 120, "the stale street-months")
    assert value("complaint_rate", "350500") == Decimal("6.8")  # 17 per 2.5 thousand


def test_killed_worker_leaves_old_values_and_the_task_completes_on_a_new_worker(start_worker, broker_url, world):
    recompute_month(period=MARCH)
    published_before = {(v.indicator_id, v.area_code): v.value for v in IndicatorValue.objects.filter(period=MARCH)}
    type(world.compounds["A"]).objects.filter(pk=world.compounds["A"].pk).update(households=600)

    # The first worker pauses inside the recompute's transaction; an unacknowledged message comes
    # back after the (short) visibility timeout.
    first = start_worker(METRICS_RECOMPUTE_PAUSE_SECONDS="30", CELERY_VISIBILITY_TIMEOUT="5")
    send(broker_url, tasks.recompute_month, "2024-03")

    def recompute_in_progress():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s",
                           [MONTH_LOCK_NAMESPACE])
            return cursor.fetchone()[0] > 0

    wait_for(recompute_in_progress, 60, "the first worker to start the recompute")
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()

    published_after_crash = {(v.indicator_id, v.area_code): v.value
                             for v in IndicatorValue.objects.filter(period=MARCH)}
    assert published_after_crash == published_before

    start_worker(CELERY_VISIBILITY_TIMEOUT="5")
    wait_for(lambda: value("complaint_rate", "S1") == Decimal("8.1818"), 120, "the re-delivered recompute")
    assert value("complaint_rate", "350500") == Decimal("6.8")
    assert IndicatorValue.objects.filter(period=MARCH).count() == len(published_before)
