"""The period a dashboard shows: a month, a quarter, a year or any run of months (a campaign period
such as 2024-11 至 2025-03), chosen with the period picker.

Only periods whose reports are due have figures (reporting.periods.is_due): a month once its due day
is over, a quarter or a year once its last month is. The picker offers only those; a span is cut at
the latest month with published values when the data stops earlier.
"""
from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

from metrics.periods import add_months, months_between, run_error, run_length
from reporting.periods import due_on, is_due, month_label, month_of

MONTH, QUARTER, YEAR, RUN = "month", "quarter", "year", "run"
# A run in a link: ?period=2024-11..2025-03 (the picker sends period=run with period_from and period_to).
RUN_SEPARATOR = ".."

_PATTERNS = {
    MONTH: re.compile(r"^([0-9]{4})-([0-9]{2})$"),
    QUARTER: re.compile(r"^(\d{4})-Q([1-4])$"),
    YEAR: re.compile(r"^(\d{4})$"),
}


@dataclass(frozen=True)
class PeriodChoice:
    kind: str
    first: datetime.date
    last: datetime.date
    # A run's last month as asked for (`last` may be cut at the latest month with values); other
    # kinds end where their calendar says.
    run_end: datetime.date | None = None

    @property
    def param(self) -> str:
        if self.kind == RUN:
            return f"{self.first:%Y-%m}{RUN_SEPARATOR}{self.end:%Y-%m}"
        if self.kind == MONTH:
            return f"{self.first:%Y-%m}"
        if self.kind == QUARTER:
            return f"{self.first.year}-Q{(self.first.month - 1) // 3 + 1}"
        return str(self.first.year)

    @property
    def label(self) -> str:
        if self.kind == RUN:
            return _("%(first)s 至 %(last)s") % {"first": f"{self.first:%Y-%m}", "last": f"{self.end:%Y-%m}"}
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
    def length(self) -> int:
        """Its number of months, whether or not their data is in."""
        return run_length(self.first, self.run_end) if self.kind == RUN else LENGTHS[self.kind]

    @property
    def end(self) -> datetime.date:
        """The calendar's last month of the period, whether or not its data is in."""
        return add_months(self.first, self.length - 1)

    @property
    def is_due(self) -> bool:
        """Reports of every month of the period are due: only then does it have figures."""
        return is_due(self.end)

    @property
    def due_on(self) -> datetime.date:
        """The day the period's last reports are due."""
        return due_on(self.end)

    def previous(self) -> PeriodChoice:
        """The period of the same kind and length just before, for the change against the previous period."""
        return self.like_from(add_months(self.first, -self.length))

    def like_from(self, month: datetime.date) -> PeriodChoice:
        """A period like this one at `month`: the month's quarter or year, or a run as long starting there
        (the baseline a change is measured against is always as long as the period shown)."""
        if self.kind != RUN:
            return containing(self.kind, month)
        end = add_months(month, self.length - 1)
        return PeriodChoice(RUN, month, end, end)


LENGTHS = {MONTH: 1, QUARTER: 3, YEAR: 12}


def containing(kind: str, month: datetime.date) -> PeriodChoice:
    """The whole period of `kind` that contains `month` (its quarter, its year)."""
    first = {MONTH: month, QUARTER: datetime.date(month.year, (month.month - 1) // 3 * 3 + 1, 1),
             YEAR: datetime.date(month.year, 1, 1)}[kind]
    return PeriodChoice(kind, first, add_months(first, LENGTHS[kind] - 1))


def span(kind: str, first: datetime.date, latest: datetime.date) -> PeriodChoice:
    return PeriodChoice(kind, first, min(add_months(first, LENGTHS[kind] - 1), latest))


def run(first: datetime.date, last: datetime.date, latest: datetime.date) -> PeriodChoice:
    """The months from `first` to `last` (a single month is the month), cut at `latest` as `span` cuts."""
    if first == last:
        return span(MONTH, first, latest) if first <= latest else containing(MONTH, first)
    return PeriodChoice(RUN, first, min(last, latest) if first <= latest else last, last)


def _month(text: str | None) -> datetime.date | None:
    match = _PATTERNS[MONTH].match((text or "").strip())
    try:
        return month_of(int(match[1]), int(match[2])) if match else None
    except ValueError:
        return None


def parse_run(first_text: str | None, last_text: str | None, latest: datetime.date) -> PeriodChoice:
    """The run from two YYYY-MM months, or a ValueError saying in Chinese what is wrong with them."""
    first, last = _month(first_text), _month(last_text)
    if first is None or last is None:
        raise ValueError(_("请填写起止月份，格式 YYYY-MM，例如 2024-11 至 2025-03。"))
    problem = run_error(first, last)
    if problem:
        raise ValueError(problem)
    return run(first, last, latest)


def parse_choice(text: str | None, latest: datetime.date) -> PeriodChoice | None:
    """'2024-05', '2024-Q2', '2024' or a run '2024-11..2025-03', cut at `latest`; a period starting
    after `latest` comes whole (the caller tells a period not due from one without data); None for
    anything else."""
    text = (text or "").strip()
    if RUN_SEPARATOR in text:
        try:
            return parse_run(*text.split(RUN_SEPARATOR, 1), latest)
        except ValueError:
            return None
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
