"""simple-history's revert form (/admin/<app>/<model>/<id>/history/<version>/) is no way around the change view.

Each attack below was reproduced on the portal: the form saved a POST for anyone who may view history.
Only superusers get into the admin now (common.admin_site); the attacks by other staff are refused
at the door, and the superuser's own revert form still saves only what the change view would.
"""
import datetime

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from accounts.models import Role
from committees.models import CommitteeMember
from communities.models import Compound, FirmListing
from reporting.models import MonthlyRecord, MonthlyReport, ReportState
from reporting.services import (
    monthly_records_save,
    monthly_report_approve,
    monthly_report_get_or_create,
    monthly_report_submit,
)
from reporting.validation import RowInput
from selection import services as selection_services
from selection.models import RoundState, SelectionRound, StageKind
from tests.admin_forms import form_data
from tests.factories import (
    CommitteeMemberFactory,
    CompoundFactory,
    PartyOrganisationFactory,
    PropertyFirmFactory,
    ServiceContractFactory,
    UserFactory,
    city_staff,
    district_staff,
    street_officer,
)

pytestmark = pytest.mark.django_db

PERIOD = datetime.date(2024, 5, 1)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _admin_user(user, *app_labels, view_only=()):
    """Admin access as an administrator grants it: the registry apps in full, monthly data to view."""
    user.is_staff = True
    user.save()
    permissions = Permission.objects.filter(content_type__app_label__in=app_labels)
    viewing = Permission.objects.filter(content_type__app_label__in=view_only, codename__startswith="view_")
    user.user_permissions.set([*permissions, *viewing])
    return user


def _history_url(obj) -> str:
    version = obj.history.order_by("-history_id").first()
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_simple_history",
                   args=[obj.pk, version.history_id])


def _revert(client, obj, **changes):
    """Open the revert form of the object's latest version and post it back with `changes`."""
    url = _history_url(obj)
    page = client.get(url)
    assert page.status_code == 200, "the attacker may view the version"
    return client.post(url, form_data(page.context["adminform"].form, **changes))


@pytest.fixture
def compound():
    return CompoundFactory(name="温陵小区")


@pytest.fixture
def street(compound):
    return compound.community.street


@pytest.fixture
def approved_report(street, compound):
    officer = street_officer(street)
    report = monthly_report_get_or_create(street=street, period=PERIOD)
    monthly_records_save(report=report, rows=[RowInput(compound.code, {"petitions": 1})], actor=officer,
                         expected_version=report.version, source="test")
    monthly_report_submit(report=report, actor=officer)
    return monthly_report_approve(report=MonthlyReport.objects.get(pk=report.pk), actor=district_staff(street.district))


def _superuser():
    return city_staff(is_superuser=True, is_staff=True)


def _revert_refused(client, obj, **changes):
    """Post the revert form of the object's latest version (as a superuser sees it) with `changes`:
    the admin sends the user to its login page, and nothing is written."""
    url = _history_url(obj)
    viewer = Client()
    viewer.force_login(_superuser())
    data = form_data(viewer.get(url).context["adminform"].form, **changes)
    row, versions = type(obj)._default_manager.filter(pk=obj.pk).values().get(), obj.history.count()

    responses = [client.get(url), client.post(url, data)]

    assert all(r.status_code == 302 and r["Location"].startswith("/admin/login/") for r in responses)
    assert type(obj)._default_manager.filter(pk=obj.pk).values().get() == row
    assert obj.history.count() == versions


def test_a_street_officer_cannot_change_an_approved_monthly_record_through_the_revert_form(client, street,
                                                                                          approved_report):
    client.force_login(_admin_user(street_officer(street), view_only=["reporting"]))
    _revert_refused(client, approved_report.records.get(), petitions=99)


def test_a_street_officer_cannot_approve_their_own_report_through_the_revert_form(client, street, compound):
    officer = street_officer(street)
    report = monthly_report_get_or_create(street=street, period=PERIOD)
    monthly_records_save(report=report, rows=[RowInput(compound.code, {"petitions": 1})], actor=officer,
                         expected_version=report.version, source="test")
    report = monthly_report_submit(report=MonthlyReport.objects.get(pk=report.pk), actor=officer)
    client.force_login(_admin_user(officer, view_only=["reporting"]))

    _revert_refused(client, report, state=ReportState.APPROVED, version=1)

    assert not MonthlyReport.objects.get(pk=report.pk).transitions.filter(to_state=ReportState.APPROVED).exists()


def test_a_street_officer_cannot_make_a_city_kept_firm_sanyou_through_the_revert_form(client, street):
    firm = PropertyFirmFactory(registered_district=street.district, staff_count=3, has_fixed_premises=False)
    client.force_login(_admin_user(street_officer(street), "districts", "communities", "committees"))
    _revert_refused(client, firm, staff_count=30, has_fixed_premises="on")


def test_district_staff_cannot_change_their_districts_registry_through_the_revert_form(client, street, compound):
    client.force_login(_admin_user(district_staff(street.district), "districts", "communities", "committees"))
    _revert_refused(client, compound, name="区县改名", households=1)


