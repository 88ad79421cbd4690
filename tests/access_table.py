"""Expected access per route × method × role, checked for every URL pattern by tests/test_route_access.py.

Columns (ROLES), in order:
    anonymous    no session, no token
    voter        a member of the public with a verified voting session (no user)
    officer_a    street A's officer: URL arguments are street A's objects
    colleague_a  another officer of street A (the notice in the URL is officer_a's, not theirs)
    officer_b    the officer of street B, in the same district as street A
    district_a   staff of street A's district
    district_b   staff of another district
    city         city staff
    judge        a judge of the open selection round
    token_read   an API client's read-only token, no area
    token_write  an API client's write token, no area
    token_street a write token limited to street A
    token_district a write token limited to street A's district
    superuser    a system administrator (is_superuser): probed on the admin's routes only, the admin's
                 one kind of user (common.admin_site); everyone else meets the admin login there

Outcomes: ok (2xx), login (redirect to a login page), redirect (any other redirect), or the status
code; a trailing "+" means the data changed (a fingerprint of every table written to differs).

Each route maps each method it accepts to a row: "GET", "POST", "PUT", "PATCH", "DELETE", and for an
admin change list "POST <action>" per admin action. The helpers fill the columns a kind of page
decides the same way for everyone:
    portal(...)  officer_a colleague_a officer_b district_a district_b city judge; others meet the login
    admin(...)   the superuser; every other role, staff flag and permissions or not, meets the admin login
    api(...)     every column but anonymous and voter, who get 401
"""
from __future__ import annotations

from django.contrib.admin import site

ROLES = ("anonymous", "voter", "officer_a", "colleague_a", "officer_b", "district_a", "district_b", "city",
         "judge", "token_read", "token_write", "token_street", "token_district")
PORTAL_ROLES = ROLES[2:9]
API_ROLES = ROLES[2:]
SUPERUSER = "superuser"
ADMIN_PROBED_ROLES = (*ROLES, SUPERUSER)


def roles_for(route: str) -> tuple[str, ...]:
    """The roles a route is sent by: the admin's routes also by the superuser."""
    return ADMIN_PROBED_ROLES if route.startswith("admin/") else ROLES

OK, LOGIN, REDIRECT = "ok", "login", "redirect"
LOGIN_PATHS = ("/accounts/login/", "/admin/login/")


def outcome_of(response) -> str:
    if 200 <= response.status_code < 300:
        return OK
    if response.status_code in (301, 302, 303, 307, 308):
        return LOGIN if response["Location"].split("?")[0] in LOGIN_PATHS else REDIRECT
    return str(response.status_code)


class Row(dict):
    def __init__(self, outcomes: str):
        values = outcomes.split()
        assert len(values) in (len(ROLES), len(ADMIN_PROBED_ROLES)), outcomes
        super().__init__(zip(ADMIN_PROBED_ROLES, values))


def _fill(columns: tuple[str, ...], outcomes: str, others: str) -> Row:
    given = dict(zip(columns, outcomes.split(), strict=True))
    return Row(" ".join(given.get(role, others) for role in ROLES))


def everyone(outcome: str) -> Row:
    return Row(" ".join([outcome] * len(ROLES)))


def portal(outcomes: str) -> Row:
    """A portal page: without a session (anonymous, voter, API tokens) it sends to the login page."""
    return _fill(PORTAL_ROLES, outcomes, LOGIN)


def admin(outcome: str) -> Row:
    """An admin page: only the superuser gets in; every other role meets the admin login."""
    return Row(" ".join([LOGIN] * len(ROLES) + [outcome]))


def api(outcomes: str) -> Row:
    """An API route: no credentials is 401; a session or a token is held to its user's area."""
    return _fill(API_ROLES, outcomes, "401")


