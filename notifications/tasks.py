"""Celery tasks of notices: they take ids and call a service.

Delivery is idempotent (services.py), so the tasks take the reliable options: acknowledged late,
re-delivered when a worker dies, retried on database errors. Emails an SMTP server did not take stay
pending and `send_stale_emails` (beat) sends them later.
"""
from celery import shared_task

from common.tasks import RELIABLE

from . import services

@shared_task(name="notifications.deliver_report_notice", **RELIABLE)
def deliver_report_notice(transition_id: int, kind: str) -> int:
    return len(services.report_notice_deliver(transition_id=transition_id, kind=kind))


@shared_task(name="notifications.deliver_calendar_notices", **RELIABLE)
def deliver_calendar_notices() -> int:
    return services.calendar_notices_deliver()


@shared_task(name="notifications.send_stale_emails", **RELIABLE)
def send_stale_emails() -> int:
    return len(services.stale_emails_send())
