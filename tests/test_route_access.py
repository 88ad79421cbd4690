"""Every URL pattern of the project × every role, against the expected-access table (tests/access_table.py).

The routes are read from the resolver, so a new route without an entry in the table fails here. URL
arguments are filled with street A's objects: for street B's officer and another district's staff
every request is a forbidden path. Each request runs in a rolled-back savepoint, so a POST that
succeeds for one role leaves the dataset unchanged for the next.
"""
from __future__ import annotations

import datetime
import re

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client, TestCase, override_settings
from django.urls import URLResolver, get_resolver, resolve
from django.utils import timezone

from accounts.models import ApiToken, Role
from metrics.models import Indicator, IndicatorValue, RecomputeJob, StaleStreetMonth, Target
from notifications.models import Notification, NoticeKind
from reporting.models import MonthlyUpload, UploadStatus
from reporting.services import monthly_records_save, monthly_report_get_or_create
from reporting.validation import RowInput
from selection import services as selection_services
from selection.models import CandidateResult, RoundAuditEntry, StageKind, Vote
from selection.sms import ConsoleSmsBackend
from tests.access_table import EXPECTED, ROLES, outcome_of
from tests.factories import (
    CommitteeMemberFactory,
    CompoundFactory,
    PartyOrganisationFactory,
    PropertyFirmFactory,
    ServiceContractFactory,
    StreetFactory,
    UserFactory,
)

PERIOD = datetime.date(2024, 5, 1)
VOTER_PHONE = "13912345678"


def project_routes() -> list[str]:
    """The full route string of every URL pattern, walking includes (admin, API router, apps)."""
    found = []

    def walk(patterns, prefix):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                found.append(prefix + str(pattern.pattern))

    walk(get_resolver().url_patterns, "")
    return found


def resolver_route(route: str) -> str:
    """The route as Django's resolver reports it: regex anchors at the start of each part dropped."""
    return re.sub(r"(^|/)\^", r"\1", route)


def test_every_route_has_an_expected_access_entry():
    missing = [route for route in project_routes() if route not in EXPECTED]
    assert not missing, "routes without an entry in tests/access_table.py:\n" + "\n".join(missing)


