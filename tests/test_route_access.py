"""Every URL pattern × every method it accepts × every role, against the table in tests/access_table.py.

What is checked, one test per route (`test_<route>`):
- the routes come from the URL resolver, so a new route without a row in the table fails;
- the methods come from the view (a DRF viewset's actions, a class-based view's handlers, or the
  `Allow` header a function view sends with its 405; a view that takes any method is sent GET and
  POST). The admin's change list is also sent each of its actions as a POST of its own;
- each method is sent by every role (tests/access_table.ROLES, and on the admin's routes the
  superuser too) with a body that would succeed for someone allowed: an admin form as the superuser
  sees it, the API's and the pages' bodies below;
- the outcome is the status class and whether the data changed: `ok+` is a 2xx that changed rows
  (tests/data_changes.py fingerprints each table written to, before and after).

URL arguments are street A's objects. Street B lies in the same district as A; district B is another
district; the notice in the URL belongs to street A's first officer, not to their colleague.

Every request runs in a savepoint that is rolled back, so a write that succeeds for one role leaves
the dataset as it was for the next; the dataset itself is built once for the class.

Adding a page: add its route to tests/access_table.py with one row per method (the helpers there
name the columns), and if a POST needs a body to succeed, add it to PORTAL_BODIES or API_BODIES
below. Run `scripts/test.sh tests/test_route_access.py -k <route words>`: a failure prints each
role's outcome as a row to compare with; check every cell against what the role may do before
taking it.
"""
from __future__ import annotations

import datetime
import json
import re
import shutil
import tempfile
from io import BytesIO

import tablib
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import CharField, ProtectedError, RestrictedError, Value
from django.db.models.functions import Concat, Substr
from django.test import Client, RequestFactory, TestCase, override_settings
from django.urls import URLResolver, get_resolver, resolve
from django.utils import timezone
from openpyxl import load_workbook

from accounts.models import ApiToken, Role, User
from analysis.models import SavedPivot
from districts.models import District
from committees.models import OwnersCommittee, PartyOrganisationCompound
from metrics.models import Indicator, IndicatorValue, RecomputeJob, StaleStreetMonth, Target
from notifications.models import Notification, NoticeKind
from reporting.models import MonthlyRecord, MonthlyReport, MonthlyUpload, ReportState, UploadStatus
from reporting.services import (
    monthly_records_save,
    monthly_report_approve,
    monthly_report_get_or_create,
    monthly_report_lock,
    monthly_report_submit,
    monthly_upload_preview,
)
from reporting.excel import monthly_template
from reporting.forms import cell_name
from reporting.validation import FIELDS, FLAG, RowInput
from selection import services as selection_services
from selection.models import CandidateResult, RoundAuditEntry, StageKind, Vote
from selection.sms import ConsoleSmsBackend
from tests.access_table import EXPECTED, outcome_of, roles_for, suggested_rows
from tests.admin_forms import change_page_data, form_data
from tests.data_changes import DataChanges
from tests.factories import (
    CommitteeMemberFactory,
    CompoundFactory,
    DistrictFactory,
    PartyOrganisationFactory,
    PropertyFirmFactory,
    ServiceContractFactory,
    StreetFactory,
    UserFactory,
)

PERIOD = datetime.date(2024, 5, 1)
VOTER_PHONE = "13912345678"
ANY_METHOD = ("GET", "POST")  # what a view that takes any method is sent
PROBED = ("PUT", "PATCH", "DELETE", "POST", "GET")


def project_routes() -> dict[str, object]:
    """The full route string of every URL pattern (walking includes) and its view."""
    found = {}

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                found.setdefault(prefix + str(pattern.pattern), pattern.callback)

    walk(get_resolver().url_patterns, "")
    return found


ROUTES = project_routes()


def resolver_route(route: str) -> str:
    """The route as Django's resolver reports it: regex anchors at the start of each part dropped."""
    return re.sub(r"(^|/)\^", r"\1", route)


def declared_methods(view) -> set[str] | None:
    """The methods a DRF viewset or a class-based view handles; None for a function view."""
    if hasattr(view, "actions"):
        return {method.upper() for method in view.actions}
    view_class = getattr(view, "cls", None) or getattr(view, "view_class", None)
    if view_class is None:
        return None
    return {method.upper() for method in view_class.http_method_names
            if method not in ("head", "options") and hasattr(view_class, method)}


