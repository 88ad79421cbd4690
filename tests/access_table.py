"""Expected access per route × role, checked for every URL pattern by tests/test_route_access.py.

Keys are the full route strings as the resolver builds them. URL arguments are street A's objects,
so street B's officer and another district's staff must always end in 403 or 404 (or a list scoped
to their own area). Outcome classes: ok (2xx), login (redirect to a login page), redirect (any other
redirect), and the status code for the rest. Write routes are checked with an empty POST where
`method="post"`; a GET on them is 405.
"""
from __future__ import annotations

ROLES = ("anonymous", "voter", "street_a", "street_b", "district_other", "city", "judge", "token_read",
         "token_write")

OK, LOGIN, REDIRECT = "ok", "login", "redirect"
LOGIN_PATHS = ("/accounts/login/", "/admin/login/")


def outcome_of(response) -> str:
    if 200 <= response.status_code < 300:
        return OK
    if response.status_code in (301, 302, 303, 307, 308):
        return LOGIN if response["Location"].split("?")[0] in LOGIN_PATHS else REDIRECT
    return str(response.status_code)


class Row(dict):
    def __init__(self, outcomes: str, method: str = "get"):
        values = outcomes.split()
        assert len(values) == len(ROLES), outcomes
        super().__init__(zip(ROLES, values))
        self.method = method


def everyone(outcome: str, method: str = "get") -> Row:
    return Row(" ".join([outcome] * len(ROLES)), method)


def signed_in(street_a_b_district_city_judge: str, method: str = "get") -> Row:
    """A portal page: without a session (anonymous, voter, API tokens) it sends to the login page."""
    a, b, district, city, judge = street_a_b_district_city_judge.split()
    return Row(f"login login {a} {b} {district} {city} {judge} login login", method)


def api(street_a_b_district_city_judge_read_write: str, method: str = "get") -> Row:
    """An API route: no credentials is 401; a session or a token is held to its user's area."""
    return Row(f"401 401 {street_a_b_district_city_judge_read_write}", method)


def admin(street_a_b_district_city: str) -> Row:
    """An admin page: only staff sessions get in; the judge, the voter and tokens meet the admin login."""
    a, b, district, city = street_a_b_district_city.split()
    return Row(f"login login {a} {b} {district} {city} login login login")


HISTORY_FORM = "^([^/]+)/history/([^/]+)/$"  # simple_history's view of one past version

# Admin families: page suffix → outcomes for street A's officer, street B's officer, another
# district's staff and city staff. Area roles hold registry permissions, city staff all but auth.
REGISTRY_OWNED_BY_STREET = {
    "": "ok ok ok ok", "add/": "ok ok 403 ok", "import/": "ok ok 403 ok", "process_import/": "405 405 405 405",
    "export/": "ok ok ok ok", "<path:object_id>/": "redirect redirect redirect redirect",
    "<path:object_id>/change/": "ok 404 404 ok", "<path:object_id>/delete/": "ok 404 404 ok",
    "<path:object_id>/history/": "ok 404 404 ok", HISTORY_FORM: "ok 404 404 ok",
}
# Rows of area-wide facts (the areas themselves, firms): the city keeps them, officers read their own.
REGISTRY_KEPT_BY_CITY = {
    **REGISTRY_OWNED_BY_STREET, "add/": "403 403 403 ok", "import/": "403 403 403 ok",
    "<path:object_id>/delete/": "403 404 404 ok",
}
AREAS = {**REGISTRY_KEPT_BY_CITY, "<path:object_id>/change/": "ok 404 404 ok"}
# The city row is every area's parent: everyone sees it, only city staff change it. It was loaded by a
# migration, so it has no past version to open.
CITY = {**AREAS, "<path:object_id>/change/": "ok ok ok ok", "<path:object_id>/history/": "ok ok ok ok",
        "<path:object_id>/delete/": "403 403 403 ok", HISTORY_FORM: "404 404 404 404"}
