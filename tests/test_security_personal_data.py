"""Unmasked phone numbers: only the owning street sees them, and every such view is logged."""
import logging
import re

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission

from committees.models import CommitteeMember

from tests.factories import CommitteeMemberFactory, city_staff, street_officer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _staff(user):
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="committees"))
    return user


def test_the_owning_officer_sees_the_number_and_the_view_is_logged(client, caplog):
    member = CommitteeMemberFactory(phone="13812345678")
    officer = _staff(street_officer(member.committee.compound.community.street))
    client.force_login(officer)

    with caplog.at_level(logging.INFO, logger="quanzhou_pm.personal_data"):
        page = client.get(f"/admin/committees/committeemember/{member.pk}/change/").content.decode()

    assert "13812345678" in page
    record = next(r for r in caplog.records if r.name == "quanzhou_pm.personal_data")
    assert officer.username in record.getMessage() and f"pk={member.pk}" in record.getMessage()


def test_city_staff_see_the_number_masked_and_nothing_is_logged(client, caplog):
    member = CommitteeMemberFactory(phone="13812345678")
    client.force_login(_staff(city_staff()))

    with caplog.at_level(logging.INFO, logger="quanzhou_pm.personal_data"):
        page = client.get(f"/admin/committees/committeemember/{member.pk}/change/").content.decode()

    assert "13812345678" not in page and "138****5678" in page
    assert not [r for r in caplog.records if r.name == "quanzhou_pm.personal_data"]


def test_the_member_export_carries_no_phone_numbers(client):
    member = CommitteeMemberFactory(phone="13812345678")
    client.force_login(_staff(city_staff()))

    url = "/admin/committees/committeemember/export/"
    # Every column the form offers, ticked, in its CSV format: a file must come back holding the member.
    columns = dict.fromkeys(re.findall(r'<input type="checkbox" name="([^"]+)"', client.get(url).content.decode()), "on")
    formats = admin.site._registry[CommitteeMember].get_export_formats()
    csv_format = next(index for index, fmt in enumerate(formats) if fmt().get_title() == "csv")
    response = client.post(url, {"format": str(csv_format), "resource": "0", **columns})

    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    exported = response.content.decode("utf-8-sig")
    assert member.committee.compound.code in exported
    assert "13812345678" not in exported
