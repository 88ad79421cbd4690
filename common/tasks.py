"""Options shared by the project's Celery tasks.

Every task that takes these is idempotent (re-running it writes the same result), so it is
acknowledged late and re-delivered when a worker dies; database hiccups are retried with
exponential back-off.
"""
from django.db import InterfaceError, OperationalError

RELIABLE = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 5,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 8,
}