FIRM_LISTINGS = {  # no listing in the dataset: object pages are 404 for all
    "": "ok ok ok ok", "add/": "403 403 403 ok", "<path:object_id>/": "redirect redirect redirect redirect",
    "<path:object_id>/change/": "404 404 404 404", "<path:object_id>/delete/": "404 404 404 404",
    "<path:object_id>/history/": "404 404 404 404", HISTORY_FORM: "404 404 404 404",
}
# Monthly data in the admin is read-only for all: writes go through the reporting pages.
MONTHLY_READ_ONLY = {
    "": "ok ok ok ok", "add/": "403 403 403 403", "<path:object_id>/": "redirect redirect redirect redirect",
    "<path:object_id>/change/": "ok 404 404 ok", "<path:object_id>/delete/": "403 404 404 403",
    "<path:object_id>/history/": "ok 404 404 ok", HISTORY_FORM: "ok 404 404 ok",
}
# Excel uploads: the same, without simple_history's past versions (the rows only change status).
UPLOADS_READ_ONLY = {suffix: outcomes for suffix, outcomes in MONTHLY_READ_ONLY.items() if suffix != HISTORY_FORM}
CITY_ONLY = {
    "": "403 403 403 ok", "add/": "403 403 403 ok", "<path:object_id>/": "redirect redirect redirect redirect",
    "<path:object_id>/change/": "403 403 403 ok", "<path:object_id>/delete/": "403 403 403 ok",
    "<path:object_id>/history/": "403 403 403 ok",
}
CITY_ONLY_WITH_HISTORY = {**CITY_ONLY, HISTORY_FORM: "403 403 403 ok"}
# Rows the engine or the services write: city staff read them, nobody adds them by hand.
CITY_READS_ENGINE_WRITES = {**CITY_ONLY, "add/": "403 403 403 403"}
CITY_READS_ONLY = {**CITY_READS_ENGINE_WRITES, "<path:object_id>/delete/": "403 403 403 403"}
# django-axes' records of login attempts (none in the dataset: the admin sends a missing one back to
# its index). City staff read them and unlock an account by deleting its attempts.
LOGIN_RECORDS = {**CITY_READS_ENGINE_WRITES, "<path:object_id>/history/": "redirect redirect redirect redirect",
                 "<path:object_id>/change/": "403 403 403 redirect", "<path:object_id>/delete/": "403 403 403 redirect"}
NOBODY = {key: "403 403 403 403" for key in CITY_ONLY} | {"<path:object_id>/": "redirect redirect redirect redirect"}

ADMIN_MODELS = {
    "auth/group": NOBODY,
    "axes/accessattempt": LOGIN_RECORDS,
    "axes/accessfailurelog": LOGIN_RECORDS,
    "axes/accesslog": LOGIN_RECORDS,
    "accounts/user": {**CITY_ONLY, "<id>/password/": "403 403 403 ok"},
    "accounts/apitoken": CITY_ONLY,
    "districts/city": CITY,
    "districts/district": AREAS,
    "districts/street": AREAS,
    "communities/community": REGISTRY_OWNED_BY_STREET,
    "communities/compound": REGISTRY_OWNED_BY_STREET,
    "communities/propertyfirm": {**REGISTRY_KEPT_BY_CITY, HISTORY_FORM: "ok 404 404 ok"},
    "communities/servicecontract": REGISTRY_OWNED_BY_STREET,
    "communities/firmlisting": FIRM_LISTINGS,
    "committees/ownerscommittee": REGISTRY_OWNED_BY_STREET,
    "committees/committeemember": REGISTRY_OWNED_BY_STREET,
    "committees/partyorganisation": REGISTRY_OWNED_BY_STREET,
    "reporting/monthlyreport": MONTHLY_READ_ONLY,
    "reporting/monthlyrecord": MONTHLY_READ_ONLY,
    "reporting/monthlyupload": UPLOADS_READ_ONLY,
    "metrics/indicator": CITY_READS_ONLY,
    "metrics/target": CITY_ONLY,
    "metrics/indicatorvalue": CITY_READS_ENGINE_WRITES,
    "metrics/stalestreetmonth": CITY_READS_ENGINE_WRITES,
    "metrics/recomputejob": CITY_ONLY,
    "selection/selectionround": CITY_ONLY_WITH_HISTORY,
    "selection/nomination": CITY_ONLY_WITH_HISTORY,
    "selection/judgeassignment": CITY_ONLY_WITH_HISTORY,
    "selection/candidateresult": CITY_READS_ENGINE_WRITES,
    "selection/vote": CITY_READS_ONLY,
    "selection/roundauditentry": CITY_READS_ONLY,
}

EXPECTED: dict[str, Row] = {
    f"admin/{model}/{suffix}": admin(outcomes)
    for model, pages in ADMIN_MODELS.items() for suffix, outcomes in pages.items()
}

