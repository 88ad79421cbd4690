"""Delivery is idempotent per (recipient, event) and follows each user's channels; email failures never
lose a notice and never send one twice."""
import datetime
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from notifications import services
from notifications.models import EmailState, Notification, NoticeKind
from notifications.notices import Notice
from tests.factories import street_officer

pytestmark = pytest.mark.django_db

NOTICE = Notice(NoticeKind.REPORT_APPROVED, "report_approved:transition:1", "2024年5月月报已审核通过",
                "鲤中街道2024年5月月报已由区县审核通过。", "/reports/X/2024-05/")


class RefusingBackend(BaseEmailBackend):
    """An SMTP server that refuses one address for good."""

    def send_messages(self, messages):
        for message in messages:
            if "refused@" in message.to[0]:
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"no such user")})
            mail.outbox.append(message)
        return len(messages)


class UnreachableBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP server down")


@pytest.fixture
def officers(street):
    return [street_officer(street, email=f"officer{n}@example.gov.cn") for n in range(2)]


def test_delivering_an_event_twice_reaches_each_recipient_once(officers):
    services.notices_deliver(deliveries=[(user, NOTICE) for user in officers])
    services.notices_deliver(deliveries=[(user, NOTICE) for user in officers])

    assert sorted(Notification.objects.values_list("recipient_id", flat=True)) == sorted(u.pk for u in officers)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in officers)


def test_a_redelivery_sends_an_email_left_pending_once(officers):
    user = officers[0]
    Notification.objects.create(recipient=user, kind=NOTICE.kind, event_key=NOTICE.event_key, title=NOTICE.title,
                                email_state=EmailState.PENDING)  # the first run stopped before its email

    services.notices_deliver(deliveries=[(user, NOTICE)])
    services.notices_deliver(deliveries=[(user, NOTICE)])

    assert [m.to for m in mail.outbox] == [[user.email]]
    assert Notification.objects.get().email_state == EmailState.SENT


def test_a_user_who_turned_email_off_gets_the_notice_in_the_inbox_only(officers):
    user = officers[0]
    services.notification_settings_save(user=user, choices={NOTICE.kind: (True, False)})

    services.notices_deliver(deliveries=[(user, NOTICE)])

    notice = Notification.objects.get()
    assert notice.in_inbox and notice.email_state == EmailState.NONE
    assert mail.outbox == []


def test_a_user_who_turned_the_inbox_off_gets_the_email_only(officers):
    user = officers[0]
    services.notification_settings_save(user=user, choices={NOTICE.kind: (False, True)})

    services.notices_deliver(deliveries=[(user, NOTICE)])

    assert not Notification.objects.get().in_inbox
    assert [m.to for m in mail.outbox] == [[user.email]]


def test_a_setting_for_one_kind_leaves_the_others_on(officers):
    user = officers[0]
    services.notification_settings_save(user=user, choices={NoticeKind.REPORT_DUE_SOON: (False, False)})

    services.notices_deliver(deliveries=[(user, NOTICE)])

    assert Notification.objects.get().in_inbox
    assert len(mail.outbox) == 1


def test_a_user_without_an_email_address_gets_no_email(street):
    user = street_officer(street, email="")

    services.notices_deliver(deliveries=[(user, NOTICE)])

    assert Notification.objects.get().email_state == EmailState.NONE
    assert mail.outbox == []


def test_an_address_the_server_refuses_is_marked_failed_and_the_others_still_go(street, settings):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    refused, fine = street_officer(street, email="refused@example.gov.cn"), street_officer(street, email="ok@example.gov.cn")

    services.notices_deliver(deliveries=[(refused, NOTICE), (fine, NOTICE)])

    states = dict(Notification.objects.values_list("recipient__email", "email_state"))
    assert states == {"refused@example.gov.cn": EmailState.FAILED, "ok@example.gov.cn": EmailState.SENT}


def test_with_the_smtp_server_down_the_notices_arrive_and_their_emails_wait(officers, settings):
    settings.EMAIL_BACKEND = f"{__name__}.UnreachableBackend"

    services.notices_deliver(deliveries=[(user, NOTICE) for user in officers])

    assert set(Notification.objects.values_list("in_inbox", "email_state")) == {(True, EmailState.PENDING)}


def test_waiting_emails_are_sent_once_the_server_is_back(officers, settings):
    settings.EMAIL_BACKEND = f"{__name__}.UnreachableBackend"
    services.notices_deliver(deliveries=[(user, NOTICE) for user in officers])
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    services.stale_emails_send()
    services.stale_emails_send()

    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in officers)
    assert set(Notification.objects.values_list("email_state", flat=True)) == {EmailState.SENT}


def test_emails_that_waited_too_long_are_given_up(officers, settings):
    settings.EMAIL_BACKEND = f"{__name__}.UnreachableBackend"
    services.notices_deliver(deliveries=[(officers[0], NOTICE)])
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    later = timezone.now() + datetime.timedelta(hours=settings.NOTIFY_EMAIL_RETRY_HOURS + 1)

    services.stale_emails_send(now=later)

    assert mail.outbox == []
    assert Notification.objects.get().email_state == EmailState.FAILED