def suggested_rows(route: str, observed: dict[str, dict[str, str]]) -> str:
    """The observed outcomes written as table rows, for comparing with (never for pasting unread)."""
    lines = []
    for variant, outcomes in observed.items():
        values = list(outcomes.values())
        for helper, columns, others in (("admin", (SUPERUSER,), LOGIN), ("portal", PORTAL_ROLES, LOGIN),
                                        ("api", API_ROLES, "401")):
            if (SUPERUSER in outcomes) == (helper == "admin") and all(
                    outcome == others for role, outcome in outcomes.items() if role not in columns):
                call = f'{helper}("{" ".join(outcomes[role] for role in columns)}")'
                break
        else:
            call = f'everyone("{values[0]}")' if len(set(values)) == 1 else f'Row("{" ".join(values)}")'
        lines.append(f'    "{variant}": {call},')
    return f'"{route}": {{\n' + "\n".join(lines) + "\n},"


def get_post(get: str, post: str | None = None) -> dict[str, str]:
    """A page's GET and POST outcomes (an admin page's: the superuser's)."""
    return {"GET": get, "POST": get if post is None else post}


ANY = ("GET", "POST", "PUT", "PATCH", "DELETE")
HISTORY_FORM = "^([^/]+)/history/([^/]+)/$"  # simple_history's view of one past version (its revert form)
SAVES = "redirect+"

# Admin families: page → method → the superuser's outcome. Nobody else gets into the admin: every
# role's work is in the portal's pages (tests/test_route_access.py probes each role on every row).
ADMIN_BASE = {"<path:object_id>/": {method: REDIRECT for method in ANY}}  # the link to the change page
KEPT_IN_THE_ADMIN = {
    **ADMIN_BASE,
    "": {"GET": OK, "POST": OK, "POST delete_selected": SAVES},
    "add/": get_post(OK, SAVES),
    "<path:object_id>/change/": get_post(OK, SAVES),
    "<path:object_id>/delete/": get_post(OK, SAVES),
    "<path:object_id>/history/": get_post(OK),
}
# Registry rows (committees, party organisations, contracts), with history, import and export.
REGISTRY = {
    **KEPT_IN_THE_ADMIN,
    "import/": get_post(OK),
    "process_import/": {"POST": SAVES},
    "export/": get_post(OK),
    HISTORY_FORM: get_post(OK, SAVES),
}
# Members: their names and numbers are masked in the admin, so members are neither added nor imported
# there (they join through the committee's page or the street's election file).
COMMITTEE_MEMBERS = {**REGISTRY, "add/": get_post("403"), "import/": get_post("403"),
                     "process_import/": {"POST": "403"}}
# Rows other rows protect from deletion (street A's compounds have monthly records; areas have
# streets and users): the deletion page says so.
REGISTRY_PROTECTED = {
    **REGISTRY,
    "": {**REGISTRY[""], "POST delete_selected": OK},
    "<path:object_id>/delete/": get_post(OK),
}
# The city row is every area's parent. It was loaded by a migration, so it has no past version to open.
CITY = {**REGISTRY_PROTECTED, HISTORY_FORM: get_post("404")}
FIRM_LISTINGS = {  # no listing in the dataset: object pages are 404
    **ADMIN_BASE,
    "": {"GET": OK, "POST": OK, "POST delete_selected": REDIRECT},
    "add/": get_post(OK),
    **{page: get_post("404") for page in (
        "<path:object_id>/change/", "<path:object_id>/delete/", "<path:object_id>/history/", HISTORY_FORM)},
}
# Monthly data in the admin is read-only, for the superuser too: writes go through the reporting
# pages and the API, whose services keep the workflow and the history.
MONTHLY_READ_ONLY = {
    **ADMIN_BASE,
    "": {"GET": OK, "POST": OK, "POST delete_selected": OK},
    "add/": get_post("403"),
    "<path:object_id>/change/": get_post(OK, "403"),
    "<path:object_id>/delete/": get_post("403"),
    "<path:object_id>/history/": get_post(OK),
    HISTORY_FORM: get_post(OK, "403"),
}
# The admin's approve and lock actions call the services: on street A's draft nobody moves it.
MONTHLY_REPORTS = {**MONTHLY_READ_ONLY, "": {"GET": OK, "POST": OK, "POST delete_selected": REDIRECT,
                                             "POST approve": REDIRECT, "POST lock": REDIRECT}}
