"""Personal data (PIPL) is never a filter, a lookup, a search or a sort key, in the admin or the API.

A masked phone number used to come back digit by digit through `?phone__startswith=` on the member
admin: every list a user reaches is tried here with every personal field reachable from its rows.
"""
import datetime

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.contrib.admin.views.main import ORDER_VAR, SEARCH_VAR
from django.db.models import ForeignObjectRel
from django.utils import timezone

from accounts.models import Role
from committees.models import CommitteeMember
from common.api.urls import router
from selection.models import VerificationCode, Vote, Voter
from selection.services import phone_hash
from tests.api_clients import token_client
from tests.factories import CommitteeMemberFactory, UserFactory, city_staff, district_staff

pytestmark = pytest.mark.django_db

# Written out here, not read from the models, so the test does not trust what it checks.
PERSONAL = {
    CommitteeMember: {"name", "phone"},
    Voter: {"phone_hash", "phone_masked"},
    Vote: {"phone_hash"},
    VerificationCode: {"phone_hash"},
}
ADMIN_LOOKUPS = ("", "__exact", "__iexact", "__startswith", "__istartswith", "__endswith", "__contains",
                 "__icontains", "__regex", "__iregex", "__gt", "__lte", "__in", "__isnull", "__range")
# Through a relation the library's own rule already refuses most lookups; a few kinds show it holds.
RELATED_LOOKUPS = ("", "__startswith", "__regex")
SEARCH_PREFIXES = "^=@$"


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def personal_paths(model, depth: int, _seen=()) -> list[str]:
    """Every ORM path from `model` to a personal field, through at most `depth` relations."""
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


def test_district_staff_cannot_read_a_masked_number_digit_by_digit(client, members):
    staff = district_staff(members[0].committee.compound.community.street.district, is_staff=True)
    staff.user_permissions.set(Permission.objects.filter(content_type__app_label="committees",
                                                         codename="view_committeemember"))
    client.force_login(staff)
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


def test_the_member_list_offers_no_sort_by_name_and_refuses_one(superuser_client, members):
    page = superuser_client.get(_changelist(CommitteeMember))
    name_column = list(page.context["cl"].list_display).index("name")

    assert "name" not in page.context["cl"].sortable_by
    assert superuser_client.get(_changelist(CommitteeMember), {ORDER_VAR: str(name_column)}).status_code == 400


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
    return (viewset.queryset if viewset.queryset is not None else viewset().get_queryset()).model


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
    # A list may have a search of its own (the registry's compounds: name, code, address); searching a
    # member's name or number must then find nothing, as ignoring the parameter would change nothing.
    searches = [{"search": "李四"}, {"q": "13900000002"}]

    changed = []
    for params in probes + searches:
        response = client.get(url, params)
        outcome = (response.status_code, _rows(response))
        if outcome != (baseline.status_code, _rows(baseline)) and not (params in searches and outcome == (200, [])):
            changed.append(params)
    assert changed == []


def _rows(response):
    body = response.json() if response["Content-Type"].startswith("application/json") else response.content
    return body.get("results", body) if isinstance(body, dict) else body
