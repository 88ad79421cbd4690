"""A real Celery worker on the local Redis and the PostgreSQL test database.

The worker fixtures (broker_url, start_worker, send, wait_for) are in the root conftest. These tests
commit their data (transaction=True) so a worker in another process can read it; the database's
migration data is loaded again by the root conftest before the next transactional test.
"""
import os
import signal
from decimal import Decimal

import pytest
from django.db import connection

from metrics import tasks
from metrics.models import AreaMonthSums, CompoundMonthFact, IndicatorValue, StaleStreetMonth
from metrics.services import MONTH_LOCK_NAMESPACE, recompute_month

from tests.concurrency import WriteGate

from .conftest import MARCH

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]

def value(code, area_code):
    return IndicatorValue.objects.get(indicator_id=code, area_code=area_code, period=MARCH).value


def test_worker_recomputes_after_an_edit(start_worker, send, wait_for, world):
    StaleStreetMonth.objects.all().delete()  # marks left by building the world
    start_worker()
    send(tasks.recompute_month, "2024-03")
    wait_for(lambda: IndicatorValue.objects.filter(period=MARCH).exists(), 60, "the month's recompute")
    assert value("complaint_rate", "S1") == Decimal("15")

    a = world.compounds["A"]
    a.households = 600  # the registry signal marks S1's months stale once committed
    a.save()
    send(tasks.process_stale)

    # S1: 9 complaints per (600 + 300 + 200) / 1000 households.
    wait_for(lambda: value("complaint_rate", "S1") == Decimal("8.1818"), 120, "the stale street-months")
    assert value("complaint_rate", "350500") == Decimal("6.8")  # 17 per 2.5 thousand


def test_killed_worker_leaves_old_values_and_the_task_completes_on_a_new_worker(start_worker, send, wait_for,
                                                                                  world):
    recompute_month(period=MARCH)
    published_before = {(v.indicator_id, v.area_code): v.value for v in IndicatorValue.objects.filter(period=MARCH)}
    type(world.compounds["A"]).objects.filter(pk=world.compounds["A"].pk).update(households=600)

    # The first worker's recompute stops at its first write of the month's sums, with the facts
    # rewritten and not committed, and is killed there; an unacknowledged message comes back after
    # the (short) visibility timeout.
    gate = WriteGate(AreaMonthSums._meta.db_table)
    try:
        first = start_worker(CELERY_VISIBILITY_TIMEOUT="5")
        send(tasks.recompute_month, "2024-03")
        gate.wait_until_holding_back(60)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait()
    finally:
        gate.open()

    def recompute_in_progress():
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND classid = %s",
                           [MONTH_LOCK_NAMESPACE])
            return cursor.fetchone()[0] > 0

    # The killed worker's database session ends without committing once it goes on past the gate.
    wait_for(lambda: not recompute_in_progress(), 60, "the killed worker's session to end")
    published_after_crash = {(v.indicator_id, v.area_code): v.value
                             for v in IndicatorValue.objects.filter(period=MARCH)}
    assert published_after_crash == published_before
    assert CompoundMonthFact.objects.get(period=MARCH, compound=world.compounds["A"]).households == 100

    start_worker(CELERY_VISIBILITY_TIMEOUT="5")
    wait_for(lambda: value("complaint_rate", "S1") == Decimal("8.1818"), 120, "the re-delivered recompute")
    assert value("complaint_rate", "350500") == Decimal("6.8")
    assert IndicatorValue.objects.filter(period=MARCH).count() == len(published_before)
