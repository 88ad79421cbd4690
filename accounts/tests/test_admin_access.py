"""The Django admin is the city's system administrators' tool: superusers only (common.admin_site).

Staff flags and permissions do not open it: every role's work is in the portal's pages.
"""
import pytest
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Role, User
from accounts.navigation import items_for
from communities.models import Compound
from tests.factories import CompoundFactory, UserFactory, city_staff, district_staff, street_officer

pytestmark = pytest.mark.django_db

ADMIN_LOGIN = "/admin/login/"


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def compound():
    return CompoundFactory(name="温陵小区")


def _staff_with_every_permission(role, compound) -> User:
    street = compound.community.street
    user = {
        "street officer": lambda: street_officer(street),
        "district staff": lambda: district_staff(street.district),
        "city staff": city_staff,
        "judge": lambda: UserFactory(role=Role.JUDGE),
        "API client": lambda: UserFactory(role=Role.API_CLIENT),
    }[role]()
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.all())
    return user


def _pages(compound) -> list[str]:
    return ["/admin/", reverse("admin:communities_compound_changelist"),
            reverse("admin:communities_compound_change", args=[compound.pk]),
            reverse("admin:communities_compound_history", args=[compound.pk]),
            reverse("admin:communities_compound_export"), reverse("admin:accounts_user_changelist")]


def _change_form(compound, **changes):
    data = {field: getattr(compound, field) or "" for field in (
        "code", "name", "address", "households", "buildings", "housing_type", "management_mode", "active_from")}
    data["community"] = compound.community_id
    for prefix in ("management_periods", "contracts"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    return {**data, **changes}


ROLES = ["street officer", "district staff", "city staff", "judge", "API client"]


@pytest.mark.parametrize("role", ROLES)
def test_a_staff_user_who_is_not_a_superuser_is_refused_every_admin_page(client, compound, role):
    client.force_login(_staff_with_every_permission(role, compound))
    for url in _pages(compound):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(ADMIN_LOGIN), url


@pytest.mark.parametrize("role", ROLES)
def test_a_staff_user_who_is_not_a_superuser_writes_nothing_through_the_admin(client, compound, role):
    client.force_login(_staff_with_every_permission(role, compound))
    change = client.post(reverse("admin:communities_compound_change", args=[compound.pk]),
                         _change_form(compound, name="越权改名"))
    add = client.post(reverse("admin:communities_compound_add"), _change_form(compound, code=f"{compound.code}9"))

    assert change["Location"].startswith(ADMIN_LOGIN) and add["Location"].startswith(ADMIN_LOGIN)
    assert list(Compound.objects.values_list("name", flat=True)) == ["温陵小区"]


def test_the_superuser_reads_and_changes_through_the_admin(client, compound):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    for url in _pages(compound):
        assert client.get(url).status_code == 200, url
    response = client.post(reverse("admin:communities_compound_change", args=[compound.pk]),
                           _change_form(compound, name="系统管理员改名"))
    assert response.status_code == 302
    assert Compound.objects.get(pk=compound.pk).name == "系统管理员改名"


def test_an_inactive_superuser_is_refused(client, compound):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    User.objects.filter(is_superuser=True).update(is_active=False)
    assert client.get("/admin/")["Location"].startswith(ADMIN_LOGIN)


def test_the_admin_login_refuses_a_staff_user_who_is_not_a_superuser_in_chinese(client, compound):
    user = _staff_with_every_permission("city staff", compound)
    user.set_password("正确的密码123")
    user.save()

    response = client.post(ADMIN_LOGIN, {"username": user.username, "password": "正确的密码123", "next": "/admin/"})

    assert response.status_code == 200 and "仅供系统管理员使用" in response.content.decode()
    assert client.get("/admin/")["Location"].startswith(ADMIN_LOGIN)


def test_the_navigation_offers_the_admin_to_superusers_only(compound):
    def offers_admin(user):
        return any(item["url_name"] == "admin:index" for item in items_for(user))

    assert not any(offers_admin(_staff_with_every_permission(role, compound)) for role in ROLES)
    assert offers_admin(UserFactory(is_superuser=True, is_staff=True))


def test_createsuperuser_makes_an_administrator_who_gets_into_the_admin(client, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "管理员的密码456")
    call_command("createsuperuser", interactive=False, username="sysadmin", email="sysadmin@example.cn", verbosity=0)

    response = client.post(ADMIN_LOGIN, {"username": "sysadmin", "password": "管理员的密码456", "next": "/admin/"})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200
