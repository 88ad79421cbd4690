"""The years the portal accepts in anything a user sends: periods, dates and times.

Wide enough for any real report, narrow enough that what the portal derives from a period (the
month before, a quarter's end, the next month's due day, a time moved to UTC) is still a date:
`date(0, 1, 1)` and `date(10000, 1, 1)` raise, and used to give 500s.
"""
EARLIEST_YEAR = 1900
LATEST_YEAR = 2999


def is_accepted_year(year: int) -> bool:
    return EARLIEST_YEAR <= year <= LATEST_YEAR
