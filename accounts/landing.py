"""Where each role lands after signing in. Apps with a landing page register it here."""
from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import import_string

from .models import Role

# role → (url name, function user → kwargs). Filled as the dashboard and reporting pages land.
LANDING_PAGES: dict[str, tuple[str, object]] = {
    Role.CITY_STAFF: ("dashboard:overview", lambda user: {}),
    Role.STREET_OFFICER: ("reporting:home", lambda user: {}),
    # Their district's dashboard, which leads with a link to the reports waiting for review.
    Role.DISTRICT_STAFF: ("dashboard:district", lambda user: {"code": user.district.code}),
    Role.JUDGE: ("selection:judge_home", lambda user: {}),
}


# What `/` shows to visitors who are not signed in: the public side of the portal.
PUBLIC_HOME_VIEW = "selection.views.public_index"


def public_home(request):
    return import_string(PUBLIC_HOME_VIEW)(request)


def landing_url_for(user) -> str | None:
    entry = LANDING_PAGES.get(Role.CITY_STAFF if user.is_superuser else user.role)
    if entry is None:
        return None
    url_name, kwargs_for = entry
    try:
        return reverse(url_name, kwargs=kwargs_for(user))
    except NoReverseMatch:
        return None
