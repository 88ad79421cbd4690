"""What each event tells whom: notices as (recipient, Notice) pairs, ready for `services.notices_deliver`.

Workflow events (a report submitted, returned, approved) are built from the report's transition;
calendar events (a report due soon or overdue, a committee term ending or ended) from the day.
Every notice carries an event key that names the event, so delivering it again reaches nobody twice.
"""
from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.selectors import district_staff, street_officers
from committees.selectors import committees_term_ending, committees_term_expired
from reporting.models import ReportTransition
from reporting.periods import due_on, month_label, months_due_between

from .models import NoticeKind
from .selectors import streets_without_submission

# The notices each role can receive: what the settings page offers it.
KINDS_BY_ROLE = {
    Role.DISTRICT_STAFF: [NoticeKind.REPORT_SUBMITTED, NoticeKind.REPORT_OVERDUE],
    Role.STREET_OFFICER: [NoticeKind.REPORT_RETURNED, NoticeKind.REPORT_APPROVED, NoticeKind.REPORT_DUE_SOON,
                          NoticeKind.REPORT_OVERDUE, NoticeKind.COMMITTEE_TERM_ENDING,
                          NoticeKind.COMMITTEE_TERM_EXPIRED],
}
REPORT_EVENTS = (NoticeKind.REPORT_SUBMITTED, NoticeKind.REPORT_RETURNED, NoticeKind.REPORT_APPROVED)
# How far back a report still counts as newly overdue: a missed day of the scheduler is caught up.
OVERDUE_LOOKBACK = datetime.timedelta(days=31)


@dataclass(frozen=True)
class Notice:
    kind: str
    event_key: str
    title: str
    body: str
    url: str = ""


Delivery = tuple[User, Notice]


def day_text(day: datetime.date) -> str:
    return _("%(year)d年%(month)d月%(day)d日") % {"year": day.year, "month": day.month, "day": day.day}


def _report_url(street, period: datetime.date) -> str:
    return reverse("reporting:report", kwargs={"street_code": street.code, "period": period})


def report_transition_notices(*, transition_id: int, kind: str) -> list[Delivery]:
    """A report submitted (to its district's staff), returned or approved (to its street's officers)."""
    if kind not in REPORT_EVENTS:
        raise ValueError(kind)
    transition = ReportTransition.objects.select_related("report__street__district", "actor").get(pk=transition_id)
    report, street = transition.report, transition.report.street
    words = {"street": street.name, "month": month_label(report.period)}
    if kind == NoticeKind.REPORT_SUBMITTED:
        recipients = district_staff([street.parent_id])
        title = _("%(street)s%(month)s月报已上报，请审核") % words
        body = _("%(actor)s 已上报%(street)s%(month)s月报，请在审核页面查看数据并审核。") % {
            **words, "actor": transition.actor.get_full_name() or transition.actor.get_username()}
    elif kind == NoticeKind.REPORT_RETURNED:
        recipients = street_officers([street.pk])
        title = _("%(month)s月报被退回") % words
        body = _("%(street)s%(month)s月报已被区县退回，退回理由：%(reason)s。请修改后重新上报。") % {
            **words, "reason": transition.reason}
    else:
        recipients = street_officers([street.pk])
        title = _("%(month)s月报已审核通过") % words
        body = _("%(street)s%(month)s月报已由区县审核通过。") % words
    notice = Notice(kind, f"{kind}:transition:{transition.pk}", title, body, _report_url(street, report.period))
    return [(user, notice) for user in recipients]


def _officers_by_street(street_ids) -> dict[int, list[User]]:
    found = defaultdict(list)
    for user in street_officers(street_ids):
        found[user.street_id].append(user)
    return found


def _staff_by_district(district_ids) -> dict[int, list[User]]:
    found = defaultdict(list)
    for user in district_staff(district_ids):
        found[user.district_id].append(user)
    return found


