"""`manage.py createsuperuser`, the first command of every deployment: a superuser is city staff."""
import pytest
from django.contrib.auth.management.commands import createsuperuser
from django.core.management import call_command

from accounts.models import Role, User
from accounts.scope import AreaScope

pytestmark = pytest.mark.django_db


class Terminal:
    """A stdin the command takes for a terminal (it refuses to prompt otherwise)."""

    def isatty(self):
        return True


def _answers(monkeypatch, *answers):
    """Answer the command's prompts in turn (they are in Chinese: 用户名, 电子邮件地址), then its password prompts."""
    replies = iter(answers)
    monkeypatch.setattr(createsuperuser, "input", lambda prompt="": next(replies), raising=False)
    monkeypatch.setattr(createsuperuser.getpass, "getpass", lambda prompt="": "Quanzhou-管理员-2025")


def _assert_city_wide_superuser(username):
    user = User.objects.get(username=username)
    assert user.is_superuser and user.is_staff
    assert (user.role, user.district_id, user.street_id) == (Role.CITY_STAFF, None, None)
    assert AreaScope.for_user(user).city_wide
    assert user.check_password("Quanzhou-管理员-2025")


def test_createsuperuser_asks_and_creates_city_staff(monkeypatch):
    _answers(monkeypatch, "admin", "admin@example.gov.cn")

    call_command("createsuperuser", interactive=True, stdin=Terminal(), verbosity=0)

    _assert_city_wide_superuser("admin")


def test_createsuperuser_without_input_takes_the_environment_and_creates_city_staff(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_USERNAME", "ops")
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "ops@example.gov.cn")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "Quanzhou-管理员-2025")

    call_command("createsuperuser", interactive=False, verbosity=0)

    _assert_city_wide_superuser("ops")

