"""Celery tasks of the indicator engine: they take ids and "YYYY-MM" strings and call a service.

Every task is idempotent (a recompute rewrites the same values), so it is acknowledged late and
re-delivered when a worker dies; database hiccups are retried with exponential back-off.
"""
from celery import shared_task

from common.tasks import RELIABLE

from . import services
from .periods import add_months, current_period, parse_period


@shared_task(name="metrics.recompute_street_month", **RELIABLE)
def recompute_street_month(street_id: int, period: str, include_submitted: bool | None = None) -> int:
    return services.recompute_street_month(street_id=street_id, period=parse_period(period),
                                           include_submitted=include_submitted)


@shared_task(name="metrics.recompute_month", **RELIABLE)
def recompute_month(period: str, include_submitted: bool | None = None) -> int:
    return services.recompute_month(period=parse_period(period), include_submitted=include_submitted)


@shared_task(name="metrics.recompute_range", **RELIABLE)
def recompute_range(first: str, last: str, include_submitted: bool | None = None) -> int:
    return services.recompute_range(first=parse_period(first), last=parse_period(last),
                                    include_submitted=include_submitted)


@shared_task(name="metrics.recompute_recent_months", **RELIABLE)
def recompute_recent_months() -> int:
    """Nightly: the previous and the current month."""
    current = current_period()
    return services.recompute_range(first=add_months(current, -1), last=current)


@shared_task(name="metrics.process_stale", **RELIABLE)
def process_stale() -> int:
    return services.process_stale_street_months()


@shared_task(name="metrics.run_recompute_job", **RELIABLE)
def run_recompute_job_task(job_id: int) -> None:
    services.run_recompute_job(job_id=job_id)