def admin_model(route: str):
    """The model whose admin serves `route`, or None."""
    parts = route.split("/")
    if len(parts) < 3 or parts[0] != "admin":
        return None
    for model in admin.site._registry:
        if (model._meta.app_label, model._meta.model_name) == (parts[1], parts[2]):
            return model
    return None


def admin_page(route: str) -> str | None:
    """What follows admin/<app>/<model>/ in an admin route: "" for the change list, "add/", ..."""
    return route.split("/", 3)[3] if admin_model(route) else None


def action_variants(route: str) -> list[str]:
    if admin_page(route) != "":
        return []
    model_admin = admin.site._registry[admin_model(route)]
    return [f"POST {name}" for _function, name, _description in model_admin._get_base_actions()]


def test_every_route_has_an_expected_access_entry():
    missing = [route for route in ROUTES if route not in EXPECTED]
    assert not missing, "routes without an entry in tests/access_table.py:\n" + "\n".join(missing)


def test_the_table_has_no_entry_for_a_route_that_no_longer_exists():
    stale = set(EXPECTED) - set(ROUTES)
    assert not stale, "entries in tests/access_table.py for routes that do not exist:\n" + "\n".join(sorted(stale))


NEW_PASSWORD = "Quanzhou-新密码-2024"
# Admin add forms whose fields are not the change form's, by model.
ADMIN_ADD_BODIES = {
    User: lambda data: {"username": "new_officer", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
                        "usable_password": "true", "role": Role.STREET_OFFICER, "street": data.street_a.pk,
                        "district": data.district_a.pk},
}
# Portal bodies that succeed for a user allowed to write, by route; a callable body is made afresh for
# each request, inside its savepoint (files are read once; an upload to confirm is made then).
PORTAL_BODIES = {
    "reports/<str:street_code>/<period:period>/grid/": lambda data: data._grid_body(),
    # A submission confirms the version its check showed.
    "reports/<str:street_code>/<period:period>/<slug:action>/": lambda data: lambda: {
        "version": MonthlyReport.objects.get(pk=data.report.pk).version},
    "reports/<str:street_code>/<period:period>/upload/": lambda data: lambda: {"file": data._filled_template()},
    "reports/<str:street_code>/<period:period>/upload/confirm/": lambda data: data._pending_upload,
    # Street B (district A's, not yet nominated): district B's staff cannot pick it.
    "selection/manage/<int:pk>/nominate/": lambda data: {"street": data.street_b.pk, "summary": "推荐理由"},
    "selection/manage/nominations/<int:pk>/material/": lambda data: lambda: {"file": SimpleUploadedFile(
        "材料.pdf", b"%PDF-1.4 test", content_type="application/pdf")},
    "selection/judge/assignments/<int:pk>/": lambda data: {"nomination": data.nomination.pk, "value": "88"},
    # A pivot over street A's communities (each viewer's own area for those who cannot see street A).
    "analysis/pivot/saved/": lambda data: {**data.pivot_params, "name": "另存的透视"},
    "analysis/pivot/saved/<int:pk>/": lambda data: {**data.pivot_params, "name": "改名的透视"},
    # Street A's own target, and the city-wide one edited to a new threshold.
    "indicators/targets/": lambda data: data._target_body(),
    "indicators/targets/<int:pk>/": lambda data: data._target_body(threshold="99"),
    "areas/zones/": lambda data: {"street": data.street_a.pk, "on": timezone.localdate().isoformat(),
                                  "zone": District.objects.get(code="350500TZ").pk},
}
# What an import changes in a file of rows without a free text column: column → new value.
IMPORT_CHANGES = {OwnersCommittee: {"筹备开始日期": "2023-01-02"}}
# API bodies that succeed for a caller allowed to write, by (resource, viewset action).
API_BODIES = {
    ("monthly-reports", "create"): lambda data: {"street": data.street_a.code, "period": "2024-05",
                                                 "records": [{"compound": data.compound.code, "petitions": 2}]},
    ("monthly-reports", "partial_update"): lambda data: {"records": [{"compound": data.compound.code, "petitions": 3}]},
    ("monthly-records", "create"): lambda data: {"compound": data.compound.code, "period": "2024-05", "petitions": 2},
    ("monthly-records", "partial_update"): lambda data: {"petitions": 3},
    ("monthly-reports", "return_to_draft"): lambda data: {"reason": "数据需核实"},
    ("monthly-reports", "reopen"): lambda data: {"reason": "数据需更正"},
}
# Where a report transition starts: street A's draft is moved there (through the services) first.
STARTS_FROM = {"approve": ReportState.SUBMITTED, "return_to_draft": ReportState.SUBMITTED,
               "lock": ReportState.APPROVED, "reopen": ReportState.LOCKED}


