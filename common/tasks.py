"""Options shared by the project's Celery tasks, and the common app's own task.

Every task that takes these is idempotent (re-running it writes the same result), so it is
acknowledged late and re-delivered when a worker dies; database hiccups are retried with
exponential back-off.
"""
from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import partitions

RELIABLE = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 5,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(name="common.ensure_partitions", **RELIABLE)
def ensure_partitions() -> int:
    """Monthly: next year's partitions exist before its first row; rows waiting in DEFAULT move to theirs.
    Returns the number of partitions created."""
    return sum(len(change.created_years) for change in partitions.ensure_partitions())
