"""Partition upkeep on databases without partitioning (the PostgreSQL side: reporting/tests/test_partitions.py)."""
import pytest
from django.core.management import call_command
from django.db import connection

from common.partitions import ensure_partitions


@pytest.mark.django_db
def test_on_other_databases_ensure_partitions_is_a_no_op_that_says_so(capsys):
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL partitions the tables")
    call_command("ensure_partitions")
    assert ensure_partitions() == []
    assert f"当前数据库（{connection.vendor}）不分区，无需操作。" in capsys.readouterr().out


def test_beat_runs_partition_upkeep_once_a_month_through_a_registered_task(settings):
    from quanzhou_pm.celery import app

    app.loader.import_default_modules()  # what a worker does at start: the apps' tasks modules
    entry = settings.CELERY_BEAT_SCHEDULE["common-ensure-partitions"]
    assert entry["task"] in app.tasks
    assert entry["schedule"].day_of_month == {1}