def api_action(route: str, method: str) -> tuple[str, str] | None:
    """(resource, viewset action) of an API route's method, or None outside the router."""
    actions = getattr(ROUTES[route], "actions", None)
    if not actions or method.lower() not in actions:
        return None
    return route.split("^")[1].split("/")[0].split("\\.")[0], actions[method.lower()]


MEDIA_ROOT = tempfile.mkdtemp(prefix="route-access-")  # uploads and materials the requests write


# The class's dataset is built (its voter signs in) before function fixtures run: conftest's switch
# for the in-process beat comes too late for it.
@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"], EAGER_BEAT=False,
                   MEDIA_ROOT=MEDIA_ROOT)
class RouteAccessTest(TestCase):
    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(MEDIA_ROOT, ignore_errors=True)

    @classmethod
    def setUpTestData(cls):
        cls.compound = CompoundFactory()
        cls.street_a = cls.compound.community.street
        cls.district_a = cls.street_a.district
        cls.street_b = StreetFactory(district=cls.district_a)
        cls.district_b = DistrictFactory()
        cls.firm = PropertyFirmFactory(registered_district=cls.district_a)
        cls.contract = ServiceContractFactory(firm=cls.firm, compound=cls.compound)
        cls.member = CommitteeMemberFactory(committee__compound=cls.compound, phone="13800138000")
        cls.committee = cls.member.committee
        cls.party_org = PartyOrganisationFactory(street=cls.street_a)
        cls.party_link = PartyOrganisationCompound.objects.create(organisation=cls.party_org, compound=cls.compound)

        def user(role, **kwargs):
            return UserFactory(role=role, **kwargs)

        officer, district = Role.STREET_OFFICER, Role.DISTRICT_STAFF
        cls.users = {
            "officer_a": user(officer, street=cls.street_a, district=cls.district_a, is_staff=True),
            "colleague_a": user(officer, street=cls.street_a, district=cls.district_a, is_staff=True),
            "officer_b": user(officer, street=cls.street_b, district=cls.district_a, is_staff=True),
            "district_a": user(district, district=cls.district_a, is_staff=True),
            "district_b": user(district, district=cls.district_b, is_staff=True),
            "city": user(Role.CITY_STAFF, is_staff=True),
            "judge": user(Role.JUDGE),
            "superuser": user(Role.CITY_STAFF, is_staff=True, is_superuser=True),
        }
        # Admin rights as an administrator used to grant them: the registry to every area role, the
        # rest to city staff. The admin must refuse them all the same: it is the superuser's only.
        registry = Permission.objects.filter(content_type__app_label__in=["districts", "communities", "committees"])
        reporting_view = Permission.objects.filter(content_type__app_label="reporting", codename__startswith="view_")
        for key in ("officer_a", "colleague_a", "officer_b", "district_a", "district_b"):
            cls.users[key].user_permissions.set([*registry, *reporting_view])
        cls.users["city"].user_permissions.set(Permission.objects.exclude(content_type__app_label__in=["auth"]))

        cls.report = monthly_report_get_or_create(street=cls.street_a, period=PERIOD)
        monthly_records_save(report=cls.report, rows=[RowInput(cls.compound.code, {"petitions": 1}, 2)],
                             actor=cls.users["officer_a"], expected_version=cls.report.version, source="test")
        cls.report.refresh_from_db()
        cls.record = cls.report.records.get()
        cls.upload = MonthlyUpload.objects.create(report=cls.report, uploaded_by=cls.users["officer_a"],
                                                  path="reporting/uploads/done.xlsx",
                                                  expected_version=cls.report.version - 1, status=UploadStatus.DONE)

        cls.indicator = Indicator.objects.order_by("code").first()
        cls.target = Target.objects.order_by("pk").first()
        cls.value = IndicatorValue.objects.create(indicator=cls.indicator, area_level="street",
                                                  area_code=cls.street_a.code, period=PERIOD, numerator=1,
                                                  denominator=1, value=100, computed_at=timezone.now())
        # The month has city figures too, so a pivot of it validates (its last month has published values).
        IndicatorValue.objects.create(indicator=cls.indicator, area_level="city", area_code=cls.street_a.district.city.code,
                                      period=PERIOD, numerator=1, denominator=1, value=100, computed_at=timezone.now())
        cls.pivot_params = {"indicator": [cls.indicator.code], "area": cls.street_a.code, "level": "community",
                            "kind": "month", "period_from": "2024-05", "period_to": "2024-05",
                            "indicator_axis": "filter", "area_axis": "rows", "period_axis": "columns"}
        cls.saved_pivot = SavedPivot.objects.create(owner=cls.users["officer_a"], name="街道A的透视",
                                                    params=cls.pivot_params)
        cls.stale = StaleStreetMonth.objects.filter(street=cls.street_a, period=PERIOD).earliest("pk")  # the save marked it
        cls.job = RecomputeJob.objects.create(period_from=PERIOD, period_to=PERIOD)

        city = cls.users["city"]
        today = timezone.localdate()
        window = (today - datetime.timedelta(days=5), today + datetime.timedelta(days=5))
        cls.round = selection_services.round_create(year=2025, title="2025年度样板街道(乡镇)推选", quota=1,
                                                    stages={kind: window for kind in StageKind.values},
                                                    created_by=city)
        cls.round = selection_services.round_open(selection_round=cls.round, user=city)
        cls.nomination = selection_services.nomination_create(selection_round=cls.round, street=cls.street_a,
                                                              user=city)
        cls.material = selection_services.material_add(
            nomination=cls.nomination, user=city,
            upload=SimpleUploadedFile("材料.pdf", b"%PDF-1.4 test", content_type="application/pdf"))
        criterion = cls.round.criteria.get(code="material_review")
        cls.assignment = selection_services.judge_assign(criterion=criterion, judge=cls.users["judge"], user=city)
        cls.result = CandidateResult.objects.create(round=cls.round, nomination=cls.nomination)
        cls.audit = RoundAuditEntry.objects.filter(round=cls.round).first()
        cls.group = Group.objects.create(name="街道工作人员")
        cls.notification = Notification.objects.create(recipient=cls.users["officer_a"], kind=NoticeKind.REPORT_APPROVED,
                                                       event_key="route-access", title="月报已审核通过")

        def token(name, **area):
            return ApiToken.issue(user=user(Role.API_CLIENT, **area), name=name, can_write=True)[1]

        cls.keys = {
            "token_read": ApiToken.issue(user=user(Role.API_CLIENT), name="市大数据平台")[1],
            "token_write": token("12345热线"),
            "token_street": token("街道网格系统", street=cls.street_a),
            "token_district": token("区县汇治理", district=cls.district_a),
        }
        cls.token = ApiToken.objects.order_by("pk").first()
        cls.sessions = {key: cls._session_of(user) for key, user in cls.users.items()}
        cls.sessions["voter"] = cls._verified_voter()

    @classmethod
    def _session_of(cls, user) -> str:
        client = Client()
        client.force_login(user)
        return client.cookies["sessionid"].value

    @classmethod
    def _verified_voter(cls) -> str:
        """The public voter's way in: a code by SMS (console backend here), then the code back."""
        client = Client()
        client.post(f"/selection/{cls.round.pk}/code/", {"phone": VOTER_PHONE})
        code = ConsoleSmsBackend.last_code_for(VOTER_PHONE)
        client.post(f"/selection/{cls.round.pk}/verify/", {"phone": VOTER_PHONE, "code": code})
        client.post(f"/selection/{cls.round.pk}/vote/{cls.nomination.pk}/")
        assert Vote.objects.filter(nomination=cls.nomination).exists(), "the voter could not verify and vote"
        return client.cookies["sessionid"].value

    def setUp(self):
        self.clients = {"anonymous": Client()}
        for key, session in self.sessions.items():
            self.clients[key] = Client()
            self.clients[key].cookies["sessionid"] = session
        for key, value in self.keys.items():
            self.clients[key] = Client(HTTP_AUTHORIZATION=f"Token {value}")
        for client in self.clients.values():
            client.raise_request_exception = False
        self.vote = Vote.objects.order_by("pk").first()

    def test_a_district_level_party_organisation_is_read_by_its_district_and_hidden_from_its_streets(self):
        """A party organisation with no street is its district's own: not handed down to the streets."""
        organisation = PartyOrganisationFactory(street=None, district=self.district_a)
        page, api = f"/registry/party/{organisation.code}/", f"/api/v1/party-organisations/{organisation.code}/"
        statuses = {role: self.clients[role].get(page).status_code
                    for role in ("officer_a", "officer_b", "district_a", "district_b", "city")}
        statuses |= {role: self.clients[role].get(api).status_code
                     for role in ("token_street", "token_district", "token_read")}
        assert statuses == {"officer_a": 404, "officer_b": 404, "district_a": 200, "district_b": 404, "city": 200,
                            "token_street": 404, "token_district": 200, "token_read": 200}
        listed = self.clients["token_street"].get("/api/v1/party-organisations/").json()["results"]
        assert [row["code"] for row in listed] == [self.party_org.code]

    # --- filling URL arguments with street A's objects -------------------------------------------

    def _admin_object(self, route: str):
        objects = {
            "auth.group": self.group, "accounts.user": self.users["officer_a"], "accounts.apitoken": self.token,
            "districts.city": self.district_a.city, "districts.district": self.district_a,
            "districts.street": self.street_a, "communities.community": self.compound.community,
            "communities.compound": self.compound, "communities.propertyfirm": self.firm,
            "communities.servicecontract": self.contract, "communities.firmlisting": None,
            "committees.ownerscommittee": self.committee, "committees.committeemember": self.member,
            "committees.partyorganisation": self.party_org, "reporting.monthlyreport": self.report,
            "reporting.monthlyrecord": self.record, "reporting.monthlyupload": self.upload,
            "metrics.indicator": self.indicator, "metrics.target": self.target,
            "metrics.indicatorvalue": self.value, "metrics.stalestreetmonth": self.stale,
            "metrics.recomputejob": self.job, "selection.selectionround": self.round,
            "selection.nomination": self.nomination, "selection.judgeassignment": self.assignment,
            "selection.candidateresult": self.result, "selection.vote": self.vote,
            "selection.roundauditentry": self.audit,
            "axes.accessattempt": None, "axes.accessfailurelog": None, "axes.accesslog": None,
        }
        return objects[admin_model(route)._meta.label_lower]

    def _admin_object_ids(self, route: str) -> list[str]:
        """The values for the admin route's unnamed groups: the object's id, then its latest history id."""
        obj = self._admin_object(route)
        if obj is None:
            return ["0", "0"]
        history = getattr(obj, "history", None)
        latest = history.order_by("-history_id").values_list("history_id", flat=True).first() if history else None
        return [str(obj.pk), str(latest if latest is not None else obj.pk)]

    def _api_value(self, route: str, name: str) -> str:
        resource = route.split("^")[1].split("/")[0].split("\\.")[0]
        by_resource = {
            "districts": self.district_a.code, "streets": self.street_a.code,
            "communities": self.compound.community.code, "compounds": self.compound.code,
            "firms": self.firm.credit_code, "contracts": self.contract.pk, "committees": self.committee.pk,
            "party-organisations": self.party_org.code, "monthly-reports": self.report.pk,
            "monthly-records": self.record.pk, "indicators": self.indicator.code,
            "indicator-values": self.value.pk, "targets": self.target.pk, "selection-rounds": self.round.pk,
        }
        return "json" if name == "format" else str(by_resource[resource])

    def _value(self, route: str, name: str) -> str:
        if route.startswith("admin/r/"):  # view on site: street A's compound
            return str(ContentType.objects.get_for_model(self.compound).pk if name == "content_type_id"
                       else self.compound.pk)
        if route.startswith("admin/"):
            return {"app_label": "communities", "url": "no-such-page/",
                    "id": str(self.users["officer_a"].pk)}.get(name) or self._admin_object_ids(route)[0]
        if route.startswith("api/v1/^"):
            return self._api_value(route, name)
        if route.startswith("api/"):  # the API root (".json" suffix) and the JSON 404 for unknown paths
            return ".json" if name == "format" else "no-such-resource"
        if route.startswith("analysis/pivot/"):  # street A's first officer's saved pivot
            return str(self.saved_pivot.pk)
        if route.startswith("indicators/targets/"):
            return str(self.target.pk)
        if route.startswith("notifications/"):  # street A's first officer's notice
            return str(self.notification.pk)
        if route.startswith("registry/") and name != "code":
            return str({"kind": "households", "contract_id": self.contract.pk, "credit_code": self.firm.credit_code,
                        "listing_id": 0, "committee_id": self.committee.pk, "member_id": self.member.pk,
                        "party_code": self.party_org.code,
                        "link_id": 0 if "firm-coverage" in route else self.party_link.pk}[name])
        if name == "code":  # dashboard/<level>/<code>/
            return {"district": self.district_a.code, "community": self.compound.community.code,
                    "compound": self.compound.code, "street": self.street_a.code}[route.split("/")[1]]
        return str({
            "street_code": self.street_a.code, "period": "2024-05", "action": "submit",
            "nomination_pk": self.nomination.pk, "upload_id": self.upload.pk,
        }.get(name) or self._selection_pk(route))

    def _target_body(self, **overrides) -> dict:
        return {"indicator": self.target.indicator_id, "area": f"street:{self.street_a.code}", "comparison": "gte",
                "threshold": "90", "deadline": "2026-12-31", "note": "", **overrides}

    def _selection_pk(self, route: str) -> int:
        if "materials/" in route:
            return self.material.pk
        if "nominations/" in route:
            return self.nomination.pk
        if "assignments/" in route:
            return self.assignment.pk
        return self.round.pk

    def url_for(self, route: str) -> str:
        def fill(match):
            return self._value(route, match.group(1))

        path = re.sub(r"\(\?P<(\w+)>[^)]*\)", fill, route)
        path = re.sub(r"<(?:\w+:)?(\w+)>", fill, path)
        # simple_history's view of one version: (object id, history id) of street A's object. History ids
        # follow their own sequence, which other tests in the same run have moved on.
        unnamed = re.compile(r"\(\[\^/\]\+\)")
        if unnamed.search(path):
            ids = iter(self._admin_object_ids(route))
            path = unnamed.sub(lambda _match: next(ids), path)
        path = path.replace("^", "").replace("$", "").replace("/?", "/").replace("\\.", ".")
        return "/" + path.replace(".*/", "no-such-resource/")

    # --- which methods, with which bodies -----------------------------------------------------------

    def variants(self, route: str, url: str) -> list[str]:
        """What is sent to the route: each method it accepts, and each admin action as a POST."""
        methods = declared_methods(ROUTES[route])
        if not methods:  # a function view, or a class that answers every method the same way
            methods = self._allowed_by_function_view(url)
        return [method for method in PROBED[::-1] if method in methods] + action_variants(route)

    def _allowed_by_function_view(self, url: str) -> set[str]:
        for role in ("superuser", "city", "judge", "anonymous"):
            with transaction.atomic():
                response = self.clients[role].generic("PROPFIND", url)
                transaction.set_rollback(True)
            if response.status_code == 405:
                return {method.strip() for method in response["Allow"].split(",")} & set(PROBED)
        return set(ANY_METHOD)

    def body(self, route: str, url: str, variant: str) -> dict:
        if variant == "GET":
            return {}
        if admin_model(route):
            return self._admin_body(route, url, variant)
        if route.startswith("api/"):
            body = API_BODIES.get(api_action(route, variant))
            return body(self) if body else {}
        return self._portal_body(route)

    def _admin_body(self, route: str, url: str, variant: str):
        page = admin_page(route)
        obj = self._admin_object(route)
        if variant.startswith("POST "):  # a change-list action on street A's object
            return {"action": variant.split()[1], "_selected_action": [obj.pk if obj else 0], "index": "0",
                    "post": "yes"}
        if page.endswith("delete/"):
            return {"post": "yes"}
        if page in ("<path:object_id>/change/", "^([^/]+)/history/([^/]+)/$"):
            return self._as_the_superuser_sees_it(url)
        if page == "add/" and obj is not None:
            add_body = ADMIN_ADD_BODIES.get(admin_model(route))
            return add_body(self) if add_body else self._as_the_superuser_sees_it(
                self.url_for(route.replace("add/", "<path:object_id>/change/")), inlines=False)
        if page == "<id>/password/":
            return {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
        if page == "export/":
            return self._as_the_superuser_sees_it(url, form="form") | {"format": "0"}
        if page == "import/":
            return lambda: self._as_the_superuser_sees_it(url, form="form") | {"format": "0",
                                                                      "import_file": self._import_file(route)}
        if page == "process_import/":
            return lambda: self._confirmed_import(route)
        return {}

    def _as_the_superuser_sees_it(self, url: str, inlines: bool = True, form: str | None = None) -> dict:
        with transaction.atomic():
            page = self.clients["superuser"].get(url)
            transaction.set_rollback(True)
        if page.status_code != 200:
            return {}
        if form is not None:
            return form_data(page.context[form])
        return change_page_data(page.context, inlines=inlines) if "adminform" in page.context else {}

    def _import_file(self, route: str) -> SimpleUploadedFile:
        """Street A's row in the import's columns (an export withholds personal ones, which an import
        may need), with one text cell changed (an unchanged row would be skipped, and the import would
        write nothing)."""
        model = admin_model(route)
        model_admin = admin.site._registry[model]
        request = RequestFactory().get("/")
        request.user = self.users["superuser"]
        resource = model_admin.get_import_resource_classes(request)[0](**model_admin.get_resource_kwargs(request))
        obj = resource.filter_export(model._default_manager.filter(pk=self._admin_object(route).pk)).get()
        fields = resource.get_import_fields()
        dataset = tablib.Dataset([resource.export_field(field, obj) for field in fields],
                                 headers=[str(field.column_name) for field in fields])
        text_columns = {str(field.verbose_name) for field in model._meta.fields
                        if isinstance(field, CharField) and not field.unique and not field.choices}
        row = list(dataset[0])
        for index, header in enumerate(dataset.headers):
            if header in text_columns:
                row[index] = f"{row[index] or ''}改"
                break
            if header in IMPORT_CHANGES.get(model, {}):
                row[index] = IMPORT_CHANGES[model][header]
        dataset[0] = row
        return SimpleUploadedFile("导入.csv", dataset.csv.encode("utf-8-sig"), content_type="text/csv")

    def _confirmed_import(self, route: str) -> dict:
        """What the import's confirm page posts: the superuser's dry run of the file, stored for the import."""
        import_route = route.replace("process_import/", "import/")
        url = self.url_for(import_route)
        with transaction.atomic():
            page = self.clients["superuser"].post(url, self._admin_body(import_route, url, "POST")())
            transaction.set_rollback(True)
        confirm = page.context.get("confirm_form") if page.status_code == 200 else None
        return form_data(confirm) if confirm is not None else {}

    def prepare(self, route: str, variant: str) -> None:
        """Inside the request's savepoint, before it: put street A's report where a transition starts,
        make room for an add of street A's object (delete it, or else free its unique codes)."""
        if (action := api_action(route, variant)) and action[1] in STARTS_FROM:
            self._move_report_to(STARTS_FROM[action[1]])
        if admin_page(route) == "add/" and variant == "POST" and (obj := self._admin_object(route)) is not None:
            manager = type(obj)._base_manager
            try:
                with transaction.atomic():
                    manager.filter(pk=obj.pk).delete()
            except (ProtectedError, RestrictedError):
                unique = [field.name for field in obj._meta.fields if field.unique and isinstance(field, CharField)]
                manager.filter(pk=obj.pk).update(**{name: Concat(Value("~"), Substr(name, 2)) for name in unique})

    def _portal_body(self, route: str):
        body = PORTAL_BODIES.get(route)
        return body(self) if body else {}

    def _grid_body(self) -> dict:
        """Street A's grid as its officer sees it, with one figure changed."""
        record = MonthlyRecord.objects.get(pk=self.record.pk)
        cells = {}
        for spec in FIELDS:
            value = 5 if spec.name == "petitions" else getattr(record, spec.name)
            if spec.kind == FLAG:
                value = "on" if value else None
            if value is not None:
                cells[cell_name(self.compound.code, spec)] = value
        return {"version": MonthlyReport.objects.get(pk=self.report.pk).version, **cells}

    def _filled_template(self) -> SimpleUploadedFile:
        """Street A's template for the month with one more petition than entered."""
        workbook = load_workbook(BytesIO(monthly_template(street=self.street_a, period=PERIOD)))
        sheet = workbook.worksheets[0]
        column = [cell.value for cell in sheet[1]].index(next(spec.label for spec in FIELDS if spec.name == "petitions"))
        sheet.cell(row=2, column=column + 1, value=5)
        buffer = BytesIO()
        workbook.save(buffer)
        return SimpleUploadedFile("月报.xlsx", buffer.getvalue())

    def _pending_upload(self) -> dict:
        """Officer A's previewed upload, waiting for their confirmation (only its uploader may confirm)."""
        _plan, pending = monthly_upload_preview(report=MonthlyReport.objects.get(pk=self.report.pk),
                                                actor=self.users["officer_a"], content=self._filled_template().read(),
                                                file_name="月报.xlsx")
        return {"upload": pending.pk}

    def _move_report_to(self, state: str) -> None:
        steps = [(ReportState.SUBMITTED, monthly_report_submit, "officer_a"),
                 (ReportState.APPROVED, monthly_report_approve, "district_a"),
                 (ReportState.LOCKED, monthly_report_lock, "city")]
        for reached, service, actor in steps:
            service(report=MonthlyReport.objects.get(pk=self.report.pk), actor=self.users[actor])
            if reached == state:
                return

    # --- the check ----------------------------------------------------------------------------------

    def check_route(self, route: str):
        url = self.url_for(route)
        self.assertEqual(resolve(url).route, resolver_route(route), f"{url} does not reach {route}")
        observed, changed = {}, {}
        for variant in self.variants(route, url):
            body = self.body(route, url, variant)
            observed[variant] = {}
            for role in roles_for(route):
                observed[variant][role], changed[variant, role] = self.observe(role, route, url, variant, body)
        expected = EXPECTED.get(route, {})
        mismatches = [f"{variant} {url} {role}: expected {expected[variant][role]}, got {outcome}"
                      + (f" (changed {', '.join(changed[variant, role])})" if changed[variant, role] else "")
                      for variant, row in observed.items() if variant in expected
                      for role, outcome in row.items() if outcome != expected[variant][role]]
        if sorted(expected) != sorted(observed):
            mismatches.insert(0, f"the table's methods {sorted(expected)} are not the ones the route takes: "
                                 f"{sorted(observed)}")
        self.assertFalse(mismatches, f"\n{route}\n" + "\n".join(mismatches) + "\nobserved:\n"
                         + suggested_rows(route, observed))

    def observe(self, role: str, route: str, url: str, variant: str, body: dict) -> tuple[str, list[str]]:
        cache.clear()  # API throttles and vote rate limits count across requests otherwise
        client = self.clients[role]
        method = variant.split()[0]
        with transaction.atomic():
            self.prepare(route, variant)
            data = body() if callable(body) else body
            with DataChanges() as changes:
                response = self.send(client, method, url, data)
                if response.streaming:
                    b"".join(response.streaming_content)
            transaction.set_rollback(True)
        outcome = outcome_of(response)
        return (f"{outcome}+" if changes.tables else outcome), changes.tables

    @staticmethod
    def send(client, method: str, url: str, body: dict):
        if url.startswith("/api/") and method != "GET":
            return client.generic(method, url, json_body(body), content_type="application/json")
        if method == "POST":
            return client.post(url, body)
        return client.generic(method, url)


def json_body(body: dict) -> str:
    return json.dumps(body, ensure_ascii=False)


def _test_name(route: str) -> str:
    return "test_" + re.sub(r"\W+", "_", route.replace("<path:object_id>", "id")).strip("_").lower()


def _add_one_test_per_route():
    for route in ROUTES:
        name = _test_name(route)
        while hasattr(RouteAccessTest, name):
            name += "_"
        setattr(RouteAccessTest, name, lambda self, route=route: self.check_route(route))


_add_one_test_per_route()