# Excel uploads: the same, without simple_history's past versions (the rows only change status).
UPLOADS_READ_ONLY = {page: methods for page, methods in MONTHLY_READ_ONLY.items() if page != HISTORY_FORM}

API_TOKENS = {**KEPT_IN_THE_ADMIN, "": {**KEPT_IN_THE_ADMIN[""], "POST revoke": SAVES}}
USERS = {
    **KEPT_IN_THE_ADMIN,
    "": {**KEPT_IN_THE_ADMIN[""], "POST delete_selected": OK},  # the user owns reports: protected
    "<path:object_id>/delete/": get_post(OK),
    "<id>/password/": get_post(OK, SAVES),
}
RECOMPUTE_JOBS = {**KEPT_IN_THE_ADMIN, "add/": get_post(OK)}  # a job needs its street-months
# Rounds and nominations: a round with nominations and a nomination with scores are protected from
# deletion.
SELECTION = {
    **KEPT_IN_THE_ADMIN,
    "": {**KEPT_IN_THE_ADMIN[""], "POST delete_selected": "403"},
    "<path:object_id>/delete/": get_post(OK, "403"),
    HISTORY_FORM: get_post(OK, SAVES),
}
JUDGE_ASSIGNMENTS = {**KEPT_IN_THE_ADMIN, HISTORY_FORM: get_post(OK, SAVES)}
# Rows the engine or the services write: read and deleted in the admin, never added or edited.
ENGINE_WRITES = {**KEPT_IN_THE_ADMIN, "add/": get_post("403"), "<path:object_id>/change/": get_post(OK, "403")}
# Definitions loaded with the portal: edited, never added or deleted.
INDICATORS = {**ENGINE_WRITES, "": {**KEPT_IN_THE_ADMIN[""], "POST delete_selected": OK},
              "<path:object_id>/change/": get_post(OK, SAVES),
              "<path:object_id>/delete/": get_post("403")}
# Audit rows (votes, the round's audit trail): read-only, deleted by nobody.
AUDIT = {**ENGINE_WRITES, "": {**KEPT_IN_THE_ADMIN[""], "POST delete_selected": OK},
         "<path:object_id>/delete/": get_post("403")}
# django-axes' records of login attempts (none in the dataset: the admin sends a missing one back to
# its index). The system administrator unlocks an account by deleting its attempts.
LOGIN_RECORDS = {
    **ADMIN_BASE,
    "": {"GET": OK, "POST": OK, "POST delete_selected": REDIRECT},
    "add/": get_post("403"),
    "<path:object_id>/change/": get_post(REDIRECT),
    "<path:object_id>/delete/": get_post(REDIRECT),
    "<path:object_id>/history/": get_post(REDIRECT),
}
LOGIN_ATTEMPTS = {**LOGIN_RECORDS, "": {**LOGIN_RECORDS[""], "POST cleanup_expired_attempts": REDIRECT}}

ADMIN_MODELS = {
    "auth/group": KEPT_IN_THE_ADMIN,
    "axes/accessattempt": LOGIN_ATTEMPTS,
    "axes/accessfailurelog": LOGIN_RECORDS,
    "axes/accesslog": LOGIN_RECORDS,
    "accounts/user": USERS,
    "accounts/apitoken": API_TOKENS,
    "districts/city": CITY,
    "districts/district": REGISTRY_PROTECTED,
    "districts/street": REGISTRY_PROTECTED,
    "communities/community": REGISTRY_PROTECTED,
    "communities/compound": REGISTRY_PROTECTED,
    "communities/propertyfirm": REGISTRY_PROTECTED,
    "communities/servicecontract": REGISTRY,
    "communities/firmlisting": FIRM_LISTINGS,
    "committees/ownerscommittee": REGISTRY,
    "committees/committeemember": COMMITTEE_MEMBERS,
    "committees/partyorganisation": REGISTRY,
    "reporting/monthlyreport": MONTHLY_REPORTS,
    "reporting/monthlyrecord": MONTHLY_READ_ONLY,
    "reporting/monthlyupload": UPLOADS_READ_ONLY,
    "metrics/indicator": INDICATORS,
    "metrics/target": KEPT_IN_THE_ADMIN,
    "metrics/indicatorvalue": ENGINE_WRITES,
    "metrics/stalestreetmonth": ENGINE_WRITES,
    "metrics/recomputejob": RECOMPUTE_JOBS,
    "selection/selectionround": SELECTION,
    "selection/nomination": SELECTION,
    "selection/judgeassignment": JUDGE_ASSIGNMENTS,
    "selection/candidateresult": ENGINE_WRITES,
    "selection/vote": AUDIT,
    "selection/roundauditentry": AUDIT,
}

