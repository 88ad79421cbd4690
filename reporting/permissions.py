"""Who may do what to a monthly report, in terms of the user's area scope (accounts.scope).

Services enforce these; views use them only to decide which buttons to show.
"""
from accounts.scope import AreaScope

from .models import MonthlyReport


def may_edit(scope: AreaScope, report: MonthlyReport) -> bool:
    """Enter data and submit: the owning street (and city staff, as everywhere in the registry)."""
    return scope.can_change_street(report.street_id)


def may_review(scope: AreaScope, report: MonthlyReport) -> bool:
    """Approve or return: the street's district."""
    return scope.can_review_street(report.street.district_id)


def may_close(scope: AreaScope) -> bool:
    """Lock and reopen: city staff only."""
    return scope.city_wide
