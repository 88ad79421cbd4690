"""Every way a number comes in reads it through common.numbers.

Two rules, tried on each way in (grid, Excel, API bodies, filters, forms, the admin, registry
files, scores): a number is refused by its magnitude before anything converts it (the capped child
of tests/capped.py dies if `int(Decimal("1e4000000"))`, about twenty minutes of CPU, runs again),
and digits other than ASCII 0-9 are refused with a Chinese message. The rule tests at the end walk
every admin form, FilterSet and serializer, so a new number field that skips the parser fails here.
"""
from __future__ import annotations

import importlib

import django_filters
import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse
from rest_framework import serializers

from common import forms as number_forms
from common.api import fields as number_fields
from communities.models import Compound
from communities.resources import CompoundResource
from reporting.models import MonthlyRecord
from reporting.services import monthly_report_get_or_create
from selection import services as selection_services
from tests.api_clients import token_client
from tests.capped import run_capped
from tests.factories import CommunityFactory, CompoundFactory, StreetFactory, UserFactory, city_staff, street_officer
from tests.registry_files import export_file, import_file, row_errors

pytestmark = pytest.mark.django_db

HUGE = "1e4000000"
NON_ASCII = ["２", "٣", "۱۲"]
PERIOD = "2024-05"


@pytest.fixture
def compound():
    return CompoundFactory(code="C0001", community=CommunityFactory(street=StreetFactory()))


@pytest.fixture
def officer(compound):
    return street_officer(compound.community.street)


@pytest.fixture
def report(compound):
    import datetime

    return monthly_report_get_or_create(street=compound.community.street, period=datetime.date(2024, 5, 1))


def grid_post(client, report, value):
    url = reverse("reporting:grid", kwargs={"street_code": report.street.code, "period": PERIOD})
    cells = {f"C0001__{name}": value for name in ("petitions", "fees_due", "evaluation_score")}
    response = client.post(url, {"version": report.version, **cells})
    return response.status_code, response.content.decode()


def test_the_grid_refuses_a_huge_exponent_at_once(client, officer, report):
    client.force_login(officer)
    status, page = run_capped(lambda: grid_post(client, report, HUGE)).value
    assert status == 400 and page.count("数值过大") == 3
    assert not MonthlyRecord.objects.exists()


@pytest.mark.parametrize("value", NON_ASCII)
def test_the_grid_refuses_digits_other_than_ascii(client, officer, report, value):
    client.force_login(officer)
    status, page = grid_post(client, report, value)
    assert status == 400 and page.count("请使用半角阿拉伯数字") == 3
    assert not MonthlyRecord.objects.exists()


@pytest.mark.parametrize("value", NON_ASCII)
def test_the_api_refuses_digits_other_than_ascii(officer, compound, value):
    client = token_client(officer, can_write=True)
    response = client.post("/api/v1/monthly-reports/", {
        "street": compound.community.street.code, "period": PERIOD,
        "records": [{"compound": "C0001", "petitions": value, "fees_due": value}]}, format="json")
    assert response.status_code == 400, response.content
    assert "请使用半角阿拉伯数字" in response.content.decode()
    assert not MonthlyRecord.objects.exists()


@pytest.mark.parametrize("figure", ["petitions", "fees_due", "evaluation_score"])
def test_the_api_refuses_a_huge_exponent(officer, compound, figure):
    client = token_client(officer, can_write=True)
    response = run_capped(lambda: client.post("/api/v1/monthly-reports/", {
        "street": compound.community.street.code, "period": PERIOD,
        "records": [{"compound": "C0001", figure: HUGE}]}, format="json").status_code).value
    assert response == 400
    assert not MonthlyRecord.objects.exists()


def test_a_report_version_in_other_digits_is_not_a_version(officer, report):
    client = token_client(officer, can_write=True)
    response = client.patch(f"/api/v1/monthly-reports/{report.pk}/", {
        "version": "٣", "records": [{"compound": "C0001", "petitions": 1}]}, format="json")
    assert response.status_code == 400 and "请使用半角阿拉伯数字" in response.content.decode()


def test_the_public_round_filter_refuses_a_huge_year_at_once(client):
    # The public selection API: `year` went to the database as int(Decimal(text)).
    response = run_capped(lambda: client.get("/api/v1/selection-rounds/", {"year": HUGE}).status_code)
    assert response.value == 400


@pytest.mark.parametrize("year", ["２０２４", "٢٠٢٤"])
def test_the_public_round_filter_refuses_a_year_in_other_digits(client, year):
    response = client.get("/api/v1/selection-rounds/", {"year": year})
    assert response.status_code == 400 and "请使用半角阿拉伯数字" in response.content.decode()


