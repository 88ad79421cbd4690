import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from selection import services
from tests.factories import DistrictFactory, StreetFactory, district_staff

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def nomination(make_round):
    district = DistrictFactory()
    user = district_staff(district)
    nomination = services.nomination_create(selection_round=make_round(), street=StreetFactory(district=district),
                                            user=user)
    return nomination, user


def test_a_pdf_is_stored_under_a_random_name_and_downloaded_as_an_attachment(nomination, client, tmp_path):
    nomination, user = nomination
    material = services.material_add(nomination=nomination, user=user,
                                     upload=SimpleUploadedFile("申报材料.pdf", PDF, content_type="text/html"))
    assert material.content_type == "application/pdf" and material.size == len(PDF)
    assert "申报材料" not in material.file.name and material.file.name.endswith(".pdf")
    assert (tmp_path / material.file.name).read_bytes() == PDF

    response = client.get(reverse("selection:material", args=[material.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize("name, content", [
    ("page.html", b"<html><script>alert(1)</script></html>"),
    ("drawing.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
    ("disguised.pdf", b"<html><script>alert(1)</script></html>"),
    ("tool.exe", b"MZ\x90\x00"),
])
def test_other_types_and_disguised_files_are_refused(nomination, name, content):
    nomination, user = nomination
    with pytest.raises(ValidationError, match="不支持的文件类型|文件内容与扩展名不符"):
        services.material_add(nomination=nomination, user=user, upload=SimpleUploadedFile(name, content))
    assert not nomination.materials.exists()


def test_files_over_the_size_limit_are_refused(nomination, settings):
    settings.SELECTION_MATERIAL_MAX_BYTES = 1024
    nomination, user = nomination
    with pytest.raises(ValidationError, match="文件过大"):
        services.material_add(nomination=nomination, user=user,
                              upload=SimpleUploadedFile("big.pdf", PDF + b"0" * 2048))


def test_another_districts_staff_cannot_add_material(nomination):
    nomination, _ = nomination
    with pytest.raises(ValidationError, match="只能推荐本区县"):
        services.material_add(nomination=nomination, user=district_staff(DistrictFactory()),
                              upload=SimpleUploadedFile("a.pdf", PDF))


def test_uploading_through_the_page_shows_the_chinese_error(nomination, client):
    nomination, user = nomination
    client.force_login(user)
    response = client.post(reverse("selection:material_upload", args=[nomination.pk]),
                           {"file": SimpleUploadedFile("x.html", b"<html></html>")}, follow=True)
    assert "不支持的文件类型" in response.content.decode()
