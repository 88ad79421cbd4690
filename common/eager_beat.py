"""Celery beat for the embedded default: with no broker there is no beat process either, so the web
process runs CELERY_BEAT_SCHEDULE itself, after a response has been sent.

At most every EAGER_BEAT_CHECK_SECONDS a finished request reads when each entry last ran
(`ScheduledRun`) and runs, in that request's thread, the entries whose time has come by their own
schedule (an interval, or a crontab such as the daily notices). An entry that never ran counts as
run at midnight, so a daily job runs on the first page load after its hour. Each run is claimed
with a conditional UPDATE, so two requests finishing together run it once. With a broker
(production) this is off: beat and the workers do the same work.
"""
from __future__ import annotations

import datetime
import logging
import time

from celery import current_app
from celery.schedules import schedule as interval_schedule
from django.conf import settings
from django.db import IntegrityError, close_old_connections, transaction
from django.utils import timezone

from .models import ScheduledRun

logger = logging.getLogger(__name__)

_last_check = float("-inf")


def _schedule_of(entry: dict):
    every = entry["schedule"]
    if isinstance(every, int | float | datetime.timedelta):
        seconds = every.total_seconds() if isinstance(every, datetime.timedelta) else every
        return interval_schedule(datetime.timedelta(seconds=seconds), app=current_app)
    return every


def _claim(name: str, last_run_at: datetime.datetime | None, now: datetime.datetime) -> bool:
    if last_run_at is None:
        try:
            with transaction.atomic():
                ScheduledRun.objects.create(name=name, last_run_at=now)
        except IntegrityError:
            return False
        return True
    return ScheduledRun.objects.filter(name=name, last_run_at=last_run_at).update(last_run_at=now) == 1


def run_due_entries(*, now: datetime.datetime | None = None) -> list[str]:
    """Run every beat entry whose time has come; returns their names."""
    now = now or timezone.now()
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    last_runs = dict(ScheduledRun.objects.values_list("name", "last_run_at"))
    ran = []
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        last_run_at = last_runs.get(name)
        if not _schedule_of(entry).is_due(last_run_at or midnight).is_due or not _claim(name, last_run_at, now):
            continue
        try:
            # The tasks modules are imported by a worker at start-up; the web process imports them now.
            current_app.loader.import_default_modules()
            current_app.tasks[entry["task"]].apply(args=entry.get("args", ()), kwargs=entry.get("kwargs", {}),
                                                   throw=True)
        except Exception:
            # The page was served already; the entry runs again at its next time, as under beat.
            logger.exception("Scheduled task %s (%s) failed in-process", name, entry["task"])
        ran.append(name)
    return ran


def after_request(sender, **kwargs) -> None:
    """request_finished: a cheap clock check, and now and then the due entries."""
    global _last_check
    if not settings.EAGER_BEAT or time.monotonic() - _last_check < settings.EAGER_BEAT_CHECK_SECONDS:
        return
    _last_check = time.monotonic()
    try:
        run_due_entries()
    finally:
        # Django closed the request's connections before this receiver ran; close what the tasks opened.
        close_old_connections()