def test_a_judges_score_in_other_digits_is_refused(client):
    from selection.tests.conftest import all_stages_open, judge

    staff = city_staff()
    selection_round = selection_services.round_create(year=2025, title="推选", quota=1, nomination_limit_per_district=3,
                                                      stages=all_stages_open(), created_by=staff)
    selection_round = selection_services.round_open(selection_round=selection_round, user=staff)
    candidate = selection_services.nomination_create(selection_round=selection_round, street=StreetFactory(), user=staff)
    criterion = selection_round.criteria.get(code="material_review")
    expert = judge()
    assignment = selection_services.judge_assign(criterion=criterion, judge=expert, user=staff)
    client.force_login(expert)
    response = client.post(reverse("selection:judge_score", args=[assignment.pk]),
                           {"nomination": candidate.pk, "value": "９０"}, follow=True)
    assert "请使用半角阿拉伯数字" in response.content.decode()
    assert not assignment.scores.exists()
    with pytest.raises(ValidationError, match="请使用半角阿拉伯数字"):
        selection_services.score_submit(judge=expert, nomination=candidate, criterion=criterion, value="９０")


@pytest.mark.parametrize("value, message", [("３００", "请使用半角阿拉伯数字"), (HUGE, "数值过大")])
def test_a_registry_file_with_such_numbers_is_refused_row_by_row(compound, value, message):
    households = compound.households
    content = export_file(CompoundResource(), "csv", Compound.objects.filter(pk=compound.pk))
    header, line = content.strip("\ufeff").splitlines()[:2]
    cells = line.split(",")
    cells[header.split(",").index("户数")] = value
    result = run_capped(lambda: import_file(CompoundResource(), f"{header}\n{','.join(cells)}\n", "csv", dry_run=False))
    assert any(message in error for error in row_errors(result.value)), row_errors(result.value)
    compound.refresh_from_db()
    assert compound.households == households


def test_the_admin_refuses_a_count_in_other_digits(client, compound):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(superuser)
    url = reverse("admin:communities_compound_change", args=[compound.pk])
    form = client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None and not isinstance(value, list)}
    response = client.post(url, {**data, "households": "３００"})
    assert response.status_code == 200 and "请使用半角阿拉伯数字" in response.content.decode()


# --- The rule, for every field that takes a number ---------------------------------------------------

NUMBER_FORM_FIELDS = (forms.IntegerField, forms.DecimalField, forms.FloatField)
NUMBER_SERIALIZER_FIELDS = (serializers.IntegerField, serializers.DecimalField, serializers.FloatField)


def _project_subclasses(base, module: str) -> set:
    """The project's subclasses of `base`, once every app's `module` is imported."""
    project = {config.name for config in apps.get_app_configs() if config.path.startswith(str(settings.BASE_DIR))}
    for name in project:
        try:
            importlib.import_module(f"{name}.{module}")
        except ModuleNotFoundError:
            pass
    found, waiting = set(), [base]
    while waiting:
        for subclass in waiting.pop().__subclasses__():
            waiting.append(subclass)
            if subclass.__module__.split(".")[0] in project:
                found.add(subclass)
    return found


def test_every_admin_form_reads_numbers_through_common_numbers():
    request = RequestFactory().get("/")
    request.user = UserFactory(is_superuser=True, is_staff=True)
    wrong = []
    for model, model_admin in admin.site._registry.items():
        admins = [model_admin, *model_admin.get_inline_instances(request)]
        for each in admins:
            if not (each.has_add_permission(request, None) if hasattr(each, "get_formset")
                    else each.has_add_permission(request)) and not each.has_change_permission(request):
                continue  # a read-only admin: its form never takes input
            form = each.get_formset(request).form if hasattr(each, "get_formset") else each.get_form(request)
            wrong += [f"{type(each).__name__}.{name}" for name, field in form.base_fields.items()
                      if isinstance(field, NUMBER_FORM_FIELDS)
                      and not isinstance(field, (number_forms.IntegerField, number_forms.DecimalField))]
    assert not wrong, "admin number fields not read by common.forms: " + ", ".join(wrong)


def test_every_filterset_reads_numbers_through_common_numbers():
    wrong = [f"{filterset.__name__}.{name}" for filterset in _project_subclasses(django_filters.FilterSet, "filtersets")
             for name, each in filterset.base_filters.items()
             if issubclass(each.field_class, NUMBER_FORM_FIELDS)
             and not issubclass(each.field_class, (number_forms.IntegerField, number_forms.DecimalField))]
    assert not wrong, "number filters not read by common.forms: " + ", ".join(wrong)


def test_every_form_of_the_portal_reads_numbers_through_common_numbers():
    wrong = [f"{form.__name__}.{name}" for form in _project_subclasses(forms.BaseForm, "forms")
             for name, field in form.base_fields.items()
             if isinstance(field, NUMBER_FORM_FIELDS)
             and not isinstance(field, (number_forms.IntegerField, number_forms.DecimalField))]
    assert not wrong, "form number fields not read by common.forms: " + ", ".join(wrong)


def test_every_writable_serializer_field_reads_numbers_through_common_numbers():
    wrong = []
    for serializer in _project_subclasses(serializers.Serializer, "api.serializers"):
        try:
            declared = serializer().fields
        except Exception:  # noqa: BLE001 - a serializer that needs arguments to be built declares no inputs here
            continue
        wrong += [f"{serializer.__name__}.{name}" for name, field in declared.items()
                  if isinstance(field, NUMBER_SERIALIZER_FIELDS) and not field.read_only
                  and not isinstance(field, (number_fields.IntegerField, number_fields.DecimalField))]
    assert not wrong, "writable number fields not read by common.api.fields: " + ", ".join(wrong)
