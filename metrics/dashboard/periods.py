"""The period a dashboard shows: a month, a quarter or a year, chosen with the period picker.

Only periods whose reports are due have figures (reporting.periods.is_due): a month once its due day
is over, a quarter or a year once its last month is. The picker offers only those; a span is cut at
the latest month with published values when the data stops earlier.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from metrics.periods import add_months, months_between
from reporting.periods import due_on, is_due, month_label, month_of

MONTH, QUARTER, YEAR = "month", "quarter", "year"

_PATTERNS = {
    MONTH: re.compile(r"^(\d{4})-(\d{2})$"),
    QUARTER: re.compile(r"^(\d{4})-Q([1-4])$"),
    YEAR: re.compile(r"^(\d{4})$"),
}


@dataclass(frozen=True)
class PeriodChoice:
    kind: str
    first: datetime.date
    last: datetime.date

    @property
    def param(self) -> str:
        if self.kind == MONTH:
            return f"{self.first:%Y-%m}"
        if self.kind == QUARTER:
            return f"{self.first.year}-Q{(self.first.month - 1) // 3 + 1}"
        return str(self.first.year)

    @property
    def label(self) -> str:
        if self.kind == MONTH:
            return month_label(self.first)
        if self.kind == QUARTER:
            return _("%(year)d年第%(quarter)d季度") % {"year": self.first.year,
                                                        "quarter": (self.first.month - 1) // 3 + 1}
        return _("%(year)d年") % {"year": self.first.year}

    @property
    def is_month(self) -> bool:
        return self.kind == MONTH

    @property
    def months(self) -> list[datetime.date]:
        return months_between(self.first, self.last)

    @property
    def end(self) -> datetime.date:
        """The calendar's last month of the period, whether or not its data is in."""
        return add_months(self.first, LENGTHS[self.kind] - 1)

    @property
    def is_due(self) -> bool:
        """Reports of every month of the period are due: only then does it have figures."""
        return is_due(self.end)

    @property
    def due_on(self) -> datetime.date:
        """The day the period's last reports are due."""
        return due_on(self.end)

    def previous(self) -> PeriodChoice:
        """The period of the same kind just before, for the change against the previous period."""
        first = add_months(self.first, -LENGTHS[self.kind])
        return PeriodChoice(self.kind, first, add_months(first, LENGTHS[self.kind] - 1))


LENGTHS = {MONTH: 1, QUARTER: 3, YEAR: 12}


def containing(kind: str, month: datetime.date) -> PeriodChoice:
    """The whole period of `kind` that contains `month` (its quarter, its year)."""
    first = {MONTH: month, QUARTER: datetime.date(month.year, (month.month - 1) // 3 * 3 + 1, 1),
             YEAR: datetime.date(month.year, 1, 1)}[kind]
    return PeriodChoice(kind, first, add_months(first, LENGTHS[kind] - 1))


def span(kind: str, first: datetime.date, latest: datetime.date) -> PeriodChoice:
    return PeriodChoice(kind, first, min(add_months(first, LENGTHS[kind] - 1), latest))


def parse_choice(text: str | None, latest: datetime.date) -> PeriodChoice | None:
    """'2024-05', '2024-Q2' or '2024', cut at `latest`; a period starting after `latest` comes whole
    (the caller tells a period not due from one without data); None for anything else."""
    text = (text or "").strip()
    for kind, pattern in _PATTERNS.items():
        match = pattern.match(text)
        if not match:
            continue
        month = {MONTH: lambda: int(match[2]), QUARTER: lambda: (int(match[2]) - 1) * 3 + 1, YEAR: lambda: 1}[kind]()
        try:
            first = month_of(int(match[1]), month)
        except ValueError:
            return None
        return span(kind, first, latest) if first <= latest else containing(kind, first)
    return None


def picker_options(periods: list[datetime.date]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Option groups for the period picker, newest first, from the months that have values: the months,
    quarters and years whose reports are due."""
    groups = []
    for label, kind in ((_("月度"), MONTH), (_("季度"), QUARTER), (_("年度"), YEAR)):
        choices = sorted({containing(kind, period) for period in periods}, key=lambda c: c.first, reverse=True)
        groups.append((label, [(choice.param, choice.label) for choice in choices if choice.is_due]))
    return groups
