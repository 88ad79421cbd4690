"""Forecasts to a target's deadline: the trend of the last months projected linearly.

The rule (said on every page that shows a forecast): a least-squares line is fitted through the last
`TREND_MONTHS` monthly numerators, another through the denominators, both are extended to the
deadline's month, and the projected value is the one numerator over the other, as every value is. A
rate's projected numerator stays between 0 and its denominator. The pace needed is what the
numerator (for rates: the things counted, such as compounds with a committee) must gain each month
from now to reach the target on the projected denominator; for scores and per-household figures it
is the value's change a month.
"""
from __future__ import annotations

import datetime
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from .models import Comparison, IndicatorValue, Target, Unit
from .periods import add_months, month_start
from .selectors import Attainment, attainment, indicator_value

TREND_MONTHS = 6
PACE_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class MonthFigures:
    period: datetime.date
    numerator: Decimal
    denominator: Decimal


@dataclass(frozen=True)
class Forecast:
    target: Target
    months_left: int  # from the period shown to the deadline's month
    months_used: int  # months of data the trend was fitted on
    current_value: Decimal | None
    projected_numerator: Decimal
    projected_denominator: Decimal
    projected_value: Decimal | None
    projected_attainment: str | None
    # For rates: the numerator's gain needed a month (whole things, rounded up; negative: a fall needed)
    # and its trend a month; for other units, the same for the value.
    needed_per_month: Decimal | None
    trend_per_month: Decimal

    @property
    def will_meet(self) -> bool:
        return self.projected_attainment == Attainment.MET


def _line(points: list[tuple[int, Decimal]]) -> tuple[Decimal, Decimal]:
    """Least squares through (x, y): (intercept, slope); a single point gives a flat line."""
    count = len(points)
    mean_x = Decimal(sum(x for x, _y in points)) / count
    mean_y = sum((y for _x, y in points), Decimal(0)) / count
    spread = sum((Decimal(x) - mean_x) ** 2 for x, _y in points)
    if not spread:
        return mean_y, Decimal(0)
    slope = sum((Decimal(x) - mean_x) * (y - mean_y) for x, y in points) / spread
    return mean_y - slope * mean_x, slope


def _months_from(first: datetime.date, last: datetime.date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month


def forecast(target: Target, unit: str, months: list[MonthFigures], period: datetime.date) -> Forecast | None:
    """The forecast of `target` from the monthly figures up to `period` (the month shown, last of them);
    None when the deadline's month is not after it or there are no figures for it."""
    deadline = month_start(target.deadline)
    months_left = _months_from(period, deadline)
    months = sorted((m for m in months if add_months(period, -TREND_MONTHS) < m.period <= period),
                    key=lambda m: m.period)
    if months_left < 1 or not months or months[-1].period != period:
        return None
    x = [_months_from(period, m.period) for m in months]  # 0 for the period shown, negative before
    numerator_at, numerator_slope = _line(list(zip(x, (m.numerator for m in months))))
    denominator_at, denominator_slope = _line(list(zip(x, (m.denominator for m in months))))
    denominator = max(Decimal(0), denominator_at + denominator_slope * months_left)
    numerator = max(Decimal(0), numerator_at + numerator_slope * months_left)
    if unit == Unit.PERCENT:
        numerator = min(numerator, denominator)
    value = indicator_value(numerator, denominator, unit)
    now = months[-1]
    current = indicator_value(now.numerator, now.denominator, unit)
    if unit == Unit.PERCENT:
        needed_total = target.threshold / Decimal(100) * denominator - now.numerator
        needed = _whole_things(needed_total / months_left, target.comparison)
        trend = numerator_slope.quantize(PACE_PLACES)
    else:
        needed = None if current is None else ((target.threshold - current) / months_left).quantize(PACE_PLACES)
        trend = (Decimal(0) if value is None or current is None
                 else ((value - current) / months_left).quantize(PACE_PLACES))
    return Forecast(target=target, months_left=months_left, months_used=len(months), current_value=current,
                    projected_numerator=numerator, projected_denominator=denominator, projected_value=value,
                    projected_attainment=attainment(value, target), needed_per_month=needed, trend_per_month=trend)


def _whole_things(per_month: Decimal, comparison: str) -> Decimal:
    # Compounds and committees come whole: a gain needed is rounded up, a fall allowed rounded down.
    if comparison == Comparison.AT_MOST:
        return Decimal(math.floor(per_month))
    return Decimal(math.ceil(per_month))


def monthly_figures(*, area_levels: Iterable[str], area_codes: Iterable[str], indicator_codes: Iterable[str],
                    first: datetime.date, last: datetime.date) -> dict[tuple[str, str, str], list[MonthFigures]]:
    """(area level, area code, indicator code) → its monthly figures from `first` to `last`, in one query."""
    rows = (IndicatorValue.objects.filter(area_level__in=set(area_levels), area_code__in=set(area_codes),
                                          indicator_id__in=set(indicator_codes), period__range=(first, last))
            .order_by().values_list("area_level", "area_code", "indicator_id", "period", "numerator", "denominator"))
    series: dict[tuple[str, str, str], list[MonthFigures]] = defaultdict(list)
    for level, area_code, indicator_id, month, numerator, denominator in rows:
        series[(level, area_code, indicator_id)].append(MonthFigures(month, numerator, denominator))
    return series


def trend_start(period: datetime.date) -> datetime.date:
    """The first month of the trend that ends at `period`."""
    return add_months(period, 1 - TREND_MONTHS)


def forecasts(*, area_level: str, targets: dict[tuple[str, str], list[Target]], period: datetime.date,
              units: dict[str, str]) -> dict[tuple[str, str], list[Forecast]]:
    """Forecasts of every given target whose deadline is after `period`: (indicator code, area code) →
    its targets' forecasts, by deadline. `targets` are keyed (indicator code, area code) as they apply
    to each area. One query: the areas' last `TREND_MONTHS` months of those indicators."""
    if not targets:
        return {}
    series = monthly_figures(area_levels=[area_level], area_codes=[code for _indicator, code in targets],
                             indicator_codes=[indicator for indicator, _code in targets], first=trend_start(period),
                             last=period)
    result = {}
    for (indicator_code, area_code), listed in targets.items():
        months = series.get((area_level, area_code, indicator_code), [])
        found = [forecast(target, units[indicator_code], months, period)
                 for target in sorted(listed, key=lambda target: target.deadline)]
        result[(indicator_code, area_code)] = [item for item in found if item is not None]
    return result
