"""Months, quarters and years as the engine uses them: a period is the first day of its month."""
from __future__ import annotations

import calendar
import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from common.years import is_accepted_year


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def month_end(period: datetime.date) -> datetime.date:
    return period.replace(day=calendar.monthrange(period.year, period.month)[1])


def add_months(period: datetime.date, months: int) -> datetime.date:
    index = period.year * 12 + period.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """Every period from `first` to `last`, both included."""
    periods, current = [], month_start(first)
    while current <= last:
        periods.append(current)
        current = add_months(current, 1)
    return periods


def quarter_start(period: datetime.date) -> datetime.date:
    return datetime.date(period.year, (period.month - 1) // 3 * 3 + 1, 1)


def current_period() -> datetime.date:
    return month_start(timezone.localdate())


def parse_period(text: str) -> datetime.date:
    """'2024-01' → date(2024, 1, 1); raises ValueError otherwise, years outside common.years included."""
    parsed = datetime.datetime.strptime(text.strip(), "%Y-%m").date()
    if not is_accepted_year(parsed.year):
        raise ValueError(text)
    return parsed


# A run of months (a campaign period) is read in one query over the stored monthly sums; ten years
# bound what one request or page may make the database sum.
MAX_RUN_MONTHS = 120


def run_length(first: datetime.date, last: datetime.date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month + 1


def run_error(first: datetime.date, last: datetime.date) -> str | None:
    """Why `first`..`last` is not a run of months one may ask for, in Chinese; None when it is."""
    if first > last:
        return _("起始月份 %(first)s 晚于截止月份 %(last)s。") % {"first": f"{first:%Y-%m}", "last": f"{last:%Y-%m}"}
    if run_length(first, last) > MAX_RUN_MONTHS:
        return _("月份区间最长 %(max)d 个月，%(first)s 至 %(last)s 为 %(months)d 个月。") % {
            "max": MAX_RUN_MONTHS, "first": f"{first:%Y-%m}", "last": f"{last:%Y-%m}",
            "months": run_length(first, last)}
    return None
