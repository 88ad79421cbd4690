"""Personal data (PIPL) is never a filter, a lookup, a search or a sort key, in the admin or the API.

A masked phone number used to come back digit by digit through `?phone__startswith=` on the member
admin: every list a user reaches is tried here with every personal field reachable from its rows.
"""
import datetime
import importlib
import importlib.util

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import result_headers
from django.contrib.admin.views.main import ORDER_VAR, SEARCH_VAR
from django.db.models import ForeignObjectRel
from django.utils import timezone
from django_filters import CharFilter, FilterSet, OrderingFilter
from rest_framework.generics import GenericAPIView

from accounts.models import Role
from committees.models import CommitteeMember
from common.privacy import reaches_personal_field
from common.api.urls import router
from selection.models import VerificationCode, Vote, Voter
from selection.services import phone_hash
from tests.api_clients import token_client
from tests.factories import CommitteeMemberFactory, UserFactory, city_staff

pytestmark = pytest.mark.django_db

# Written out here, not read from the models, so the test does not trust what it checks.
PERSONAL = {
    CommitteeMember: {"name", "phone"},
    Voter: {"phone_hash", "phone_masked"},
    Vote: {"phone_hash"},
    VerificationCode: {"phone_hash"},
}
ADMIN_LOOKUPS = ("", "__exact", "__iexact", "__startswith", "__istartswith", "__endswith", "__iendswith",
                 "__contains", "__icontains", "__regex", "__iregex", "__gt", "__gte", "__lt", "__lte", "__in",
                 "__isnull", "__range", "__isempty")
# Through a relation the library's own rule already refuses most lookups; a few kinds show it holds.
RELATED_LOOKUPS = ("", "__startswith", "__regex")
SEARCH_PREFIXES = "^=@$"


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def personal_paths(model, depth: int, _seen=()) -> list[str]:
    """Every ORM path from `model` to a personal field, through at most `depth` relations."""
    if model is None:
        return []
    found = []
    for field in model._meta.get_fields():
        if field.name in PERSONAL.get(model, ()):
            found.append(field.name)
        elif field.is_relation and field.related_model and depth and field.related_model not in _seen:
            if isinstance(field, ForeignObjectRel) and field.related_model._meta.auto_created:
                continue  # the hidden table of a many-to-many relation
            found += [f"{field.name}__{path}"
                      for path in personal_paths(field.related_model, depth - 1, (*_seen, model))]
    return found


def test_the_models_declare_the_personal_fields_the_portal_protects():
    assert {model: set(model.personal_fields) for model in PERSONAL} == PERSONAL


@pytest.fixture
def members():
    """Two committees with one member each, so that any filter on a member would change a list."""
    return [CommitteeMemberFactory(name="张三", phone="13800000001"),
            CommitteeMemberFactory(name="李四", phone="13900000002")]


@pytest.fixture
def vote(members):
    from selection.models import Nomination

    nomination = Nomination.objects.select_related("round").first()  # the 2024 round loaded as history
    voter = Voter.objects.create(phone_hash=phone_hash("13912345678"), phone_masked="139****5678",
                                 verified_at=timezone.now())
    return Vote.objects.create(round=nomination.round, nomination=nomination, voter=voter,
                               phone_hash=voter.phone_hash, cast_on=datetime.date(2024, 6, 1))


@pytest.fixture
def superuser_client(client):
    client.force_login(city_staff(is_superuser=True, is_staff=True))
    return client


def test_the_superuser_cannot_read_a_masked_number_digit_by_digit(superuser_client, members):
    client = superuser_client
    changelist = _changelist(CommitteeMember)
    page = client.get(f"{changelist}{members[0].pk}/change/").content.decode()
    assert "138****0001" in page and "13800000001" not in page

    for guess in ("1380000000", "13800000001"):
        assert client.get(changelist, {"phone__startswith": guess}).status_code == 400
    assert client.get(changelist, {"phone__regex": "^13800000001$"}).status_code == 400


REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
ADMIN_IDS = [model._meta.label for model, _ in REGISTERED]


def _changelist(model) -> str:
    return f"/admin/{model._meta.app_label}/{model._meta.model_name}/"


