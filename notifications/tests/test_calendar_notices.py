"""Notices of the calendar: a report due within three days or overdue, a committee term ending within
90 days or ended without a successor. Each is delivered once however many days the job runs."""
import datetime

import pytest

from notifications.models import Notification, NoticeKind
from notifications.services import calendar_notices_deliver
from reporting import services as reporting
from tests.factories import CompoundFactory, OwnersCommitteeFactory, StreetFactory, street_officer

pytestmark = pytest.mark.django_db

MAY_DUE = datetime.date(2024, 6, 10)  # May's reports, due on the 10th of June by default


def kinds_of(user) -> list[str]:
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_three_days_before_the_due_day_the_street_is_reminded(officer, reviewer):
    calendar_notices_deliver(today=MAY_DUE - datetime.timedelta(days=3))

    notice = Notification.objects.get(recipient=officer, kind=NoticeKind.REPORT_DUE_SOON)
    assert notice.title == "2024年5月月报将于2024年6月10日截止"
    assert NoticeKind.REPORT_DUE_SOON not in kinds_of(reviewer)


def test_four_days_before_the_due_day_nobody_is_reminded(officer):
    calendar_notices_deliver(today=MAY_DUE - datetime.timedelta(days=4))

    assert NoticeKind.REPORT_DUE_SOON not in kinds_of(officer)


def test_the_reminder_comes_once_over_the_days_before_the_due_day(officer):
    for days_before in (3, 2, 1, 0):
        calendar_notices_deliver(today=MAY_DUE - datetime.timedelta(days=days_before))

    assert kinds_of(officer).count(NoticeKind.REPORT_DUE_SOON) == 1


def test_a_submitted_report_is_not_reminded(report, officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reporting.monthly_report_submit(report=report, actor=officer)
    Notification.objects.all().delete()

    calendar_notices_deliver(today=MAY_DUE - datetime.timedelta(days=1))
    calendar_notices_deliver(today=MAY_DUE + datetime.timedelta(days=1))

    assert not Notification.objects.filter(event_key__endswith=":2024-05").exists()


def test_a_street_without_compounds_owes_no_report():
    empty = StreetFactory()
    officer = street_officer(empty)

    calendar_notices_deliver(today=MAY_DUE - datetime.timedelta(days=1))

    assert kinds_of(officer) == []


def test_the_due_day_is_the_configured_one(officer, settings):
    settings.MONTHLY_REPORT_DUE_DAY = 5

    calendar_notices_deliver(today=datetime.date(2024, 6, 2))

    notice = Notification.objects.get(recipient=officer, kind=NoticeKind.REPORT_DUE_SOON)
    assert notice.title == "2024年5月月报将于2024年6月5日截止"


def test_the_day_after_the_due_day_street_and_district_hear_it_is_overdue(officer, reviewer, street):
    late_too = CompoundFactory(community__street__district=street.district, community__street__name="江南街道")

    calendar_notices_deliver(today=MAY_DUE + datetime.timedelta(days=1))

    assert Notification.objects.filter(recipient=officer, kind=NoticeKind.REPORT_OVERDUE,
                                       event_key__endswith=":2024-05").count() == 1
    digest = Notification.objects.get(recipient=reviewer, kind=NoticeKind.REPORT_OVERDUE, event_key__endswith=":2024-05")
    assert digest.title == "2个街道(乡镇)2024年5月月报逾期未报"
    assert "鲤中街道" in digest.body and late_too.community.street.name in digest.body


def test_the_overdue_notice_comes_once(officer, reviewer):
    for days_after in (1, 2, 15):
        calendar_notices_deliver(today=MAY_DUE + datetime.timedelta(days=days_after))

    for user in (officer, reviewer):
        assert Notification.objects.filter(recipient=user, kind=NoticeKind.REPORT_OVERDUE,
                                           event_key__endswith=":2024-05").count() == 1


def test_a_committee_term_ending_within_90_days_is_announced_to_the_street(compound, officer):
    today = datetime.date(2024, 6, 1)
    OwnersCommitteeFactory(compound=compound, term_start=datetime.date(2019, 8, 1), elected_on=datetime.date(2019, 8, 1),
                           term_end=today + datetime.timedelta(days=90))

    calendar_notices_deliver(today=today)

    notice = Notification.objects.get(recipient=officer, kind=NoticeKind.COMMITTEE_TERM_ENDING)
    assert notice.title == "泉秀花园业委会任期将于2024年8月30日届满"
    assert notice.url == f"/dashboard/compound/{compound.code}/"


def test_a_term_ending_later_than_90_days_is_not_announced_yet(compound, officer):
    today = datetime.date(2024, 6, 1)
    OwnersCommitteeFactory(compound=compound, term_end=today + datetime.timedelta(days=91))

    calendar_notices_deliver(today=today)

    assert NoticeKind.COMMITTEE_TERM_ENDING not in kinds_of(officer)


def test_a_term_that_ended_without_a_successor_is_announced_as_expired(compound, officer):
    today = datetime.date(2024, 6, 1)
    OwnersCommitteeFactory(compound=compound, term_start=datetime.date(2019, 5, 1), elected_on=datetime.date(2019, 5, 1),
                           term_end=datetime.date(2024, 5, 20))

    calendar_notices_deliver(today=today)
    calendar_notices_deliver(today=today + datetime.timedelta(days=1))

    assert kinds_of(officer).count(NoticeKind.COMMITTEE_TERM_EXPIRED) == 1


def test_a_term_followed_by_a_new_committee_is_not_announced(compound, officer):
    today = datetime.date(2024, 6, 1)
    OwnersCommitteeFactory(compound=compound, term_start=datetime.date(2019, 5, 1), elected_on=datetime.date(2019, 5, 1),
                           term_end=datetime.date(2024, 6, 20))
    OwnersCommitteeFactory(compound=compound, term_start=datetime.date(2024, 6, 21), elected_on=datetime.date(2024, 5, 25),
                           term_end=datetime.date(2029, 6, 20))

    calendar_notices_deliver(today=today)

    assert NoticeKind.COMMITTEE_TERM_ENDING not in kinds_of(officer)


def test_a_dissolved_committee_is_not_announced(compound, officer):
    today = datetime.date(2024, 6, 1)
    OwnersCommitteeFactory(compound=compound, term_start=datetime.date(2019, 5, 1), elected_on=datetime.date(2019, 5, 1),
                           term_end=datetime.date(2024, 6, 20), dissolved_on=datetime.date(2023, 1, 1))

    calendar_notices_deliver(today=today)

    assert NoticeKind.COMMITTEE_TERM_ENDING not in kinds_of(officer)
