"""Committee members' names and numbers (PIPL): in full only for the owning street's officers, whose
unmasked views of numbers are logged; masked (林**, 138****5678) on every other way out."""
import logging
import re

import pytest
from django.contrib import admin

from accounts.models import Role
from committees.models import CommitteeMember

from tests.api_clients import session_client, token_client
from tests.factories import (
    CommitteeMemberFactory,
    StreetFactory,
    UserFactory,
    city_staff,
    district_staff,
    street_officer,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_admin_shows_the_superuser_names_and_numbers_masked_and_logs_nothing(client, caplog):
    member = CommitteeMemberFactory(name="林秀英", phone="13812345678")
    client.force_login(city_staff(is_superuser=True, is_staff=True))

    with caplog.at_level(logging.INFO, logger="quanzhou_pm.personal_data"):
        pages = [client.get(f"/admin/committees/committeemember/{member.pk}/{page}").content.decode()
                 for page in ("change/", "history/")]
        pages.append(client.get("/admin/committees/committeemember/").content.decode())
        pages.append(client.get(f"/admin/committees/ownerscommittee/{member.committee_id}/change/").content.decode())

    for page in pages:
        assert "13812345678" not in page and "林秀英" not in page
    assert "138****5678" in pages[0] and "林**" in pages[0] and "林**" in pages[2] and "林**" in pages[3]
    assert not [r for r in caplog.records if r.name == "quanzhou_pm.personal_data"]


def test_a_name_corrected_in_the_portal_shows_masked_in_the_admins_history(client):
    member = CommitteeMemberFactory(name="林秀英")
    member.name = "林秀瑛"
    member.save()
    client.force_login(city_staff(is_superuser=True, is_staff=True))
    page = client.get(f"/admin/committees/committeemember/{member.pk}/history/").content.decode()
    assert "林秀英" not in page and "林秀瑛" not in page and "林**" in page


def test_the_member_export_carries_no_phone_numbers(client):
    member = CommitteeMemberFactory(phone="13812345678")
    client.force_login(city_staff(is_superuser=True, is_staff=True))

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


# --- Members' names: in full for the owning street's officers only, masked (林**) on every other way out ---

NAME = "林秀英"


@pytest.fixture
def named_member():
    member = CommitteeMemberFactory(name=NAME, phone="13812345678")
    # A correction of the name, so that the history holds the name twice (old → new).
    member.name = f"{NAME}子"
    member.save()
    member.name = NAME
    member.save()
    return member


def _body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8-sig")


def _api_callers(member):
    street = member.committee.compound.community.street
    return {
        "city staff": token_client(city_staff()),
        "district staff": token_client(district_staff(street.district)),
        "a city-wide API client": token_client(UserFactory(role=Role.API_CLIENT)),
        "an API client scoped to the owning street": token_client(
            UserFactory(role=Role.API_CLIENT, street=street, district=street.district)),
    }


def test_no_api_caller_outside_the_owning_street_reads_a_members_name(named_member):
    url = "/api/v1/committees/"
    leaked = {}
    for who, api in _api_callers(named_member).items():
        for response in (api.get(url), api.get(f"{url}{named_member.committee_id}/"), api.get(url, {"format": "csv"})):
            assert response.status_code == 200, who
            body = _body(response)
            if NAME in body or "13812345678" in body:
                leaked[who] = response.request["PATH_INFO"]
            assert "林**" in body, who
    assert leaked == {}


def test_the_owning_streets_officer_reads_the_names_in_the_api(named_member):
    officer = street_officer(named_member.committee.compound.community.street)
    api = session_client(officer)
    assert NAME in _body(api.get(f"/api/v1/committees/{named_member.committee_id}/"))
    assert NAME in _body(api.get("/api/v1/committees/", {"format": "csv"}))


def test_another_streets_officer_neither_reads_the_committee_nor_changes_its_members(client, named_member):
    client.force_login(street_officer(StreetFactory()))
    assert client.get(f"/registry/committee/{named_member.committee_id}/").status_code == 404
    response = client.post(f"/registry/member/{named_member.pk}/leave/", {"on": "2024-01-01"})
    assert response.status_code == 404
    assert CommitteeMember.objects.get(pk=named_member.pk).left_on is None


@pytest.mark.parametrize("page", ["committee", "compound", "dashboard"])
def test_district_staff_read_the_pages_and_their_history_with_names_masked(client, named_member, page):
    compound = named_member.committee.compound
    client.force_login(district_staff(compound.community.street.district))
    url = {"committee": f"/registry/committee/{named_member.committee_id}/",
           "compound": f"/registry/compound/{compound.code}/",
           "dashboard": f"/dashboard/compound/{compound.code}/"}[page]
    content = client.get(url).content.decode()
    assert "林**" in content
    assert NAME not in content and "13812345678" not in content


def test_district_staff_cannot_change_a_member(client, named_member):
    client.force_login(district_staff(named_member.committee.compound.community.street.district))
    response = client.post(f"/registry/member/{named_member.pk}/leave/", {"on": "2024-01-01"})
    assert response.status_code == 403
    assert CommitteeMember.objects.get(pk=named_member.pk).left_on is None


@pytest.mark.parametrize("table", ["committees", "changes"])
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_dashboard_downloads_outside_the_owning_street_carry_no_names(client, named_member, table, fmt):
    client.force_login(city_staff())
    response = client.get(f"/dashboard/compound/{named_member.committee.compound.code}/",
                          {"export": table, "format": fmt})
    assert response.status_code == 200
    text = _xlsx_text(response.content)
    assert "林**".encode() in text and NAME.encode() not in text


def _xlsx_text(content: bytes) -> bytes:
    """The shared strings and sheets of an .xlsx file (a zip), or the content itself."""
    import io
    import zipfile

    if not content.startswith(b"PK"):
        return content
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return b"".join(archive.read(name) for name in archive.namelist() if name.endswith(".xml"))


def test_the_owning_officer_sees_names_in_the_committee_page_and_its_history(client, named_member, caplog):
    officer = street_officer(named_member.committee.compound.community.street)
    client.force_login(officer)
    with caplog.at_level(logging.INFO, logger="quanzhou_pm.personal_data"):
        content = client.get(f"/registry/committee/{named_member.committee_id}/").content.decode()
    assert NAME in content and f"{NAME}子 → {NAME}" in content and "13812345678" in content
    assert any(officer.username in r.getMessage() for r in caplog.records if r.name == "quanzhou_pm.personal_data")


def test_no_admin_export_in_any_format_carries_a_members_name(client, named_member):
    client.force_login(city_staff(is_superuser=True, is_staff=True))
    exported = {}
    for model, model_admin in admin.site._registry.items():
        if not hasattr(model_admin, "get_export_formats"):
            continue
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/export/"
        page = client.get(url).content.decode()
        columns = dict.fromkeys(re.findall(r'<input type="checkbox" name="([^"]+)"', page), "on")
        for index, fmt in enumerate(model_admin.get_export_formats()):
            response = client.post(url, {"format": str(index), "resource": "0", **columns})
            assert response.status_code == 200 and "attachment" in response["Content-Disposition"], (model, fmt)
            if NAME.encode() in _xlsx_text(response.content):
                exported[model._meta.label, fmt().get_title()] = True
    assert exported == {}
    assert any(label == "committees.CommitteeMember" for label in
               [m._meta.label for m, a in admin.site._registry.items() if hasattr(a, "get_export_formats")])


def test_the_owning_officer_corrects_a_members_name_and_the_history_says_so(client, named_member):
    client.force_login(street_officer(named_member.committee.compound.community.street))
    response = client.post(f"/registry/member/{named_member.pk}/correct/", {"name": "林秀瑛", "phone": "13812345679"})
    assert response.status_code == 302
    member = CommitteeMember.objects.get(pk=named_member.pk)
    assert (member.name, member.phone) == ("林秀瑛", "13812345679")
    page = client.get(f"/registry/committee/{member.committee_id}/")
    assert any(entry.kind == "更正" and "林秀英 → 林秀瑛" in entry.changes for entry in page.context["history"])


@pytest.mark.parametrize("who", ["city staff", "district staff"])
def test_nobody_outside_the_owning_street_corrects_a_members_name_or_is_offered_the_form(client, named_member, who):
    street = named_member.committee.compound.community.street
    client.force_login(city_staff() if who == "city staff" else district_staff(street.district))
    page = client.get(f"/registry/committee/{named_member.committee_id}/").content.decode()
    response = client.post(f"/registry/member/{named_member.pk}/correct/", {"name": "改名", "phone": ""})
    assert "/correct/" not in page and NAME not in page
    assert response.status_code == 403
    assert CommitteeMember.objects.get(pk=named_member.pk).name == NAME
