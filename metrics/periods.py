"""Months, quarters and years as the engine uses them: a period is the first day of its month."""
from __future__ import annotations

import calendar
import datetime

from django.utils import timezone

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