def test_city_staff_cannot_revert_monthly_data_either(client, approved_report):
    city = city_staff(is_superuser=True)
    client.force_login(_admin_user(city))
    record = approved_report.records.get()

    assert _revert(client, record, petitions=99).status_code == 403
    assert _revert(client, approved_report, state=ReportState.DRAFT).status_code == 403
    assert MonthlyRecord.objects.get(pk=record.pk).petitions == 1
    assert MonthlyReport.objects.get(pk=approved_report.pk).state == ReportState.APPROVED


def test_the_superuser_reverts_a_compound(client, street, compound):
    client.force_login(_superuser())
    compound.name = "改错的名字"
    compound.save()
    first = compound.history.order_by("history_id").first()
    url = reverse("admin:communities_compound_simple_history", args=[compound.pk, first.history_id])
    page = client.get(url)

    response = client.post(url, form_data(page.context["adminform"].form))

    assert response.status_code == 302
    assert Compound.objects.get(pk=compound.pk).name == "温陵小区"


HISTORY_ADMIN_MODELS = sorted((model for model, model_admin in admin.site._registry.items()
                               if isinstance(model_admin, SimpleHistoryAdmin)), key=lambda model: model._meta.label)


@pytest.fixture
def one_of_each(street, compound, approved_report):
    """A row with at least one recorded version for every model with a history admin."""
    city = city_staff()
    firm = PropertyFirmFactory(registered_district=street.district)
    FirmListing.objects.create(firm=firm, kind="red", listed_on=datetime.date(2024, 1, 1), reason="服务优良")
    ServiceContractFactory(firm=firm, compound=compound)
    CommitteeMemberFactory(committee__compound=compound)
    PartyOrganisationFactory(street=street)
    today = timezone.localdate()
    window = (today - datetime.timedelta(days=5), today + datetime.timedelta(days=5))
    selection_round = selection_services.round_create(year=2025, title="2025年度推选", quota=1, created_by=city,
                                                      stages={kind: window for kind in StageKind.values})
    selection_round = selection_services.round_open(selection_round=selection_round, user=city)
    selection_services.nomination_create(selection_round=selection_round, street=street, user=city)
    selection_services.judge_assign(criterion=selection_round.criteria.first(), judge=UserFactory(role=Role.JUDGE),
                                    user=city)


def _latest_with_history(model):
    obj = model._default_manager.order_by("-pk").first()
    if not obj.history.exists():  # rows loaded by a data migration have no version yet
        obj.save()
    return obj


@pytest.mark.parametrize("model", HISTORY_ADMIN_MODELS, ids=lambda model: model._meta.label)
def test_city_staff_who_may_view_everything_cannot_open_or_save_any_revert_form(client, one_of_each, model):
    apps = {m._meta.app_label for m in HISTORY_ADMIN_MODELS}
    client.force_login(_admin_user(city_staff(), view_only=apps))
    _revert_refused(client, _latest_with_history(model))


def test_a_city_revert_leaves_the_fields_the_change_view_keeps_read_only(client):
    city = _admin_user(city_staff(is_superuser=True))
    today = timezone.localdate()
    window = (today - datetime.timedelta(days=5), today + datetime.timedelta(days=5))
    selection_round = selection_services.round_create(year=2025, title="2025年度推选", quota=1, created_by=city,
                                                      stages={kind: window for kind in StageKind.values})
    draft = selection_round.history.order_by("history_id").first()
    selection_services.round_open(selection_round=selection_round, user=city)
    client.force_login(city)
    url = reverse("admin:selection_selectionround_simple_history", args=[selection_round.pk, draft.history_id])
    page = client.get(url)

    response = client.post(url, form_data(page.context["adminform"].form, title="改名的轮次"))

    assert response.status_code == 302
    after = SelectionRound.objects.get(pk=selection_round.pk)
    assert (after.title, after.state) == ("改名的轮次", RoundState.OPEN)


def test_reverting_a_member_keeps_the_phone_number_history_does_not_record(client, street, compound):
    member = CommitteeMemberFactory(committee__compound=compound, name="王五", phone="13812345678",
                                    role=CommitteeMember.Role.MEMBER)
    member.role = CommitteeMember.Role.VICE_CHAIR
    member.save()
    client.force_login(_superuser())
    first = member.history.order_by("history_id").first()
    url = reverse("admin:committees_committeemember_simple_history", args=[member.pk, first.history_id])
    page = client.get(url)

    response = client.post(url, form_data(page.context["adminform"].form))

    assert response.status_code == 302
    member = CommitteeMember.objects.get(pk=member.pk)
    assert (member.role, member.name, member.phone) == (CommitteeMember.Role.MEMBER, "王五", "13812345678")
    # The superuser's form never held the name or the number: both are masked in the admin.
    assert "王五" not in page.content.decode() and "13812345678" not in page.content.decode()


def test_a_version_that_is_not_an_id_is_not_found(client, compound):
    client.force_login(_superuser())
    url = reverse("admin:communities_compound_simple_history", args=[compound.pk, "x"])
    assert client.get(url).status_code == 404
    assert client.post(url, {"name": "改名"}).status_code == 404
