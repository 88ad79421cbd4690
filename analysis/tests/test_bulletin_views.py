"""The bulletin over HTTP: who may read and generate it, the task that writes its files, the downloads."""
import io
import shutil
import subprocess

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from analysis.models import Bulletin
from conftest import require_service
from tests.factories import city_staff, district_staff, street_officer

PAGE = reverse("analysis:bulletin")


def generate(client, period="2024-03", *, run=None):
    """Ask for the month's bulletin; with `run` (django_capture_on_commit_callbacks) its task runs too."""
    if run is None:
        return client.post(reverse("analysis:bulletin_generate"), {"period": period})
    with run(execute=True):
        return client.post(reverse("analysis:bulletin_generate"), {"period": period})


def test_city_and_district_staff_read_the_bulletin_street_officers_do_not(computed, client,
                                                                         django_assert_max_num_queries):
    client.force_login(city_staff())
    with django_assert_max_num_queries(30):
        content = client.get(PAGE, {"period": "2024-03"}).content.decode()
    assert "月度通报（2024年3月）" in content and "区县排名（按业委会组建率）" in content
    assert "生成通报文件（PDF 与 Excel）" in content
    client.force_login(district_staff(computed.areas["D2"]))
    content = client.get(PAGE, {"period": "2024-03"}).content.decode()
    assert "街道(乡镇)排名" in content and "生成通报文件（PDF 与 Excel）" not in content
    client.force_login(street_officer(computed.areas["S1"]))
    assert client.get(PAGE).status_code == 404


def test_only_city_staff_generate_a_bulletin(computed, client, private_media):
    client.force_login(district_staff(computed.areas["D1"]))
    assert generate(client).status_code == 403
    assert not Bulletin.objects.exists()


def test_a_city_wide_system_signed_in_to_the_portal_does_not_generate_a_bulletin(computed, client, private_media):
    from accounts.models import Role
    from tests.factories import UserFactory

    client.force_login(UserFactory(role=Role.API_CLIENT))
    assert client.get(PAGE, {"period": "2024-03"}).status_code == 404
    assert generate(client).status_code == 404
    assert not Bulletin.objects.exists()


def test_a_district_system_signed_in_to_the_portal_reads_no_bulletin_of_every_district(computed, client):
    from accounts.models import Role
    from tests.factories import UserFactory

    client.force_login(UserFactory(role=Role.API_CLIENT, district=computed.areas["D1"]))
    assert client.get(PAGE, {"period": "2024-03"}).status_code == 404


def test_a_month_not_yet_due_cannot_be_generated(computed, client, private_media, settings):
    client.force_login(city_staff())
    response = generate(client, "2099-01")
    assert response.status_code == 302 and not Bulletin.objects.exists()


def test_a_generated_bulletin_downloads_as_a_pdf_with_its_chinese_text_and_figures(
        computed, client, private_media, django_capture_on_commit_callbacks):
    require_service(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils)")
    client.force_login(city_staff())
    assert generate(client, run=django_capture_on_commit_callbacks).status_code == 302
    bulletin = Bulletin.objects.get()
    assert bulletin.status == Bulletin.Status.DONE  # the task ran (eagerly without a broker)
    response = client.get(reverse("analysis:bulletin_file", kwargs={"pk": bulletin.pk, "kind": "pdf"}))
    pdf = b"".join(response.streaming_content)
    assert response["Content-Type"] == "application/pdf" and pdf.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    for expected in ("泉州市物业管理“四升一降”工作月度通报（2024年3月）", "全市核心指标", "业委会组建率", "50.0%",
                     "100.0%", computed.areas["S2"].name, "逾期上报", "红黑榜变动"):
        assert expected in text, expected


def test_a_generated_bulletin_downloads_as_a_workbook_with_heading_and_frozen_header(
        computed, client, private_media, django_capture_on_commit_callbacks):
    client.force_login(city_staff())
    generate(client, run=django_capture_on_commit_callbacks)
    bulletin = Bulletin.objects.get()
    response = client.get(reverse("analysis:bulletin_file", kwargs={"pk": bulletin.pk, "kind": "xlsx"}))
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    city = workbook["一、全市核心指标"]
    assert city["A1"].value == "泉州市物业管理“四升一降”工作月度通报（2024年3月）"
    assert city["A3"].value == "统计期：2024年3月"
    assert city["A5"].value == "指标" and city.freeze_panes == "A6"
    formation = next(row for row in city.iter_rows(min_row=6, values_only=True) if row[0] == "业委会组建率")
    assert formation[1:4] == (50, 2, 4)
    # A district's staff download what the city issued; a street officer cannot.
    client.force_login(district_staff(computed.areas["D2"]))
    assert client.get(reverse("analysis:bulletin_file", kwargs={"pk": bulletin.pk, "kind": "pdf"})).status_code == 200
    client.force_login(street_officer(computed.areas["S1"]))
    assert client.get(reverse("analysis:bulletin_file", kwargs={"pk": bulletin.pk, "kind": "pdf"})).status_code == 404


def test_asking_again_while_one_is_queued_returns_the_queued_one(computed, private_media):
    from analysis.services import bulletin_request
    from metrics.tests.conftest import MARCH

    staff = city_staff()
    queued = Bulletin.objects.create(period=MARCH, requested_by=staff)
    assert bulletin_request(period=MARCH, user=staff) == queued
    assert Bulletin.objects.count() == 1