EXPECTED: dict[str, dict[str, Row]] = {
    f"admin/{model}/{page}": {method: admin(outcomes) for method, outcomes in methods.items()}
    for model, pages in ADMIN_MODELS.items() for page, methods in pages.items()
}

SIGNED_IN_HOME = Row("ok ok redirect redirect redirect redirect redirect redirect redirect ok ok ok ok")
EXPECTED |= {
    # Visitors (and callers without a session) get the public home; signed-in users their landing page.
    "": {"GET": SIGNED_IN_HOME, "POST": SIGNED_IN_HOME},
    "healthz": {"GET": everyone(OK)},
    "readyz": {"GET": everyone(OK)},
    "accounts/login/": {method: SIGNED_IN_HOME for method in ("GET", "POST", "PUT")},
    # Signing out is written to the access log (django-axes).
    "accounts/logout/": {"POST": portal("login+ login+ login+ login+ login+ login+ login+")},
    "admin/": get_post(admin(OK)),
    # The login form is shown to whoever may not use the admin, signed in or not; the superuser is sent on.
    "admin/login/": {"GET": Row(" ".join([OK] * len(ROLES) + [REDIRECT])),
                     "POST": Row(" ".join([OK] * len(ADMIN_PROBED_ROLES))),
                     "PUT": Row(" ".join([OK] * len(ADMIN_PROBED_ROLES)))},
    # Signing out of the admin is the superuser's; anyone else is sent to the admin's index, signed in still.
    "admin/logout/": {"POST": Row(" ".join([REDIRECT] * len(ROLES) + ["login+"]))},
    "admin/password_change/": {method: admin(OK) for method in ("GET", "POST", "PUT")},
    "admin/password_change/done/": {"GET": admin(OK)},
    "admin/autocomplete/": {"GET": admin("403")},
    "admin/jsi18n/": {"GET": admin(OK)},
    "admin/r/<path:content_type_id>/<path:object_id>/": get_post(admin("404")),
    # An app's index: the route names every app with a model in the admin, in the order they registered.
    "admin/^(?P<app_label>" + "|".join(dict.fromkeys(model._meta.app_label for model in site._registry)) + ")/$":
        get_post(admin(OK)),
    "admin/(?P<url>.*)$": get_post(admin("404")),
}

# The REST API (columns: officer_a colleague_a officer_b district_a district_b city judge token_read
# token_write token_street token_district). Street A's resources, their lists and format variants.
LIST = api("ok ok ok ok ok ok ok ok ok ok ok")
STREET_A_ROW = api("ok ok 404 ok 404 ok 404 ok ok ok ok")
DISTRICT_A_ROW = api("ok ok ok ok 404 ok 404 ok ok ok ok")
STREET_A_RESOURCES = {"districts": ("code", DISTRICT_A_ROW), "streets": ("code", STREET_A_ROW),
                      "communities": ("code", STREET_A_ROW), "compounds": ("code", STREET_A_ROW),
                      "firms": ("credit_code", DISTRICT_A_ROW), "contracts": ("pk", STREET_A_ROW),
                      "committees": ("pk", STREET_A_ROW), "party-organisations": ("code", STREET_A_ROW),
                      "monthly-reports": ("pk", STREET_A_ROW), "monthly-records": ("pk", STREET_A_ROW),
                      "indicator-values": ("pk", STREET_A_ROW),
                      # City-wide reference data: every signed-in caller reads it.
                      "indicators": ("code", LIST), "targets": ("pk", LIST)}


