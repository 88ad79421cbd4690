"""A re-delivered notice task sends nothing twice: the same task delivered twice, to two real Celery
workers on Redis and the PostgreSQL test database, leaves one notice and one email per recipient.

The worker fixtures (broker_url, start_worker, send, wait_for) are in the root conftest; the workers
write their emails to files (Django's file backend), which the test counts.
"""
import re
import time

import pytest
import redis

from notifications import tasks
from notifications.models import EmailState, Notification, NoticeKind
from reporting import services as reporting
from tests.factories import district_staff

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]


def emailed_addresses(folder) -> list[str]:
    return sorted(address for log in folder.iterdir()
                  for address in re.findall(r"^To: (.+)$", log.read_text(), flags=re.MULTILINE))


def queue_drained(url: str) -> bool:
    """No message waiting and none taken but unacknowledged (acks_late: acknowledged when done)."""
    broker = redis.Redis.from_url(url)
    return broker.llen("celery") == 0 and broker.hlen("unacked") == 0


def test_the_same_notice_task_delivered_twice_notifies_and_emails_each_recipient_once(
        report, officer, reviewer, street, broker_url, start_worker, send, wait_for, tmp_path, monkeypatch):
    colleague = district_staff(street.district, username="reviewer2", email="reviewer2@example.gov.cn")
    sent = []
    # The submission sends the task after its commit, to the test broker; the test then sends it again,
    # as Redis re-delivers a message whose worker did not acknowledge it.
    monkeypatch.setattr(tasks.deliver_report_notice, "delay", lambda *args: (sent.append(args),
                                                                             send(tasks.deliver_report_notice, *args)))
    reporting.monthly_report_submit(report=report, actor=officer)
    assert len(sent) == 1
    send(tasks.deliver_report_notice, *sent[0])

    outbox = tmp_path / "emails"
    outbox.mkdir()
    worker_env = {"EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend", "EMAIL_FILE_PATH": str(outbox)}
    start_worker(**worker_env)
    start_worker(**worker_env)
    wait_for(lambda: queue_drained(broker_url), 120, "both deliveries to be done")
    # A message is briefly in neither place while a worker takes it: drained must hold a second later.
    time.sleep(1)
    wait_for(lambda: queue_drained(broker_url), 60, "both deliveries to be done")

    notices = Notification.objects.filter(kind=NoticeKind.REPORT_SUBMITTED)
    assert sorted(notices.values_list("recipient__username", flat=True)) == ["reviewer", "reviewer2"]
    assert set(notices.values_list("email_state", flat=True)) == {EmailState.SENT}
    assert emailed_addresses(outbox) == sorted([reviewer.email, colleague.email])
