"""Months as the reporting period: always represented by their first day."""
from __future__ import annotations

import calendar
import datetime
import re

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from common.years import is_accepted_year

# ASCII digits (`\d` would take ٢٠٢٤), a real month, a year the portal can hold data for
# (common.years). The API schema publishes the same pattern.
_PERIOD_RE = re.compile(r"((?:19|2[0-9])[0-9]{2})-(0[1-9]|1[0-2])")
PERIOD_PATTERN = f"^{_PERIOD_RE.pattern}$"


def month_of(year: int, month: int) -> datetime.date:
    """The period of `month` in `year`; ValueError for a month or a year the portal does not accept."""
    if not (is_accepted_year(year) and 1 <= month <= 12):
        raise ValueError(f"{year:04d}-{month:02d}")
    return datetime.date(year, month, 1)


def parse_period(text: str) -> datetime.date:
    """'2024-05' → date(2024, 5, 1); ValueError on anything else, years outside common.years included."""
    match = _PERIOD_RE.fullmatch((text or "").strip())
    if not match:
        raise ValueError(text)
    return month_of(int(match[1]), int(match[2]))


def format_period(period: datetime.date) -> str:
    return f"{period:%Y-%m}"


def month_label(period: datetime.date) -> str:
    """'2024年5月': how pages, notices and emails name a month."""
    return _("%(year)d年%(month)d月") % {"year": period.year, "month": period.month}


def add_months(period: datetime.date, months: int) -> datetime.date:
    index = period.year * 12 + period.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_end(period: datetime.date) -> datetime.date:
    return period.replace(day=calendar.monthrange(period.year, period.month)[1])


def due_on(period: datetime.date) -> datetime.date:
    following = add_months(period, 1)
    last_day = calendar.monthrange(following.year, following.month)[1]
    return following.replace(day=min(settings.MONTHLY_REPORT_DUE_DAY, last_day))


def months_due_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """The months whose reports are due on a day from `first` to `last`, both included."""
    months, period = [], add_months(first.replace(day=1), -1)
    while period <= add_months(last.replace(day=1), -1):
        if first <= due_on(period) <= last:
            months.append(period)
        period = add_months(period, 1)
    return months


def is_due(period: datetime.date, *, today: datetime.date | None = None) -> bool:
    """Whether the month's reports are due: its due day is over, so its figures are complete.

    The one rule every page, export and feed asks (DOMAIN.md: a period whose reports are not yet due
    has no figures to show). A report submitted on the due day itself is on time, so until that day
    is over the month is still being reported.
    """
    return due_on(period) < (today or timezone.localdate())


def latest_due_month(*, today: datetime.date | None = None) -> datetime.date:
    """The latest month whose reports are due (last month once this month's due day is over)."""
    today = today or timezone.localdate()
    previous = add_months(today.replace(day=1), -1)
    return previous if is_due(previous, today=today) else add_months(previous, -1)


def current_month() -> datetime.date:
    return timezone.localdate().replace(day=1)


def current_reporting_period() -> datetime.date:
    """The month being reported now: last month, due by the due day of this month."""
    return add_months(current_month(), -1)


def is_future(period: datetime.date) -> bool:
    return period > current_month()
