"""Who may do what to a monthly report; which areas a user covers is decided by accounts.scope.

Services enforce these; views use them only to decide which buttons to show.

People move reports through the workflow. Another government system (a user with the API client
role, acting through its token) only enters figures, and only inside the street or district it is
limited to: it never submits, approves, returns, locks or reopens. `may_move` is that rule; every
transition's predicate asks it, and the services' one transition function refuses without it, so
a transition added later follows it too.
"""
from accounts.models import Role
from accounts.scope import AreaScope

from .models import MonthlyReport


def is_system(user) -> bool:
    return user is not None and user.role == Role.API_CLIENT


def may_move(user) -> bool:
    """Any workflow transition at all: people, not systems."""
    return not is_system(user)


def may_edit(user, report: MonthlyReport) -> bool:
    """Enter data: the owning street (and city staff, as everywhere in the registry). A system only
    within the street or district it is limited to; one with no area reads city-wide and writes nothing."""
    scope = AreaScope.for_user(user)
    if is_system(user):
        return not scope.city_wide and scope.can_see_street(report.street_id, report.street.parent_id)
    return scope.can_change_street(report.street_id)


def may_submit(user, report: MonthlyReport) -> bool:
    return may_move(user) and may_edit(user, report)


def may_review(user, report: MonthlyReport) -> bool:
    """Approve or return: the street's district."""
    return may_move(user) and AreaScope.for_user(user).can_review_street(report.street.parent_id)


def may_close(user) -> bool:
    """Lock and reopen: city staff only."""
    return may_move(user) and AreaScope.for_user(user).city_wide
