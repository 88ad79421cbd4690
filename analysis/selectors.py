"""Reads of the analysis pages: the engine's stored figures of a pivot table's selection."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from metrics.dashboard.periods import PeriodChoice
from metrics.models import Indicator, IndicatorValue
from metrics.selectors import indicator_values_for_run


@dataclass(frozen=True)
class PivotValue:
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    provisional: bool


# (indicator code, area level, area code, period param) → the stored figure.
PivotKey = tuple[str, str, str, str]


def pivot_values(*, areas: Iterable, periods: list[PeriodChoice], indicators: list[Indicator],
                 every_area_of_level: bool = False) -> dict[PivotKey, PivotValue]:
    """The published values of every indicator, area and period asked for, with their numerators and
    denominators: months as the engine published them, quarters, years and runs of months from its
    run read (metrics.selectors.indicator_values_for_run, DOMAIN.md's rules for periods).

    Queries: one per area level for all the months, and one per area level and other period,
    whatever the number of areas (the pivot form bounds the number of periods).
    `every_area_of_level`: the areas are all of their levels' (the city's pivot), so no list of
    codes is sent to the database.
    """
    codes_by_level: dict[str, list[str]] = defaultdict(list)
    for area in areas:
        codes_by_level[area.level].append(area.code)
    indicator_codes = [indicator.code for indicator in indicators]
    months = {period.first: period.param for period in periods if period.is_month}
    found: dict[PivotKey, PivotValue] = {}
    for level, codes in codes_by_level.items():
        wanted = set(codes)
        asked = None if every_area_of_level else codes
        if months:
            rows = IndicatorValue.objects.filter(area_level=level, period__in=list(months),
                                                 indicator_id__in=indicator_codes).order_by()
            if asked is not None:
                rows = rows.filter(area_code__in=asked)
            for code, area_code, month, value, numerator, denominator, provisional in rows.values_list(
                    "indicator_id", "area_code", "period", "value", "numerator", "denominator", "provisional"):
                if area_code in wanted:
                    found[code, level, area_code, months[month]] = PivotValue(value, numerator, denominator,
                                                                              provisional)
        for period in periods:
            if period.is_month:
                continue
            for row in indicator_values_for_run(area_level=level, area_codes=asked, first=period.first,
                                                last=period.last, indicators=indicators):
                if row.area_code in wanted:
                    found[row.indicator_code, level, row.area_code, period.param] = PivotValue(
                        row.value, row.numerator, row.denominator, row.provisional)
    return found