def test_the_table_has_no_entry_for_a_route_that_no_longer_exists():
    stale = set(EXPECTED) - set(project_routes())
    assert not stale, "entries in tests/access_table.py for routes that do not exist:\n" + "\n".join(sorted(stale))


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class RouteAccessTest(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.compound = CompoundFactory()
        cls.street_a = cls.compound.community.street
        cls.street_b = StreetFactory()
        cls.firm = PropertyFirmFactory(registered_district=cls.street_a.district)
        cls.contract = ServiceContractFactory(firm=cls.firm, compound=cls.compound)
        cls.member = CommitteeMemberFactory(committee__compound=cls.compound, phone="13800138000")
        cls.committee = cls.member.committee
        cls.party_org = PartyOrganisationFactory(street=cls.street_a)

        def user(role, **kwargs):
            return UserFactory(role=role, **kwargs)

        cls.users = {
            "street_a": user(Role.STREET_OFFICER, street=cls.street_a, district=cls.street_a.district, is_staff=True),
            "street_b": user(Role.STREET_OFFICER, street=cls.street_b, district=cls.street_b.district, is_staff=True),
            "district_other": user(Role.DISTRICT_STAFF, district=cls.street_b.district, is_staff=True),
            "city": user(Role.CITY_STAFF, is_staff=True),
            "judge": user(Role.JUDGE),
        }
        # Admin rights as an administrator would grant them: the registry to every area role, the
        # rest to city staff. Area scope, not the permission, must then keep officers in their street.
        registry = Permission.objects.filter(content_type__app_label__in=["districts", "communities", "committees"])
        reporting_view = Permission.objects.filter(content_type__app_label="reporting", codename__startswith="view_")
        for key in ("street_a", "street_b", "district_other"):
            cls.users[key].user_permissions.set([*registry, *reporting_view])
        cls.users["city"].user_permissions.set(Permission.objects.exclude(content_type__app_label__in=["auth"]))

        cls.report = monthly_report_get_or_create(street=cls.street_a, period=PERIOD)
        monthly_records_save(report=cls.report, rows=[RowInput(cls.compound.code, {"petitions": 1}, 2)],
                             actor=cls.users["street_a"], expected_version=cls.report.version, source="test")
        cls.report.refresh_from_db()
        cls.record = cls.report.records.get()
        cls.upload = MonthlyUpload.objects.create(report=cls.report, uploaded_by=cls.users["street_a"],
                                                  path="reporting/uploads/done.xlsx",
                                                  expected_version=cls.report.version - 1, status=UploadStatus.DONE)

        cls.indicator = Indicator.objects.order_by("code").first()
        cls.target = Target.objects.order_by("pk").first()
        cls.value = IndicatorValue.objects.create(indicator=cls.indicator, area_level="street",
                                                  area_code=cls.street_a.code, period=PERIOD, numerator=1,
                                                  denominator=1, value=100, computed_at=timezone.now())
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
        cls.notification = Notification.objects.create(recipient=cls.users["street_a"], kind=NoticeKind.REPORT_APPROVED,
                                                       event_key="route-access", title="月报已审核通过")

        cls.read_key = ApiToken.issue(user=user(Role.API_CLIENT), name="市大数据平台")[1]
        cls.write_key = ApiToken.issue(user=user(Role.API_CLIENT), name="12345热线", can_write=True)[1]
        cls.token = ApiToken.objects.order_by("pk").first()

    def setUp(self):
        cache.clear()
        self.clients = {"anonymous": Client(), "voter": self._verified_voter()}
        for key, user in self.users.items():
            self.clients[key] = Client()
            self.clients[key].force_login(user)
        self.clients["token_read"] = Client(HTTP_AUTHORIZATION=f"Token {self.read_key}")
        self.clients["token_write"] = Client(HTTP_AUTHORIZATION=f"Token {self.write_key}")
        self.vote = Vote.objects.order_by("pk").first()

    def _verified_voter(self) -> Client:
        """The public voter's way in: a code by SMS (console backend here), then the code back."""
        client = Client()
        client.post(f"/selection/{self.round.pk}/code/", {"phone": VOTER_PHONE})
        code = ConsoleSmsBackend.last_code_for(VOTER_PHONE)
        client.post(f"/selection/{self.round.pk}/verify/", {"phone": VOTER_PHONE, "code": code})
        client.post(f"/selection/{self.round.pk}/vote/{self.nomination.pk}/")
        assert Vote.objects.filter(nomination=self.nomination).exists(), "the voter could not verify and vote"
        return client

    # --- filling URL arguments with street A's objects -------------------------------------------

    def _admin_object(self, route: str):
        app_label, model_name = route.split("/")[1:3]
        objects = {
            "auth.group": self.group, "accounts.user": self.users["street_a"], "accounts.apitoken": self.token,
            "districts.city": self.street_a.district.city, "districts.district": self.street_a.district,
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
        return objects[f"{app_label}.{model_name}"]

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
            "districts": self.street_a.district.code, "streets": self.street_a.code,
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
                    "id": str(self.users["street_a"].pk)}.get(name) or self._admin_object_ids(route)[0]
        if route.startswith("api/v1/^"):
            return self._api_value(route, name)
        if route.startswith("api/"):  # the API root (".json" suffix) and the JSON 404 for unknown paths
            return ".json" if name == "format" else "no-such-resource"
        if route.startswith("notifications/"):  # street A's officer's notice
            return str(self.notification.pk)
        if name == "code":  # dashboard/<level>/<code>/
            return {"district": self.street_a.district.code, "community": self.compound.community.code,
                    "compound": self.compound.code, "street": self.street_a.code}[route.split("/")[1]]
        return str({
            "street_code": self.street_a.code, "period": "2024-05", "action": "submit",
            "nomination_pk": self.nomination.pk, "upload_id": self.upload.pk,
        }.get(name) or self._selection_pk(route))

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

    # --- the check ----------------------------------------------------------------------------------

    def test_every_route_gives_each_role_the_expected_outcome(self):
        mismatches = []
        for route in project_routes():
            expected = EXPECTED.get(route)
            if expected is None:
                continue  # reported by test_every_route_has_an_expected_access_entry
            url = self.url_for(route)
            self.assertEqual(resolve(url).route, resolver_route(route), f"{url} does not reach {route}")
            for role in ROLES:
                outcome = self.observe(role, url, expected.method)
                if outcome != expected[role]:
                    mismatches.append(f"{route} [{expected.method.upper()} {url}] {role}: "
                                      f"expected {expected[role]}, got {outcome}")
        self.assertFalse(mismatches, "\n" + "\n".join(mismatches))

    def observe(self, role: str, url: str, method: str) -> str:
        cache.clear()  # API throttles and vote rate limits count across requests otherwise
        client = self.clients[role]
        client.raise_request_exception = False
        with transaction.atomic():
            if method != "post":
                response = client.get(url)
            elif url.startswith("/api/"):
                response = client.post(url, {}, content_type="application/json")  # the API reads JSON only
            else:
                response = client.post(url)
            transaction.set_rollback(True)
        return outcome_of(response)
