"""Request bodies the schema allows but the services cannot take are 400s in Chinese, never 500s."""
import pytest

from reporting.models import MonthlyRecord
from reporting.validation import FIELD_NAMES
from tests.api_clients import token_client
from tests.factories import CompoundFactory, street_officer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fast_password_hashing")]


@pytest.fixture
def compound():
    return CompoundFactory()


@pytest.fixture
def officer_client(compound):
    return token_client(street_officer(compound.community.street), can_write=True)


def test_a_record_posted_without_any_figure_is_a_400_not_a_server_error(compound, officer_client):
    response = officer_client.post("/api/v1/monthly-records/", {"compound": compound.code, "period": "2024-05",
                                                                "petitions": None}, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid" and "至少填写一项数据" in response.json()["message"]
    assert not MonthlyRecord.objects.exists()


def test_a_patch_that_would_blank_every_figure_of_a_record_is_a_400_and_keeps_it(compound, officer_client):
    created = officer_client.post("/api/v1/monthly-records/", {"compound": compound.code, "period": "2024-05",
                                                               "petitions": 2}, format="json")
    assert created.status_code == 201, created.content
    response = officer_client.patch(f"/api/v1/monthly-records/{created.json()['id']}/",
                                    dict.fromkeys(FIELD_NAMES), format="json")
    assert response.status_code == 400 and "至少填写一项数据" in response.json()["message"]
    assert MonthlyRecord.objects.get().petitions == 2


@pytest.mark.parametrize("version", [-1, 2_147_483_648])
def test_a_version_outside_the_documented_range_is_refused(compound, officer_client, version):
    response = officer_client.post("/api/v1/monthly-records/", {"compound": compound.code, "period": "2024-05",
                                                                "petitions": 1, "version": version}, format="json")
    assert response.status_code == 400 and response.json()["field"] == "version"


def test_a_report_with_more_rows_than_an_upload_may_have_is_refused_before_any_row_is_read(compound, officer_client,
                                                                                          settings):
    settings.MONTHLY_UPLOAD_MAX_ROWS = 3
    street = compound.community.street
    rows = [{"compound": compound.code, "weekly_meetings": 1}] * 4
    response = officer_client.post("/api/v1/monthly-reports/", {"street": street.code, "period": "2024-05",
                                                                "records": rows}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["field"] == "records" and body["message"] == "一次最多保存 3 行，本次为 4 行。"
    assert not MonthlyRecord.objects.exists()
    accepted = officer_client.post("/api/v1/monthly-reports/", {"street": street.code, "period": "2024-05",
                                                                "records": rows[:1]}, format="json")
    assert accepted.status_code == 201, accepted.content
