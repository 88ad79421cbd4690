"""Date arithmetic shared by the demo generators."""
import datetime
import random

CAMPAIGN_START = datetime.date(2024, 1, 1)
# Compounds built before this day enter the registry on it: the registry was set up then.
REGISTRY_START = datetime.date(2019, 1, 1)
ONE_DAY = datetime.timedelta(days=1)


def add_months(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_end(month: datetime.date) -> datetime.date:
    return add_months(month, 1) - ONE_DAY


def add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def term_end_after(start: datetime.date, years: int) -> datetime.date:
    """Last day of a term of `years` years starting on `start`."""
    return add_years(start, years) - ONE_DAY


def random_day(rng: random.Random, start: datetime.date, end: datetime.date) -> datetime.date:
    """A day in [start, end], uniformly."""
    span = (end - start).days
    return start + datetime.timedelta(days=rng.randint(0, max(span, 0)))


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


def ramp(day: datetime.date, points: list[tuple[datetime.date, float]]) -> float:
    """Piecewise-linear value over time through `points` (sorted by date), flat outside them."""
    if day <= points[0][0]:
        return points[0][1]
    for (d0, v0), (d1, v1) in zip(points, points[1:]):
        if day <= d1:
            return v0 + (v1 - v0) * (day - d0).days / (d1 - d0).days
    return points[-1][1]
