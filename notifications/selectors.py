"""Reads for notices: a user's inbox, their channels, and which streets owe a report."""
from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db.models import Exists, OuterRef, QuerySet

from communities.models import Compound
from communities.selectors import compound_active_q
from districts.models import Street
from reporting.models import MonthlyReport, ReportState
from reporting.periods import month_end

from .models import Notification, NotificationSetting

# A report in these states has reached its district: no reminder is due for it.
SUBMITTED_STATES = (ReportState.SUBMITTED, ReportState.APPROVED, ReportState.LOCKED)


def inbox(*, user) -> QuerySet[Notification]:
    """The user's own notices shown in the inbox, newest first."""
    return Notification.objects.filter(recipient=user, in_inbox=True).order_by("-created_at", "-pk")


def unread_count(*, user) -> int:
    """From the primary even on pages that read from a replica: a notice just read is not counted again."""
    return inbox(user=user).using("default").filter(read_at__isnull=True).count()


def channels(*, user_ids: Iterable[int], kinds: Iterable[str]) -> dict[tuple[int, str], tuple[bool, bool]]:
    """(user id, kind) → (inbox, email) for the settings users saved; absent pairs have both on."""
    rows = NotificationSetting.objects.filter(user_id__in=list(user_ids), kind__in=list(kinds))
    return {(row.user_id, row.kind): (row.inbox, row.email) for row in rows}


def settings_of(*, user) -> dict[str, tuple[bool, bool]]:
    return {row.kind: (row.inbox, row.email) for row in NotificationSetting.objects.filter(user=user)}


def streets_without_submission(*, period: datetime.date) -> QuerySet[Street]:
    """Streets with compounds that report for `period` whose report has not been submitted."""
    reporting = Compound.objects.filter(compound_active_q(month_end(period)), community__street=OuterRef("pk"))
    submitted = MonthlyReport.objects.filter(street=OuterRef("pk"), period=period, state__in=SUBMITTED_STATES)
    return (Street.objects.filter(Exists(reporting)).exclude(Exists(submitted))
            .select_related("district").order_by("code"))