def _with_format_suffix(route: str, methods: dict) -> dict:
    suffixed = route[:-2] + "\\.(?P<format>[a-z0-9]+)/?$" if route.endswith("/$") else route
    return {route: methods, suffixed: methods}


for resource, (key, one) in STREET_A_RESOURCES.items():
    EXPECTED |= _with_format_suffix(f"api/v1/^{resource}/$", {"GET": LIST})
    EXPECTED |= _with_format_suffix(f"api/v1/^{resource}/(?P<{key}>[^/.]+)/$", {"GET": one})
# Monthly data: the officers of street A, city staff and the tokens limited to street A or its
# district write it; a token with no area writes nothing, a read-only token nothing at all. A street
# that the caller cannot see is an unknown code (400), as is a report the caller cannot see (404).
MONTHLY_CREATE = api("ok+ ok+ 400 403 400 ok+ 400 403 403 ok+ ok+")
MONTHLY_WRITE = api("ok+ ok+ 404 403 404 ok+ 404 403 403 ok+ ok+")
EXPECTED |= _with_format_suffix("api/v1/^monthly-records/$", {"GET": LIST, "POST": MONTHLY_CREATE})
EXPECTED |= _with_format_suffix("api/v1/^monthly-reports/$", {"GET": LIST, "POST": MONTHLY_CREATE})
EXPECTED |= _with_format_suffix("api/v1/^monthly-records/(?P<pk>[^/.]+)/$", {"GET": STREET_A_ROW, "PATCH": MONTHLY_WRITE})
EXPECTED |= _with_format_suffix("api/v1/^monthly-reports/(?P<pk>[^/.]+)/$", {"GET": STREET_A_ROW, "PATCH": MONTHLY_WRITE})
# Report transitions, each from the state it starts in: street A's officers submit; district A's staff
# (and city staff, who may override) approve and return; only city staff lock and reopen. No token
# moves a report, whatever its area.
for action, outcomes in (("submit", "ok+ ok+ 404 403 404 ok+ 404 403 403 403 403"),
                         ("approve", "403 403 404 ok+ 404 ok+ 404 403 403 403 403"),
                         ("return", "403 403 404 ok+ 404 ok+ 404 403 403 403 403"),
                         ("lock", "403 403 404 403 404 ok+ 404 403 403 403 403"),
                         ("reopen", "403 403 404 403 404 ok+ 404 403 403 403 403")):
    EXPECTED |= _with_format_suffix(f"api/v1/^monthly-reports/(?P<pk>[^/.]+)/{action}/$", {"POST": api(outcomes)})
# A run of months, by default the callers' streets over the latest month with figures, is a list
# every caller reads; what each caller's run holds is tested in metrics/tests/test_api_runs.py.
EXPECTED |= _with_format_suffix("api/v1/^indicator-values/runs/$", {"GET": LIST})
EXPECTED |= {
    # Published selection results are public; the dataset's round is still open, so not listed.
    **_with_format_suffix("api/v1/^selection-rounds/$", {"GET": everyone(OK)}),
    **_with_format_suffix("api/v1/^selection-rounds/(?P<pk>[^/.]+)/$", {"GET": everyone("404")}),
    "api/v1/": {"GET": LIST},
    "api/v1/<drf_format_suffix:format>": {"GET": LIST},
    "api/schema/": {"GET": everyone(OK)},
    "api/docs/": {"GET": everyone(OK)},
    "api/redoc/": {"GET": everyone(OK)},
    "api/^.*/$": get_post(everyone("404")),
}

