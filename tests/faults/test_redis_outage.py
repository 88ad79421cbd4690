"""Redis stops while officers save monthly data.

Saves, submissions and approvals keep answering at once: they record the street-months to
recompute in PostgreSQL (StaleStreetMonth) and never wait for the broker. When Redis is back, the
worker that was running all along reconnects, beat's next `metrics.process_stale` drains the table,
and the published indicators contain every edit made during the outage. Staff actions that do
send a task (a recompute job, scoring a selection round) fail at once and say so.

As in production with REDIS_URL set, both the broker and Django's cache live on that Redis.
"""
import datetime
import time
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from metrics import tasks
from metrics.models import IndicatorValue, RecomputeJob, StaleStreetMonth
from metrics.services import recompute_job_start
from reporting.models import MonthlyRecord, MonthlyReport, ReportState
from selection import services as selection_services
from selection.models import StageKind
from tests.factories import (
    CommunityFactory,
    CompoundFactory,
    DistrictFactory,
    StreetFactory,
    city_staff,
    district_staff,
    street_officer,
)

pytestmark = [
    pytest.mark.redis,
    pytest.mark.celery_worker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]

MAY = datetime.date(2024, 5, 1)
# A request that waited on broker reconnects took about 20 s before settings/celery.py bounded them.
QUICK_SECONDS = 3.0


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def redis(settings, private_redis, broker_url):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": private_redis.url(1), "KEY_PREFIX": "quanzhou_pm"}}
    return private_redis


