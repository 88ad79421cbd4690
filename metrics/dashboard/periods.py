"""The period a dashboard shows: a month, a quarter or a year, chosen with the period picker.

A quarter or a year that is not over yet ends at the latest month with published values.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from metrics.periods import add_months, months_between

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
            return _("%(year)d年%(month)d月") % {"year": self.first.year, "month": self.first.month}
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

    def previous(self) -> PeriodChoice:
        """The period of the same kind just before, for the change against the previous period."""
        length = {MONTH: 1, QUARTER: 3, YEAR: 12}[self.kind]
        first = add_months(self.first, -length)
        return PeriodChoice(self.kind, first, add_months(first, length - 1))


def span(kind: str, first: datetime.date, latest: datetime.date) -> PeriodChoice:
    length = {MONTH: 1, QUARTER: 3, YEAR: 12}[kind]
    return PeriodChoice(kind, first, min(add_months(first, length - 1), latest))


def parse_choice(text: str | None, latest: datetime.date) -> PeriodChoice:
    """'2024-05', '2024-Q2' or '2024'; anything else (or a period after `latest`) gives `latest`'s month."""
    text = (text or "").strip()
    for kind, pattern in _PATTERNS.items():
        match = pattern.match(text)
        if not match:
            continue
        year = int(match[1])
        if kind == MONTH:
            month = int(match[2])
            first = datetime.date(year, month, 1) if 1 <= month <= 12 else None
        elif kind == QUARTER:
            first = datetime.date(year, (int(match[2]) - 1) * 3 + 1, 1)
        else:
            first = datetime.date(year, 1, 1)
        if first is not None and datetime.date(1900, 1, 1) <= first <= latest:
            return span(kind, first, latest)
    return span(MONTH, latest, latest)


def picker_options(periods: list[datetime.date]) -> list[tuple[str, list[tuple[str, str]]]]:
    """Option groups for the period picker, newest first, from the months that have values."""
    latest = max(periods)
    months = sorted(set(periods), reverse=True)
    quarters = sorted({datetime.date(p.year, (p.month - 1) // 3 * 3 + 1, 1) for p in months}, reverse=True)
    years = sorted({datetime.date(p.year, 1, 1) for p in months}, reverse=True)
    groups = []
    for label, kind, firsts in ((_("月度"), MONTH, months), (_("季度"), QUARTER, quarters), (_("年度"), YEAR, years)):
        choices = [span(kind, first, latest) for first in firsts]
        groups.append((label, [(choice.param, choice.label) for choice in choices]))
    return groups