# Portal pages (columns: officer_a colleague_a officer_b district_a district_b city judge).
STREET_A_PAGE = portal("ok ok 404 ok 404 ok 404")
STREET_A_DATA_ENTRY = portal("ok ok 404 403 404 ok 404")
EXPECTED |= {
    "dashboard/": get_post(portal("redirect redirect redirect redirect redirect ok 404")),
    "dashboard/district/<str:code>/": get_post(portal("404 404 404 ok 404 ok 404")),
    "dashboard/street/<str:code>/": get_post(STREET_A_PAGE),
    "dashboard/community/<str:code>/": get_post(STREET_A_PAGE),
    "dashboard/compound/<str:code>/": get_post(STREET_A_PAGE),
    "dashboard/laggards/": get_post(portal("ok ok ok ok ok ok 404")),
    "indicators/definitions/": {"GET": portal("ok ok ok ok ok ok ok")},
    "reports/": get_post(portal("redirect redirect redirect redirect redirect redirect redirect")),
    "reports/review/": get_post(portal("403 403 403 ok ok ok 403")),
    # Approving the queue's unflagged reports together (none submitted here): reviewers only.
    "reports/review/approve/": {"POST": portal("403 403 403 redirect redirect redirect 403")},
    "reports/<str:street_code>/<period:period>/submit/check/": get_post(STREET_A_DATA_ENTRY),
    "reports/<str:street_code>/<period:period>/": get_post(STREET_A_PAGE),
    "reports/<str:street_code>/<period:period>/grid/": get_post(STREET_A_DATA_ENTRY,
                                                                portal("redirect+ redirect+ 404 403 404 redirect+ 404")),
    "reports/<str:street_code>/<period:period>/history/": get_post(STREET_A_PAGE),
    "reports/<str:street_code>/<period:period>/template.xlsx": get_post(STREET_A_PAGE),
    # A preview keeps the file for its confirmation (a pending upload), which only its uploader gives.
    "reports/<str:street_code>/<period:period>/upload/": get_post(STREET_A_DATA_ENTRY,
                                                                  portal("ok+ ok+ 404 403 404 ok+ 404")),
    "reports/<str:street_code>/<period:period>/upload/confirm/": {
        "POST": portal("redirect+ redirect 404 redirect 404 redirect 404")},
    "reports/<str:street_code>/<period:period>/upload/<int:upload_id>/": get_post(STREET_A_DATA_ENTRY),
    "reports/<str:street_code>/<period:period>/<slug:action>/": {
        "POST": portal("redirect+ redirect+ 404 403 404 redirect+ 404")},
}

# The monthly bulletin: read by city and district staff, generated by city staff only.
EXPECTED |= {
    "analysis/bulletin/": get_post(portal("404 404 404 ok ok ok 404")),
    "analysis/bulletin/generate/": {"POST": portal("404 404 404 403 403 redirect 404")},  # no month: nothing queued
    "analysis/bulletin/<int:pk>.<slug:kind>": get_post(portal("404 404 404 404 404 404 404")),
}

# Pivot tables: every staff user with an area builds them over it (a judge has none: 404) and saves
# them; a saved view's link (officer A's, over street A) opens for all of them, each over their own
# scope; only its owner changes or deletes it.
EXPECTED |= {
    "analysis/pivot/": {"GET": portal("ok ok ok ok ok ok 404")},
    "analysis/pivot/saved/": {"POST": portal("redirect+ redirect+ redirect+ redirect+ redirect+ redirect+ 404")},
    "analysis/pivot/saved/<int:pk>/": get_post(portal("ok ok ok ok ok ok 404"),
                                               portal("redirect+ 403 403 403 403 403 404")),
    "analysis/pivot/saved/<int:pk>/delete/": {"POST": portal("redirect+ 403 403 403 403 403 404")},
}