def _admin_probes(model) -> list[str]:
    probes = []
    for path in personal_paths(model, depth=3):
        lookups = ADMIN_LOOKUPS if "__" not in path else RELATED_LOOKUPS
        probes += [f"{path}{lookup}" for lookup in lookups]
    return probes


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=ADMIN_IDS)
def test_no_admin_list_filters_by_a_personal_field(superuser_client, members, vote, model, model_admin):
    refused = {}
    for lookup in _admin_probes(model):
        value = "13800000001,13900000002" if lookup.endswith(("__in", "__range")) else "1"
        refused[lookup] = superuser_client.get(_changelist(model), {lookup: value}).status_code
    assert {lookup: status for lookup, status in refused.items() if status != 400} == {}


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=ADMIN_IDS)
def test_no_admin_list_sorts_by_a_personal_field(superuser_client, members, vote, model, model_admin):
    page = superuser_client.get(_changelist(model))
    assert page.status_code == 200
    columns = list(page.context["cl"].list_display)
    personal = [index for index, column in enumerate(columns) if _sorts_by_personal_field(model, model_admin, column)]

    assert not {columns[index] for index in personal} & set(page.context["cl"].sortable_by)
    for index in personal:
        for order in (str(index), f"-{index}", f"1.{index}"):
            response = superuser_client.get(_changelist(model), {ORDER_VAR: order})
            assert response.status_code == 400, (columns[index], order)


def _sorts_by_personal_field(model, model_admin, column) -> bool:
    if isinstance(column, str) and column in PERSONAL.get(model, ()):
        return True
    attribute = getattr(model_admin, column, None) if isinstance(column, str) else column
    order_field = getattr(attribute, "admin_order_field", None)
    return isinstance(order_field, str) and order_field.lstrip("-") in personal_paths(model, depth=3)


def test_the_member_list_shows_names_masked_and_never_sorts_by_them(superuser_client, members):
    baseline = superuser_client.get(_changelist(CommitteeMember))
    cl = baseline.context["cl"]
    name_column = list(cl.list_display).index("name_masked")

    assert not list(result_headers(cl))[name_column]["sortable"]
    for params in ({}, {ORDER_VAR: str(name_column)}, {ORDER_VAR: f"-{name_column}"}):
        response = superuser_client.get(_changelist(CommitteeMember), params)
        assert response.status_code == 400 or not any(
            reaches_personal_field(CommitteeMember, str(key).lstrip("-"))
            for key in response.context["cl"].queryset.query.order_by), params
    assert "张*" in baseline.content.decode() and "张三" not in baseline.content.decode()


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=ADMIN_IDS)
def test_no_admin_sidebar_filter_or_date_hierarchy_is_on_a_personal_field(model, model_admin):
    # A sidebar filter reads its own parameters before the admin asks lookup_allowed about the rest.
    reachable = set(personal_paths(model, depth=4))
    paths = {entry[0] if isinstance(entry, (list, tuple)) else entry for entry in model_admin.list_filter}
    paths = {path for path in paths if isinstance(path, str)} | {model_admin.date_hierarchy} - {None}
    assert not paths & reachable


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=ADMIN_IDS)
def test_no_admin_search_reaches_a_personal_field(model, model_admin):
    reachable = set(personal_paths(model, depth=4))
    searched = {field.lstrip(SEARCH_PREFIXES) for field in model_admin.search_fields}
    assert not searched & reachable


@pytest.mark.parametrize("term", ["张三", "13800000001", "1380000"])
def test_searching_the_member_list_for_a_name_or_number_finds_nobody(superuser_client, members, term):
    response = superuser_client.get(_changelist(CommitteeMember), {SEARCH_VAR: term})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []


API_LISTS = sorted((prefix, viewset) for prefix, viewset, _basename in router.registry)


def _rows_model(viewset):
    """The model a list's rows come from; None when its list builds rows of computed figures itself."""
    if viewset.queryset is not None:
        return viewset.queryset.model
    if viewset.get_queryset is GenericAPIView.get_queryset:
        return None
    return viewset().get_queryset().model