EXPECTED |= {
    # Visitors (and callers without a session) get the public home; signed-in users their landing page.
    "": Row("ok ok redirect redirect redirect redirect redirect ok ok"),
    "healthz": everyone(OK),
    "readyz": everyone(OK),
    "accounts/login/": Row("ok ok redirect redirect redirect redirect redirect ok ok"),
    "accounts/logout/": everyone("405"),
    "admin/": admin("ok ok ok ok"),
    "admin/login/": Row("ok ok redirect redirect redirect redirect ok ok ok"),
    "admin/logout/": Row("redirect redirect 405 405 405 405 redirect redirect redirect"),
    "admin/password_change/": admin("ok ok ok ok"),
    "admin/password_change/done/": admin("ok ok ok ok"),
    "admin/autocomplete/": admin("403 403 403 403"),
    "admin/jsi18n/": admin("ok ok ok ok"),
    "admin/r/<path:content_type_id>/<path:object_id>/": admin("404 404 404 404"),
    "admin/^(?P<app_label>auth|accounts|districts|communities|committees|reporting|metrics|selection|axes)/$":
        admin("ok ok ok ok"),
    "admin/(?P<url>.*)$": admin("404 404 404 404"),
}

# The REST API: every resource of street A, its list and its CSV/JSON format variants.
STREET_A_RESOURCES = {"districts": "code", "streets": "code", "communities": "code", "compounds": "code",
                      "firms": "credit_code", "contracts": "pk", "committees": "pk", "party-organisations": "code",
                      "monthly-reports": "pk", "monthly-records": "pk", "indicator-values": "pk"}
for resource, key in STREET_A_RESOURCES.items():
    EXPECTED |= {
        f"api/v1/^{resource}/$": api("ok ok ok ok ok ok ok"),
        f"api/v1/^{resource}\\.(?P<format>[a-z0-9]+)/?$": api("ok ok ok ok ok ok ok"),
        f"api/v1/^{resource}/(?P<{key}>[^/.]+)/$": api("ok 404 404 ok 404 ok ok"),
        f"api/v1/^{resource}/(?P<{key}>[^/.]+)\\.(?P<format>[a-z0-9]+)/?$": api("ok 404 404 ok 404 ok ok"),
    }
# Report transitions through the API: an empty POST reaches the service, which refuses or needs a reason.
# The draft report of street A: its officer may submit, the city reaches every service (which then
# refuses the wrong state with 409, or a missing reason with 400); a read-only token may not write,
# and a system's write token moves no report (403 once the body is valid).
for action, outcomes in (("submit", "ok 404 404 ok 404 403 403"), ("approve", "403 404 404 409 404 403 403"),
                         ("lock", "403 404 404 409 404 403 403"), ("reopen", "400 404 404 400 404 403 400"),
                         ("return", "400 404 404 400 404 403 400")):
    EXPECTED |= {
        f"api/v1/^monthly-reports/(?P<pk>[^/.]+)/{action}/$": api(outcomes, "post"),
        f"api/v1/^monthly-reports/(?P<pk>[^/.]+)/{action}\\.(?P<format>[a-z0-9]+)/?$": api(outcomes, "post"),
    }
# City-wide reference data: indicator definitions and targets are visible to every signed-in caller.
for resource, key in (("indicators", "code"), ("targets", "pk")):
    EXPECTED |= {
        f"api/v1/^{resource}/$": api("ok ok ok ok ok ok ok"),
        f"api/v1/^{resource}\\.(?P<format>[a-z0-9]+)/?$": api("ok ok ok ok ok ok ok"),
        f"api/v1/^{resource}/(?P<{key}>[^/.]+)/$": api("ok ok ok ok ok ok ok"),
        f"api/v1/^{resource}/(?P<{key}>[^/.]+)\\.(?P<format>[a-z0-9]+)/?$": api("ok ok ok ok ok ok ok"),
    }
EXPECTED |= {
    # Published selection results are public; the dataset's round is still open, so not listed.
    "api/v1/^selection-rounds/$": everyone(OK),
    "api/v1/^selection-rounds\\.(?P<format>[a-z0-9]+)/?$": everyone(OK),
    "api/v1/^selection-rounds/(?P<pk>[^/.]+)/$": everyone("404"),
    "api/v1/^selection-rounds/(?P<pk>[^/.]+)\\.(?P<format>[a-z0-9]+)/?$": everyone("404"),
    "api/v1/": api("ok ok ok ok ok ok ok"),
    "api/v1/<drf_format_suffix:format>": api("ok ok ok ok ok ok ok"),
    "api/schema/": everyone(OK),
    "api/docs/": everyone(OK),
    "api/redoc/": everyone(OK),
    "api/^.*/$": everyone("404"),
}