# The selection: public pages for all (their POSTs answer with a redirect back and a message),
# management for city (and district) staff, scoring for judges.
CITY_AND_DISTRICTS = portal("403 403 403 ok ok ok 403")
EXPECTED |= {
    "selection/": get_post(everyone(OK)),
    "selection/<int:pk>/": get_post(everyone(OK)),
    "selection/<int:pk>/code/": {"POST": everyone(REDIRECT)},
    "selection/<int:pk>/verify/": {"POST": everyone(REDIRECT)},
    "selection/<int:pk>/vote/<int:nomination_pk>/": {"POST": everyone(REDIRECT)},
    "selection/<int:pk>/results/": get_post(everyone("404")),
    # Material of a candidate in an open round is public by design (selection.views.material_download).
    "selection/materials/<int:pk>/": get_post(everyone(OK)),
    "selection/manage/": get_post(CITY_AND_DISTRICTS),
    "selection/manage/new/": get_post(portal("403 403 403 403 403 ok 403")),
    "selection/manage/<int:pk>/": get_post(portal("403 403 403 redirect redirect ok 403")),
    # Nominating street B (district A's): district B's staff cannot pick it.
    "selection/manage/<int:pk>/nominate/": get_post(CITY_AND_DISTRICTS, portal("403 403 403 redirect+ ok redirect+ 403")),
    "selection/manage/nominations/<int:pk>/material/": {"POST": portal("403 403 403 redirect+ 404 redirect+ 403")},
    "selection/judge/": get_post(portal("403 403 403 403 403 403 ok")),
    "selection/judge/assignments/<int:pk>/": get_post(portal("403 403 403 403 403 403 ok"),
                                                      portal("403 403 403 403 403 403 redirect+")),
}
for action in ("stage", "criteria", "open", "score", "publish", "reopen", "assign", "void"):
    EXPECTED[f"selection/manage/<int:pk>/{action}/"] = {"POST": portal("403 403 403 403 403 redirect 403")}

# The area tree: only city staff see which streets the functional zones administer and move one
# (street A into 泉州台商投资区 from today); everyone else is refused both.
EXPECTED |= {
    "areas/zones/": get_post(portal("403 403 403 403 403 ok 403"), portal("403 403 403 403 403 redirect+ 403")),
}

# The campaign's targets: only city staff see the page and add (street A's own target), edit or
# delete one; everyone else is refused the page and every write.
CITY_ONLY, CITY_ONLY_SAVES = portal("403 403 403 403 403 ok 403"), portal("403 403 403 403 403 redirect+ 403")
EXPECTED |= {
    "indicators/targets/": get_post(CITY_ONLY, CITY_ONLY_SAVES),
    "indicators/targets/<int:pk>/": get_post(CITY_ONLY, CITY_ONLY_SAVES),
    "indicators/targets/<int:pk>/delete/": {"POST": CITY_ONLY_SAVES},
}

# Passwords: changing one needs a session; asking for a reset and following its link are for anyone
# (the link's token here is a made-up one: the page says it is invalid).
EXPECTED |= {
    "accounts/password/change/": {method: portal("ok ok ok ok ok ok ok") for method in ("GET", "POST", "PUT")},
    "accounts/password/change/done/": {"GET": portal("ok ok ok ok ok ok ok")},
    "accounts/password/reset/": {method: everyone(OK) for method in ("GET", "POST", "PUT")},
    "accounts/password/reset/sent/": {"GET": everyone(OK)},
    "accounts/password/reset/<uidb64>/<token>/": {method: everyone(OK) for method in ("GET", "POST", "PUT")},
    "accounts/password/reset/complete/": {"GET": everyone(OK)},
}

# Notices: each user reaches their own inbox and settings; the notice in the URL is officer_a's, so
# their colleague in the same street gets 404 like everyone else. Reading all and saving settings
# change only the user's own rows (only officer_a has a notice; city staff and the judge have no
# channels to save).
EXPECTED |= {
    "notifications/": get_post(portal("ok ok ok ok ok ok ok")),
    "notifications/<int:pk>/read/": {"POST": portal("redirect+ 404 404 404 404 404 404")},
    "notifications/read-all/": {"POST": portal("redirect+ redirect redirect redirect redirect redirect redirect")},
    "notifications/settings/": get_post(portal("ok ok ok ok ok ok ok"),
                                        portal("redirect+ redirect+ redirect+ redirect+ redirect+ redirect redirect")),
}


