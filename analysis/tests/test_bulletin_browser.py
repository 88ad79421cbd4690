"""The monthly bulletin in headless Chromium: reviewed on its page, generated, its PDF downloaded and read."""
import shutil
import subprocess

import pytest

from conftest import require_service
from tests.factories import city_staff
from tests.test_dashboard_browser import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_city_staff_review_the_bulletin_generate_it_and_download_its_pdf(page, screenshot, computed, private_media,
                                                                        tmp_path):
    require_service(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils)")
    staff = city_staff(username="bulletin_browser")
    staff.set_password(PASSWORD)
    staff.save()
    sign_in(page, "bulletin_browser")
    page.get_by_role("link", name="月度通报").click()
    page.select_option("#id_period", "2024-03")
    page.get_by_role("button", name="查看").click()
    assert "月度通报（2024年3月）" in page.locator("h1").inner_text()
    assert "业委会组建率 50.0%" in page.locator(".bulletin-summary").inner_text()
    assert page.locator("#table-streets tbody tr").first.locator("th").inner_text() == computed.areas["S2"].name
    screenshot("bulletin-01-review")

    page.get_by_role("button", name="生成通报文件（PDF 与 Excel）").click()
    assert "已开始生成通报文件" in page.locator(".messages").inner_text()
    page.reload()
    with page.expect_download() as download:
        page.get_by_role("link", name="下载 PDF").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name == "泉州市月度通报-2024-03.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True).stdout.decode()
    for expected in ("月度通报（2024年3月）", "区县排名", "业委会组建率 50.0%", computed.areas["S2"].name, "逾期上报"):
        assert expected in text, expected
    screenshot("bulletin-02-generated")
    assert page.console_errors == []