# Portal pages (street A officer, street B officer, other district, city, judge).
EXPECTED |= {
    "dashboard/": signed_in("redirect redirect redirect ok 404"),
    "dashboard/district/<str:code>/": signed_in("404 404 404 ok 404"),
    "dashboard/street/<str:code>/": signed_in("ok 404 404 ok 404"),
    "dashboard/community/<str:code>/": signed_in("ok 404 404 ok 404"),
    "dashboard/compound/<str:code>/": signed_in("ok 404 404 ok 404"),
    "dashboard/laggards/": signed_in("ok ok ok ok 404"),
    # The monthly bulletin: city and district staff read it, city staff generate it.
    "analysis/bulletin/": signed_in("404 404 ok ok 404"),
    "analysis/bulletin/generate/": signed_in("404 404 403 redirect 404", "post"),
    "analysis/bulletin/<int:pk>.<slug:kind>": signed_in("404 404 404 404 404"),
    "indicators/definitions/": signed_in("ok ok ok ok ok"),
    "reports/": signed_in("redirect redirect redirect redirect redirect"),
    "reports/review/": signed_in("403 403 ok ok 403"),
    "reports/review/approve/": signed_in("403 403 redirect redirect 403", "post"),
    "reports/<str:street_code>/<period:period>/": signed_in("ok 404 404 ok 404"),
    "reports/<str:street_code>/<period:period>/grid/": signed_in("ok 404 404 ok 404"),
    "reports/<str:street_code>/<period:period>/submit/check/": signed_in("ok 404 404 ok 404"),
    "reports/<str:street_code>/<period:period>/history/": signed_in("ok 404 404 ok 404"),
    "reports/<str:street_code>/<period:period>/template.xlsx": signed_in("ok 404 404 ok 404"),
    "reports/<str:street_code>/<period:period>/upload/": signed_in("ok 404 404 ok 404"),
    "reports/<str:street_code>/<period:period>/upload/confirm/": signed_in("redirect 404 404 redirect 404", "post"),
    "reports/<str:street_code>/<period:period>/upload/<int:upload_id>/": signed_in("ok 404 404 ok 404"),
    "reports/<str:street_code>/<period:period>/<slug:action>/": signed_in("redirect 404 404 redirect 404", "post"),
}

# The selection: public pages for all (their POSTs answer with a redirect back and a message), management for city (and district) staff, scoring for judges.
EXPECTED |= {
    "selection/": everyone(OK),
    "selection/<int:pk>/": everyone(OK),
    "selection/<int:pk>/code/": everyone(REDIRECT, "post"),
    "selection/<int:pk>/verify/": everyone(REDIRECT, "post"),
    "selection/<int:pk>/vote/<int:nomination_pk>/": everyone(REDIRECT, "post"),
    "selection/<int:pk>/results/": everyone("404"),
    # Material of a candidate in an open round is public by design (selection.views.material_download).
    "selection/materials/<int:pk>/": everyone(OK),
    "selection/manage/": signed_in("403 403 ok ok 403"),
    "selection/manage/new/": signed_in("403 403 403 ok 403"),
    "selection/manage/<int:pk>/": signed_in("403 403 redirect ok 403"),
    "selection/manage/<int:pk>/nominate/": signed_in("403 403 ok ok 403"),
    "selection/manage/nominations/<int:pk>/material/": signed_in("403 403 404 redirect 403", "post"),
    "selection/judge/": signed_in("403 403 403 403 ok"),
    "selection/judge/assignments/<int:pk>/": signed_in("403 403 403 403 ok"),
}
for action in ("stage", "criteria", "open", "score", "publish", "reopen", "assign", "void"):
    EXPECTED[f"selection/manage/<int:pk>/{action}/"] = signed_in("403 403 403 redirect 403", "post")

# Passwords: changing one needs a session; asking for a reset and following its link are for anyone
# (the link's token here is a made-up one: the page says it is invalid).
EXPECTED |= {
    "accounts/password/change/": signed_in("ok ok ok ok ok"),
    "accounts/password/change/done/": signed_in("ok ok ok ok ok"),
    "accounts/password/reset/": everyone(OK),
    "accounts/password/reset/sent/": everyone(OK),
    "accounts/password/reset/<uidb64>/<token>/": everyone(OK),
    "accounts/password/reset/complete/": everyone(OK),
}

# Notices: each user reaches their own inbox and settings; the notice in the URL is street A's officer's.
EXPECTED |= {
    "notifications/": signed_in("ok ok ok ok ok"),
    "notifications/<int:pk>/read/": signed_in("redirect 404 404 404 404", "post"),
    "notifications/read-all/": signed_in("redirect redirect redirect redirect redirect", "post"),
    "notifications/settings/": signed_in("ok ok ok ok ok"),
}