# The registry pages: street A's officers and city staff change it; its district's staff read it
# (their writes 403); another street's officer or district meets 404, a judge 403. Empty POSTs: a
# form shown again with its errors answers 200, a small form posted from a detail page redirects back.
# No red/black listing and no firm coverage exist in the dataset: their end routes are 404.
REGISTRY_PAGE = portal("ok ok 404 ok 404 ok 403")
REGISTRY_FORM = portal("ok ok 404 403 404 ok 403")
REGISTRY_BACK = portal("redirect redirect 404 403 404 redirect 403")
REGISTRY_MISSING = portal("404 404 404 404 404 404 403")
FIRM_KEEPING = portal("403 403 403 ok 404 ok 403")
EXPECTED |= {
    "registry/": {"GET": portal("redirect redirect redirect ok ok ok 403")},
    "registry/street/<str:code>/": {"GET": REGISTRY_PAGE},
    "registry/street/<str:code>/compounds/new/": get_post(REGISTRY_FORM),
    "registry/street/<str:code>/registry.xlsx": {"GET": REGISTRY_PAGE},
    "registry/street/<str:code>/upload/": get_post(REGISTRY_FORM),
    # Nothing previewed in this session: back to the upload page.
    "registry/street/<str:code>/upload/confirm/": {"POST": REGISTRY_BACK},
    "registry/compound/<str:code>/": {"GET": REGISTRY_PAGE},
    "registry/compound/<str:code>/edit/": get_post(REGISTRY_FORM),
    "registry/compound/<str:code>/change/<slug:kind>/": {"POST": REGISTRY_FORM},
    "registry/compound/<str:code>/close/": {"POST": REGISTRY_FORM},
    "registry/compound/<str:code>/safety/": {"POST": REGISTRY_FORM},
    "registry/compound/<str:code>/contracts/new/": {"POST": REGISTRY_FORM},
    "registry/contract/<int:contract_id>/end/": {"POST": REGISTRY_BACK},
    "registry/firms/": {"GET": portal("ok ok ok ok ok ok 403")},
    "registry/firms/new/": get_post(portal("403 403 403 ok ok ok 403")),
    "registry/firm/<str:credit_code>/": {"GET": portal("ok ok ok ok 404 ok 403")},
    "registry/firm/<str:credit_code>/edit/": {"POST": FIRM_KEEPING},
    "registry/firm/<str:credit_code>/facts/": {"POST": FIRM_KEEPING},
    "registry/firm/<str:credit_code>/listings/new/": {"POST": FIRM_KEEPING},
    "registry/listing/<int:listing_id>/end/": {"POST": REGISTRY_MISSING},
    "registry/compound/<str:code>/committees/new/": get_post(REGISTRY_FORM),
    "registry/committee/<int:committee_id>/": {"GET": REGISTRY_PAGE},
    "registry/committee/<int:committee_id>/renew/": get_post(REGISTRY_FORM),
    "registry/committee/<int:committee_id>/renewal/": {"POST": REGISTRY_BACK},
    "registry/committee/<int:committee_id>/dissolve/": {"POST": REGISTRY_BACK},
    "registry/committee/<int:committee_id>/members/new/": {"POST": REGISTRY_FORM},
    "registry/member/<int:member_id>/change/": {"POST": REGISTRY_BACK},
    "registry/member/<int:member_id>/leave/": {"POST": REGISTRY_BACK},
    # A name or number is corrected by whoever sees it: street A's officers, not city staff.
    "registry/member/<int:member_id>/correct/": {"POST": portal("redirect redirect 404 403 404 403 403")},
    "registry/street/<str:code>/party/new/": get_post(REGISTRY_FORM),
    "registry/party/<str:party_code>/": {"GET": REGISTRY_PAGE},
    "registry/party/<str:party_code>/coverage/new/": {"POST": REGISTRY_FORM},
    "registry/coverage/<int:link_id>/end/": {"POST": REGISTRY_BACK},
    "registry/firm-coverage/<int:link_id>/end/": {"POST": REGISTRY_MISSING},
}