class Street:
    """A street with two compounds and the officer who enters its data."""

    def __init__(self, district):
        self.street = StreetFactory(district=district)
        community = CommunityFactory(street=self.street)
        self.codes = [CompoundFactory(community=community).code for _ in range(2)]
        self.officer = self.client_for(street_officer(self.street))

    @staticmethod
    def client_for(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    def url(self, name: str, **kwargs) -> str:
        return reverse(f"reporting:{name}", kwargs={"street_code": self.street.code, "period": MAY, **kwargs})

    def version(self) -> int:
        return MonthlyReport.objects.filter(street=self.street, period=MAY).values_list("version", flat=True).first() or 1

    def save(self, fees: dict[str, tuple[str, str]]):
        """The grid as the officer posts it: (fees due, fees collected) for every compound."""
        data = {"version": self.version()}
        for code, (due, collected) in fees.items():
            data.update({f"{code}__fees_due": due, f"{code}__fees_collected": collected, f"{code}__petitions": "0"})
        return self.officer.post(self.url("grid"), data)

    def act(self, client: Client, action: str, **data):
        """A workflow button of the report page, which posts the version it showed."""
        return client.post(self.url("action", action=action), {"version": self.version(), **data})

    def published_fees(self):
        value = IndicatorValue.objects.filter(indicator_id="fee_collection_rate", area_level="street",
                                              area_code=self.street.code, period=MAY).first()
        return value and (value.numerator, value.denominator)


def answered_quickly(response_and_seconds, status: int = 302):
    response, seconds = response_and_seconds
    assert response.status_code == status, response.content[:500]
    assert seconds < QUICK_SECONDS, f"the request took {seconds:.1f} s"
    return response


def timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


def test_saves_during_a_redis_outage_succeed_and_are_all_published_once_redis_is_back(
        redis, start_worker, send, wait_for):
    district = DistrictFactory()
    reviewer, city = Street.client_for(district_staff(district)), Street.client_for(city_staff())
    li, jiang = Street(district), Street(district)
    worker = start_worker()

    # Before the outage: the first street's May is entered, approved and published.
    a, b = li.codes
    assert li.save({a: ("1000", "800"), b: ("500", "100")}).status_code == 302
    li.act(li.officer, "submit")
    li.act(reviewer, "approve")
    send(tasks.process_stale)
    wait_for(lambda: li.published_fees() == (Decimal("900"), Decimal("1500")), 60, "May published before the outage")
    wait_for(lambda: not StaleStreetMonth.objects.exists(), 30, "the stale table drained")

    redis.stop()

    # The city reopens the approved report; its officer corrects it twice; the district approves.
    answered_quickly(timed(lambda: li.act(city, "reopen", reason="物业费收缴数据需更正")))
    answered_quickly(timed(lambda: li.save({a: ("1000", "950"), b: ("500", "100")})))
    answered_quickly(timed(lambda: li.save({a: ("1000", "950"), b: ("600", "420")})))
    answered_quickly(timed(lambda: li.act(li.officer, "submit")))
    answered_quickly(timed(lambda: li.act(reviewer, "approve")))
    # Another officer enters the second street's May for the first time.
    c, d = jiang.codes
    answered_quickly(timed(lambda: jiang.save({c: ("2000", "1500"), d: ("3000", "2900")})))
    answered_quickly(timed(lambda: jiang.act(jiang.officer, "submit")))
    answered_quickly(timed(lambda: jiang.act(reviewer, "approve")))
    # The pages the officers land on still render.
    page = answered_quickly(timed(lambda: li.officer.get(li.url("report"))), status=200)
    assert "已审核" in page.content.decode()

    assert set(MonthlyReport.objects.filter(period=MAY).values_list("street_id", "state")) == {
        (li.street.pk, ReportState.APPROVED), (jiang.street.pk, ReportState.APPROVED)}
    assert MonthlyRecord.objects.get(compound__code=b).fees_collected == Decimal("420")
    # Nothing could be recomputed yet; the work waits in PostgreSQL, not in Redis.
    assert li.published_fees() == (Decimal("900"), Decimal("1500"))
    # May and the rest of its quarter, whose months take the quarter's latest evaluation score.
    june = datetime.date(2024, 6, 1)
    assert set(StaleStreetMonth.objects.values_list("street_id", "period")) == {
        (li.street.pk, MAY), (jiang.street.pk, MAY), (li.street.pk, june), (jiang.street.pk, june)}

    redis.start()
    send(tasks.process_stale)  # what beat sends every minute
    # A month's recompute marks the next computed month, so each of beat's sends carries the work one
    # month on; May's and June's marks are gone once the worker has drained what waited.
    wait_for(lambda: jiang.published_fees() is not None
             and not StaleStreetMonth.objects.filter(period__lte=june).exists(),
             60, "the worker to reconnect and drain the stale street-months")
    assert worker.poll() is None, "the worker that was running during the outage did the work"
    assert li.published_fees() == (Decimal("1370"), Decimal("1600"))
    assert jiang.published_fees() == (Decimal("4400"), Decimal("5000"))
    district_value = IndicatorValue.objects.get(indicator_id="fee_collection_rate", area_level="district",
                                                area_code=district.code, period=MAY)
    assert (district_value.numerator, district_value.denominator) == (Decimal("5770"), Decimal("6600"))


def test_a_recompute_started_during_a_redis_outage_is_marked_failed_at_once(redis):
    redis.stop()
    started = time.monotonic()
    job = recompute_job_start(job=RecomputeJob(period_from=MAY, period_to=MAY))
    assert time.monotonic() - started < QUICK_SECONDS
    job.refresh_from_db()
    assert job.status == RecomputeJob.Status.FAILED
    assert job.error == "任务队列暂时不可用，重算没有开始，请稍后重新发起。"


def test_scoring_a_round_during_a_redis_outage_says_at_once_that_it_did_not_start(redis):
    # Built through the services with every stage open today, so only the broker can stop the scoring.
    staff_user = city_staff()
    stages = {kind: (timezone.localdate() - datetime.timedelta(days=10),
                     timezone.localdate() + datetime.timedelta(days=10)) for kind in StageKind.values}
    selection_round = selection_services.round_open(
        selection_round=selection_services.round_create(year=2025, title="2025年度样板街道推选", quota=15,
                                                        stages=stages, created_by=staff_user),
        user=staff_user)
    staff = Street.client_for(staff_user)
    redis.stop()
    response = answered_quickly(timed(lambda: staff.post(
        reverse("selection:round_score", args=[selection_round.pk]), follow=True)), status=200)
    page = response.content.decode()
    assert "任务队列暂时不可用，计分没有开始，请稍后重试。" in page and "已开始计分" not in page