@pytest.mark.parametrize(("prefix", "viewset"), API_LISTS, ids=[prefix for prefix, _ in API_LISTS])
def test_no_api_filter_ordering_or_search_names_a_personal_field(prefix, viewset):
    model = _rows_model(viewset)
    reachable = set(personal_paths(model, depth=4))
    filterset = getattr(viewset, "filterset_class", None)
    filtered = {f.field_name for f in filterset.base_filters.values()} if filterset else set()
    ordered = {name.lstrip("-") for name in getattr(viewset, "ordering_fields", None) or ()}
    searched = {name.lstrip(SEARCH_PREFIXES) for name in getattr(viewset, "search_fields", None) or ()}
    assert not (filtered | ordered | searched) & reachable


@pytest.mark.parametrize(("prefix", "viewset"), API_LISTS, ids=[prefix for prefix, _ in API_LISTS])
def test_personal_lookups_orderings_and_searches_change_no_api_list(members, vote, prefix, viewset):
    client = token_client(UserFactory(role=Role.API_CLIENT))
    url = f"/api/v1/{prefix}/"
    baseline = client.get(url)
    paths = personal_paths(_rows_model(viewset), depth=3) + ["members__phone"]
    probes = [{f"{path}{lookup}": "139"} for path in paths for lookup in ("", "__startswith", "__regex", "__isnull")]
    probes += [{key: value} for path in paths for key, value in (("ordering", path), ("ordering", f"-{path}"),
                                                                  ("o", path))]
    # A search for a member's name or number finds what a search for a word nobody has finds.
    searches = [{key: value} for key in ("search", "q") for value in ("李四", "13900000002", "1390000")]

    changed = []
    for params, expected in [(params, baseline) for params in probes] + [
            (params, client.get(url, {key: "无此词语" for key in params})) for params in searches]:
        response = client.get(url, params)
        if (response.status_code, _rows(response)) != (expected.status_code, _rows(expected)):
            changed.append(params)
    assert changed == []


def _filtersets():
    """Every FilterSet of the project (pages and API share them), its modules imported first."""
    project_apps = {app.name for app in apps.get_app_configs() if app.path.startswith(str(settings.BASE_DIR))}
    for name in project_apps:
        if importlib.util.find_spec(f"{name}.filtersets"):
            importlib.import_module(f"{name}.filtersets")
    found, todo = [], list(FilterSet.__subclasses__())
    while todo:
        filterset = todo.pop()
        todo += filterset.__subclasses__()
        if filterset._meta.model and filterset.__module__.split(".")[0] in project_apps:
            found.append(filterset)
    return sorted(found, key=lambda filterset: f"{filterset.__module__}.{filterset.__qualname__}")


FILTERSETS = _filtersets()


@pytest.mark.parametrize("filterset", FILTERSETS, ids=[filterset.__qualname__ for filterset in FILTERSETS])
def test_no_filterset_filters_or_orders_by_a_personal_field(filterset):
    model = filterset._meta.model
    reachable = set(personal_paths(model, depth=4))
    named = set()
    for name, declared in filterset.base_filters.items():
        named |= {name, declared.field_name}
        if isinstance(declared, OrderingFilter):
            named |= {field.lstrip("-") for field in declared.param_map.values()}
    assert not {path for path in named if isinstance(path, str)} & reachable


@pytest.mark.parametrize("filterset", FILTERSETS, ids=[filterset.__qualname__ for filterset in FILTERSETS])
def test_no_filterset_text_filter_finds_rows_by_a_members_name_or_number(members, filterset):
    """A free-text filter (a search) that reached a name or a number would find what nonsense does not."""
    queryset = filterset._meta.model._default_manager.all()
    found = {}
    for name, declared in filterset.base_filters.items():
        if not isinstance(declared, CharFilter):
            continue
        nothing = set(filterset({name: "无此词语"}, queryset=queryset).qs.values_list("pk", flat=True))
        for term in ("张三", "13800000001", "1380000"):
            rows = set(filterset({name: term}, queryset=queryset).qs.values_list("pk", flat=True))
            if rows != nothing:
                found[name, term] = rows
    assert found == {}


def test_the_project_has_filtersets_to_check():
    assert len(FILTERSETS) >= 5


def _rows(response):
    body = response.json() if response["Content-Type"].startswith("application/json") else response.content
    return body.get("results", body) if isinstance(body, dict) else body
