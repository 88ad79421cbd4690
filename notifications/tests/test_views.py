"""The inbox, the bell and the settings page: every user reaches their own notices only."""
import pytest
from django.core import mail

from notifications import services
from notifications.models import Notification, NoticeKind, NotificationSetting
from notifications.notices import Notice

pytestmark = pytest.mark.django_db


def deliver(user, key="report_approved:transition:1", title="2024年5月月报已审核通过", url="/reports/X/2024-05/"):
    services.notices_deliver(deliveries=[(user, Notice(NoticeKind.REPORT_APPROVED, key, title, "正文", url))])
    return Notification.objects.get(recipient=user, event_key=key)


def signed_in(client, user):
    client.force_login(user)
    return client


def test_the_bell_shows_the_number_of_unread_notices(client, officer):
    deliver(officer, key="a")
    deliver(officer, key="b")

    page = signed_in(client, officer).get("/notifications/").content.decode()

    assert '<span class="bell-count" aria-label="2 条未读">2</span>' in page


def test_the_inbox_lists_the_users_own_notices_and_not_anothers(client, officer, reviewer):
    deliver(officer, title="给街道的消息")
    deliver(reviewer, title="给区县的消息")

    page = signed_in(client, officer).get("/notifications/").content.decode()

    assert "给街道的消息" in page and "给区县的消息" not in page


def test_opening_a_notice_marks_it_read_and_goes_to_what_it_is_about(client, officer):
    notice = deliver(officer)

    response = signed_in(client, officer).post(f"/notifications/{notice.pk}/read/", {"open": "1"})

    assert response.status_code == 302 and response["Location"] == "/reports/X/2024-05/"
    notice.refresh_from_db()
    assert notice.is_read


def test_a_user_cannot_mark_anothers_notice_read(client, officer, reviewer):
    theirs = deliver(reviewer)

    response = signed_in(client, officer).post(f"/notifications/{theirs.pk}/read/", {"open": "1"})

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert not theirs.is_read


def test_marking_all_read_leaves_other_users_notices_unread(client, officer, reviewer):
    mine, theirs = deliver(officer), deliver(reviewer)

    signed_in(client, officer).post("/notifications/read-all/")

    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.is_read and not theirs.is_read


def test_marking_read_needs_a_post(client, officer):
    notice = deliver(officer)

    assert signed_in(client, officer).get(f"/notifications/{notice.pk}/read/").status_code == 405


def test_a_notice_whose_link_leaves_the_portal_is_not_followed(client, officer):
    notice = deliver(officer, url="https://evil.example.com/")

    response = signed_in(client, officer).post(f"/notifications/{notice.pk}/read/", {"open": "1"})

    assert response["Location"] == "/notifications/"


def test_the_inbox_needs_a_signed_in_user(client):
    response = client.get("/notifications/")

    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_inbox_costs_the_same_queries_for_many_notices(client, officer, django_assert_max_num_queries):
    for n in range(40):
        deliver(officer, key=f"k{n}")
    signed_in(client, officer)

    with django_assert_max_num_queries(6):
        assert client.get("/notifications/").status_code == 200


def test_the_settings_page_offers_the_kinds_the_role_receives(client, reviewer):
    page = signed_in(client, reviewer).get("/notifications/settings/").content.decode()

    assert "月报已上报待审核" in page and "月报逾期未报" in page
    assert "业委会任期即将届满" not in page  # a street's notice


def test_saving_the_settings_turns_email_off_for_one_kind(client, officer):
    signed_in(client, officer).post("/notifications/settings/", {
        f"{kind}__{channel}": "on"
        for kind in NoticeKind.values for channel in ("inbox", "email")
        if not (kind == NoticeKind.REPORT_APPROVED and channel == "email")})

    deliver(officer)
    assert NotificationSetting.objects.get(user=officer, kind=NoticeKind.REPORT_APPROVED).email is False
    assert mail.outbox == []
    assert Notification.objects.get(recipient=officer).in_inbox


def test_a_users_settings_change_nobody_elses(client, officer, street):
    from tests.factories import street_officer

    colleague = street_officer(street)
    signed_in(client, officer).post("/notifications/settings/", {})

    assert NotificationSetting.objects.filter(user=colleague).count() == 0
    assert NotificationSetting.objects.filter(user=officer, inbox=False, email=False).count() == 6
