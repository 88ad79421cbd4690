"""Writes of notices: deliver (inbox row + email), mark read, save a user's channels.

Delivery is idempotent. Each (recipient, event key) is inserted once, whatever number of times the
event is delivered; the row records whether it is emailed, and an email is sent in the transaction
that locks its row and marks it sent. A re-delivered task therefore finds the rows there and the
emails sent, and sends nothing twice; two workers delivering the same event at once meet on the row
lock. (A worker killed between the SMTP server's acceptance and the commit leaves the email pending,
and it is sent again: the one window no database can close.)
"""
from __future__ import annotations

import datetime
import logging
import smtplib
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from common.enqueue import send_after_commit

from . import notices, selectors
from .models import EmailState, Notification, NoticeKind, NotificationSetting
from .notices import Delivery

logger = logging.getLogger(__name__)

# SMTP answers that will not change on a retry: the email is marked failed at once.
PERMANENT_SMTP_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError)


def notices_deliver(*, deliveries: Iterable[Delivery]) -> list[int]:
    """Insert the notices not delivered before, by each recipient's channels, then send their emails.

    Returns the ids of the notifications emailed by this call.
    """
    deliveries = list(deliveries)
    if not deliveries:
        return []
    chosen = selectors.channels(user_ids={user.pk for user, _notice in deliveries},
                                kinds={notice.kind for _user, notice in deliveries})
    rows = []
    for user, notice in deliveries:
        inbox, email = chosen.get((user.pk, notice.kind), (True, True))
        rows.append(Notification(
            recipient=user, kind=notice.kind, event_key=notice.event_key, title=notice.title[:200],
            body=notice.body, url=notice.url, in_inbox=inbox,
            email_state=EmailState.PENDING if email and user.email else EmailState.NONE))
    with transaction.atomic():
        Notification.objects.bulk_create(rows, batch_size=500, ignore_conflicts=True)
    pending = Notification.objects.filter(email_state=EmailState.PENDING,
                                          event_key__in={notice.event_key for _user, notice in deliveries},
                                          recipient__in={user.pk for user, _notice in deliveries})
    return pending_emails_send(notification_ids=list(pending.values_list("pk", flat=True)))


def pending_emails_send(*, notification_ids: Iterable[int]) -> list[int]:
    """Send each pending email once; returns the ids sent. When the SMTP server cannot be reached
    (smtplib's errors are OSErrors) the rest stay pending for `stale_emails_send`: the notices
    themselves are in the inbox already, and the caller (a report's submission) is not failed."""
    sent = []
    for notification_id in notification_ids:
        try:
            if _email_send(notification_id):
                sent.append(notification_id)
        except OSError:
            logger.warning("SMTP server unavailable: the remaining emails are left pending", exc_info=True)
            break
    return sent


def _email_send(notification_id: int) -> bool:
    with transaction.atomic():
        notification = (Notification.objects.select_for_update(skip_locked=True, of=("self",))
                        .select_related("recipient").filter(pk=notification_id, email_state=EmailState.PENDING)
                        .first())
        if notification is None:
            return False  # sent already, or being sent by another worker
        try:
            _email_message(notification).send()
        except PERMANENT_SMTP_ERRORS:
            logger.exception("Email of notification %s refused by the SMTP server", notification_id)
            notification.email_state = EmailState.FAILED
            notification.save(update_fields=["email_state"])
            return False
        notification.email_state, notification.emailed_at = EmailState.SENT, timezone.now()
        notification.save(update_fields=["email_state", "emailed_at"])
    return True


def _email_message(notification: Notification) -> EmailMessage:
    context = {"notification": notification, "base_url": settings.PORTAL_BASE_URL,
               "user": notification.recipient}
    return EmailMessage(subject=f"{settings.EMAIL_SUBJECT_PREFIX}{notification.title}",
                        body=render_to_string("notifications/email/notice.txt", context),
                        to=[notification.recipient.email])


def stale_emails_send(*, now: datetime.datetime | None = None) -> list[int]:
    """Retry emails still pending (the SMTP server was down); give up on those older than
    NOTIFY_EMAIL_RETRY_HOURS."""
    now = now or timezone.now()
    pending = Notification.objects.filter(email_state=EmailState.PENDING)
    pending.filter(created_at__lt=now - datetime.timedelta(hours=settings.NOTIFY_EMAIL_RETRY_HOURS)).update(
        email_state=EmailState.FAILED)
    return pending_emails_send(notification_ids=list(pending.order_by("pk").values_list("pk", flat=True)))


# --- Events --------------------------------------------------------------------------------------

def report_notice_after_commit(*, kind: str, transition) -> None:
    """Called by reporting's workflow inside its transaction: the notice goes once it commits."""
    from . import tasks  # tasks call services: imported here, not at module level

    send_after_commit(tasks.deliver_report_notice, transition.pk, kind)


def report_notice_deliver(*, transition_id: int, kind: str) -> list[int]:
    return notices_deliver(deliveries=notices.report_transition_notices(transition_id=transition_id, kind=kind))


def calendar_notices_deliver(*, today: datetime.date | None = None) -> int:
    """The day's reminders: reports due soon or overdue, committee terms ending or ended. Returns how
    many (recipient, notice) pairs were considered; those delivered on an earlier day are skipped."""
    today = today or timezone.localdate()
    deliveries = notices.report_reminder_notices(today=today) + notices.committee_term_notices(today=today)
    notices_deliver(deliveries=deliveries)
    return len(deliveries)


# --- The user's side -----------------------------------------------------------------------------

def notification_mark_read(*, user, notification_id: int) -> Notification | None:
    """Mark one of the user's own notices read; None when it is not theirs (or does not exist)."""
    notification = selectors.inbox(user=user).filter(pk=notification_id).first()
    if notification is not None and notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def notifications_mark_all_read(*, user) -> int:
    return selectors.inbox(user=user).filter(read_at__isnull=True).update(read_at=timezone.now())


def notification_settings_save(*, user, choices: dict[str, tuple[bool, bool]]) -> None:
    """Store the user's (inbox, email) choice for each kind given; kinds are checked against the model."""
    valid = set(NoticeKind.values)
    with transaction.atomic():
        for kind, (inbox, email) in choices.items():
            if kind not in valid:
                raise ValueError(kind)
            NotificationSetting.objects.update_or_create(user=user, kind=kind,
                                                         defaults={"inbox": inbox, "email": email})

