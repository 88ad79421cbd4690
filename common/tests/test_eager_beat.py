"""The embedded default has no beat: the web process runs the beat schedule after requests, each
entry when its own schedule says so, once however many requests finish together."""
import datetime

import pytest
from django.test import Client
from django.utils import timezone

from common.models import ScheduledRun
from notifications import services as notification_services
from notifications.models import Notification, NoticeKind
from tests.factories import CompoundFactory, street_officer

# The receiver closes connections as Django does after a request: no test transaction around it.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def eager_beat(settings):
    settings.EAGER_BEAT = True
    settings.EAGER_BEAT_CHECK_SECONDS = 0
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return settings


@pytest.fixture
def only_entry(eager_beat):
    def keep(name: str, **entry) -> None:
        eager_beat.CELERY_BEAT_SCHEDULE = {name: entry or eager_beat.CELERY_BEAT_SCHEDULE[name]}
    return keep


@pytest.fixture
def stale_email_runs(monkeypatch):
    runs = []
    monkeypatch.setattr(notification_services, "stale_emails_send", lambda: runs.append(1) or [])
    return runs


def page_load():
    return Client().get("/healthz")


def test_a_page_load_delivers_the_days_notices_once_their_hour_has_passed(only_entry):
    only_entry("notifications-calendar")
    officer = street_officer(CompoundFactory().community.street)  # no report submitted for months
    ScheduledRun.objects.create(name="notifications-calendar", last_run_at=timezone.now() - datetime.timedelta(days=2))

    assert page_load().status_code == 200

    assert Notification.objects.filter(recipient=officer, kind=NoticeKind.REPORT_OVERDUE).exists()
    assert ScheduledRun.objects.get(name="notifications-calendar").last_run_at > timezone.now() - datetime.timedelta(minutes=1)


def test_an_entry_runs_again_only_when_its_schedule_says_so(only_entry, stale_email_runs):
    only_entry("every-hour", task="notifications.send_stale_emails", schedule=3600.0)
    ScheduledRun.objects.create(name="every-hour", last_run_at=timezone.now() - datetime.timedelta(hours=2))

    page_load()
    page_load()
    page_load()

    assert len(stale_email_runs) == 1


def test_an_entry_that_never_ran_counts_as_run_at_midnight(only_entry, stale_email_runs):
    only_entry("every-minute", task="notifications.send_stale_emails", schedule=60.0)

    page_load()

    assert len(stale_email_runs) == (1 if timezone.localtime().time() >= datetime.time(0, 1) else 0)


def test_with_a_broker_nothing_runs_in_the_web_process(only_entry, stale_email_runs, settings):
    only_entry("every-minute", task="notifications.send_stale_emails", schedule=60.0)
    ScheduledRun.objects.create(name="every-minute", last_run_at=timezone.now() - datetime.timedelta(hours=2))
    settings.EAGER_BEAT = False  # as when CELERY_BROKER_URL is set

    page_load()

    assert stale_email_runs == []


def test_a_failing_entry_does_not_fail_the_page(only_entry, monkeypatch):
    only_entry("every-minute", task="notifications.send_stale_emails", schedule=60.0)
    ScheduledRun.objects.create(name="every-minute", last_run_at=timezone.now() - datetime.timedelta(hours=2))

    def broken():
        raise RuntimeError("a bug in a scheduled task")

    monkeypatch.setattr(notification_services, "stale_emails_send", broken)

    assert page_load().status_code == 200
