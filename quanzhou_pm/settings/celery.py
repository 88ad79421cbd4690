from celery.schedules import crontab

from .env import env, env_bool, env_int
from .portal import MONTHLY_UPLOAD_STUCK_CHECK_SECONDS

# With no broker configured, tasks run eagerly in-process (local development, demo).
# With CELERY_BROKER_URL or REDIS_URL set, tasks go to Redis and separate workers run them.
CELERY_BROKER_URL = env("CELERY_BROKER_URL") or env("REDIS_URL")
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND") or CELERY_BROKER_URL
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# Tasks are idempotent: acknowledge after the work is done so a worker that dies mid-task
# gets its message re-delivered to another worker.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# During a Redis outage a web request that sends a task must fail fast (about a second), not hang:
# short connect timeout, two quick publish retries. Nothing reads task results, so sending a task
# does not touch the result store either. Work that must not be lost is recorded in PostgreSQL
# first (the stale street-months) and drained by beat once Redis is back.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
                                   "socket_connect_timeout": 2}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# With no broker there is no beat either: the web process runs the schedule below after requests
# (common.eager_beat), checking the clock at most every EAGER_BEAT_CHECK_SECONDS.
EAGER_BEAT = env_bool("EAGER_BEAT", default=CELERY_TASK_ALWAYS_EAGER)
EAGER_BEAT_CHECK_SECONDS = env_int("EAGER_BEAT_CHECK_SECONDS", 30)
CELERY_BEAT_SCHEDULE: dict = {
    # Coalesced recompute of the street-months marked stale by edits (metrics app).
    "metrics-process-stale": {"task": "metrics.process_stale", "schedule": 60.0},
    # Nightly safety net: the current and previous month in full.
    "metrics-recompute-recent-months": {
        "task": "metrics.recompute_recent_months",
        "schedule": crontab(hour=2, minute=30),
    },
    # Unconfirmed Excel previews older than a day go, with their files; imports stuck for a day fail.
    "reporting-clean-up-uploads": {"task": "reporting.clean_up_uploads", "schedule": crontab(minute=20)},
    # Imports whose worker died mid-way are re-run (or failed) within minutes, not left blocking their report.
    "reporting-release-stuck-uploads": {"task": "reporting.release_stuck_uploads",
                                        "schedule": float(MONTHLY_UPLOAD_STUCK_CHECK_SECONDS)},
    # Notices of the calendar (reports due soon or overdue, committee terms ending), each delivered once;
    # emails an SMTP server did not take are retried.
    "notifications-calendar": {"task": "notifications.deliver_calendar_notices",
                               "schedule": crontab(hour=7, minute=0)},
    "notifications-stale-emails": {"task": "notifications.send_stale_emails", "schedule": crontab(minute="*/10")},
    # Yearly partitions of the per-month tables up to next year (common/partitions.py): creates one
    # on 1 January, moves rows that wait in a DEFAULT partition, otherwise only reads the catalogue.
    "common-ensure-partitions": {
        "task": "common.ensure_partitions",
        "schedule": crontab(day_of_month=1, hour=3, minute=10),
    },
}