def report_reminder_notices(*, today: datetime.date) -> list[Delivery]:
    """Reports not submitted that are due within NOTIFY_REPORT_DUE_SOON_DAYS (to the street), or whose
    due day has passed (to the street, and one list of the late streets to their district)."""
    deliveries: list[Delivery] = []
    soon = datetime.timedelta(days=settings.NOTIFY_REPORT_DUE_SOON_DAYS)
    for period in months_due_between(today, today + soon):
        streets = list(streets_without_submission(period=period))
        officers = _officers_by_street(street.pk for street in streets)
        words = {"month": month_label(period), "due": day_text(due_on(period))}
        for street in streets:
            notice = Notice(NoticeKind.REPORT_DUE_SOON, f"{NoticeKind.REPORT_DUE_SOON}:{street.pk}:{period:%Y-%m}",
                            _("%(month)s月报将于%(due)s截止") % words,
                            _("%(street)s%(month)s月报尚未上报，截止日为%(due)s，请按时填报并上报。") % {
                                **words, "street": street.name},
                            _report_url(street, period))
            deliveries += [(user, notice) for user in officers[street.pk]]
    for period in months_due_between(today - OVERDUE_LOOKBACK, today - datetime.timedelta(days=1)):
        streets = list(streets_without_submission(period=period))
        officers = _officers_by_street(street.pk for street in streets)
        words = {"month": month_label(period), "due": day_text(due_on(period))}
        late_by_district = defaultdict(list)
        for street in streets:
            late_by_district[street.parent].append(street)
            notice = Notice(NoticeKind.REPORT_OVERDUE, f"{NoticeKind.REPORT_OVERDUE}:{street.pk}:{period:%Y-%m}",
                            _("%(month)s月报已逾期") % words,
                            _("%(street)s%(month)s月报的截止日%(due)s已过，月报尚未上报。请尽快上报，逾期情况将被记录。") % {
                                **words, "street": street.name},
                            _report_url(street, period))
            deliveries += [(user, notice) for user in officers[street.pk]]
        staff = _staff_by_district(district.pk for district in late_by_district)
        for district, late in late_by_district.items():
            notice = Notice(NoticeKind.REPORT_OVERDUE,
                            f"{NoticeKind.REPORT_OVERDUE}:district:{district.pk}:{period:%Y-%m}",
                            _("%(count)d个街道(乡镇)%(month)s月报逾期未报") % {**words, "count": len(late)},
                            _("截止日%(due)s已过，以下街道(乡镇)%(month)s月报尚未上报：%(streets)s。") % {
                                **words, "streets": "、".join(street.name for street in late)},
                            reverse("reporting:review_queue"))
            deliveries += [(user, notice) for user in staff[district.pk]]
    return deliveries


def committee_term_notices(*, today: datetime.date) -> list[Delivery]:
    """Committee terms ending within NOTIFY_COMMITTEE_TERM_DAYS, or ended without a successor (to the street)."""
    days = settings.NOTIFY_COMMITTEE_TERM_DAYS
    related = ("compound__community__street",)
    events = [(NoticeKind.COMMITTEE_TERM_ENDING, committee)
              for committee in committees_term_ending(today=today, within_days=days).select_related(*related)]
    events += [(NoticeKind.COMMITTEE_TERM_EXPIRED, committee)
               for committee in committees_term_expired(today=today, within_days=days).select_related(*related)]
    officers = _officers_by_street({committee.compound.community.parent_id for _kind, committee in events})
    deliveries: list[Delivery] = []
    for kind, committee in events:
        compound = committee.compound
        words = {"compound": compound.name, "end": day_text(committee.term_end)}
        if kind == NoticeKind.COMMITTEE_TERM_ENDING:
            title = _("%(compound)s业委会任期将于%(end)s届满") % words
            body = _("%(compound)s业主委员会任期将于%(end)s届满，请指导小区及时启动换届选举。") % words
        else:
            title = _("%(compound)s业委会任期已于%(end)s届满") % words
            body = _("%(compound)s业主委员会任期已于%(end)s届满，尚未选出新一届业委会（到期未换届），请督促换届。") % words
        notice = Notice(kind, f"{kind}:{committee.pk}:{committee.term_end:%Y-%m-%d}", title, body,
                        reverse("dashboard:compound", kwargs={"code": compound.code}))
        deliveries += [(user, notice) for user in officers[compound.community.parent_id]]
    return deliveries
