"""No text in any file the portal writes runs as a formula (common.spreadsheets).

Areas, compounds and firms are given names that Excel would run (`=HYPERLINK(…)`, `@SUM(…)`, `+…`,
`-…`, a leading tab or carriage return), then every way out is downloaded: every table of every
dashboard page in both formats (the links are read off the pages), every API list as CSV, every
admin export in every format, the street's monthly template (page and command), and the registry
export read back by its import. Every .xlsx must hold no formula and mark each such text as quoted
text; every CSV cell such text must carry the apostrophe. The monthly template still round-trips.
A last test reads the source: a module that writes a spreadsheet without common.spreadsheets fails.
"""
from __future__ import annotations

import csv
import datetime
import html
import io
import re
import zipfile
from pathlib import Path

import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from common.spreadsheets import CSV_TEXT_PREFIX, csv_cell, csv_cell_restored, runs_as_formula
from communities.models import Compound
from communities.resources import CompoundResource
from metrics.services import recompute_range
from reporting.excel import monthly_template, read_monthly_workbook
from reporting.services import (
    monthly_records_save,
    monthly_report_approve,
    monthly_report_get_or_create,
    monthly_report_submit,
)
from reporting.validation import RowInput
from tests.factories import (
    CommunityFactory,
    CompoundFactory,
    PropertyFirmFactory,
    ServiceContractFactory,
    StreetFactory,
    city_staff,
    district_staff,
    street_officer,
)
from tests.registry_files import export_file, import_file

pytestmark = pytest.mark.django_db

PERIOD = datetime.date(2024, 5, 1)
HYPERLINK = '=HYPERLINK("http://evil.example/","点击")'
NAMES = {
    "street": "-2+3街道",
    "community": "+1+1社区",
    "compound": HYPERLINK,
    "other_compound": "@SUM(1+1)",
    "tab_compound": "\t=1+1",
    "firm": "=cmd|' /C calc'!A0",
    "address": "-1+1号",
}
PROJECT = Path(__file__).resolve().parent.parent


@pytest.fixture
def hostile(settings):
    settings.METRICS_BASELINE_PERIOD = "2024-05"
    street = StreetFactory(name=NAMES["street"])
    community = CommunityFactory(street=street, name=NAMES["community"])
    compounds = [CompoundFactory(community=community, name=NAMES[key], address=NAMES["address"])
                 for key in ("compound", "other_compound", "tab_compound")]
    firm = PropertyFirmFactory(name=NAMES["firm"], registered_district=street.district)
    ServiceContractFactory(firm=firm, compound=compounds[0])
    officer = street_officer(street, is_staff=True)
    report = monthly_report_get_or_create(street=street, period=PERIOD)
    monthly_records_save(report=report, rows=[RowInput(c.code, {"petitions": 1, "weekly_meetings": 2}, 2 + n)
                                              for n, c in enumerate(compounds)],
                         actor=officer, expected_version=report.version, source="测试")
    report = monthly_report_submit(report=report, actor=officer)
    monthly_report_approve(report=report, actor=district_staff(street.district))
    recompute_range(first=PERIOD, last=PERIOD)
    return street, compounds, officer


# --- what a safe file looks like ---------------------------------------------------------------

def xlsx_texts(content: bytes) -> list[str]:
    """Every text of the workbook; fails when a cell is a formula or a formula-like text is not quoted."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/"):
                assert not re.search(rb"<(\w+:)?f[ >/]", archive.read(name)), f"a formula in {name}"
    texts = []
    for sheet in load_workbook(io.BytesIO(content)).worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula: {cell.value!r}"
                if runs_as_formula(cell.value):
                    assert cell.quotePrefix, f"{sheet.title}!{cell.coordinate} is not quoted: {cell.value!r}"
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    return texts


def csv_texts(content: bytes | str) -> list[str]:
    """Every cell of the CSV file, as written; fails when one would run as a formula."""
    text = content.decode("utf-8-sig") if isinstance(content, bytes) else content.lstrip("\ufeff")
    cells = [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]
    running = [cell for cell in cells if runs_as_formula(cell)]
    assert not running, f"cells that would run: {running}"
    return cells


def file_texts(response) -> list[str]:
    content_type = response["Content-Type"]
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if "spreadsheetml" in content_type:
        return xlsx_texts(body)
    assert content_type.startswith("text/csv"), content_type
    return csv_texts(body)


def assert_carried_safely(texts: list[str], *keys: str) -> None:
    """The hostile names are in the file, as quoted text (.xlsx) or behind the apostrophe (CSV)."""
    for key in keys:
        assert NAMES[key] in texts or CSV_TEXT_PREFIX + NAMES[key] in texts, (key, texts[:40])


# --- every way out -------------------------------------------------------------------------------

def dashboard_downloads(client, url: str) -> list[str]:
    page = client.get(url, {"period": "2024-05"})
    assert page.status_code == 200, url
    links = {html.unescape(link) for link in re.findall(r'href="([^"]*[?&](?:amp;)?export=[^"]*)"', page.content.decode())}
    assert links, f"no downloads on {url}"
    return sorted(links)


def test_every_dashboard_download_carries_the_names_as_text(hostile, client):
    street, compounds, _officer = hostile
    client.force_login(city_staff())
    texts, downloads = [], 0
    for url in [reverse("dashboard:overview"), reverse("dashboard:laggards"),
                reverse("dashboard:district", kwargs={"code": street.district.code}),
                reverse("dashboard:street", kwargs={"code": street.code}),
                reverse("dashboard:community", kwargs={"code": compounds[0].community.code}),
                reverse("dashboard:compound", kwargs={"code": compounds[0].code})]:
        for link in dashboard_downloads(client, url):
            response = client.get(link if link.startswith("/") else url + link)
            assert response.status_code == 200, link
            texts += file_texts(response)
            downloads += 1
    assert downloads >= 12
    assert_carried_safely(texts, "street", "community", "compound", "other_compound", "tab_compound", "firm")


def test_every_api_list_as_csv_carries_the_names_as_text(hostile, client):
    client.force_login(city_staff())
    texts = []
    for url in client.get("/api/v1/").json().values():
        response = client.get(url, {"format": "csv"})
        assert response.status_code == 200, url
        texts += file_texts(response)
    assert_carried_safely(texts, "street", "community", "compound", "other_compound", "tab_compound", "firm")


def test_every_admin_export_in_every_format_carries_the_names_as_text(hostile, client):
    client.force_login(city_staff(is_staff=True, is_superuser=True))
    texts, exports = [], 0
    for model, model_admin in admin.site._registry.items():
        if not hasattr(model_admin, "get_export_formats"):
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_export")
        # Every column the form offers, ticked as the form shows them.
        columns = dict.fromkeys(re.findall(r'<input type="checkbox" name="([^"]+)"', client.get(url).content.decode()), "on")
        assert columns, url
        for index, _fmt in enumerate(model_admin.get_export_formats()):
            response = client.post(url, {"format": str(index), "resource": "0", **columns})
            assert response.status_code == 200 and "attachment" in response["Content-Disposition"], (url, index)
            texts += file_texts(response)
            exports += 1
    assert exports >= 2 * 8
    assert_carried_safely(texts, "street", "community", "compound", "other_compound", "tab_compound", "firm")


def test_the_monthly_template_carries_the_names_as_text_and_reads_back_the_same(hostile, client, tmp_path):
    street, compounds, officer = hostile
    june = datetime.date(2024, 6, 1)
    report = monthly_report_get_or_create(street=street, period=june)
    monthly_records_save(report=report, rows=[RowInput(c.code, {"petitions": n, "weekly_meetings": 2}, 2 + n)
                                              for n, c in enumerate(compounds)],
                         actor=officer, expected_version=report.version, source="测试")
    client.force_login(officer)
    response = client.get(reverse("reporting:template", kwargs={"street_code": street.code, "period": "2024-06"}))
    assert_carried_safely(file_texts(response), "street", "compound", "other_compound", "tab_compound")
    out = tmp_path / "模板.xlsx"
    call_command("monthly_template", "--street", street.code, "--period", "2024-06", "--out", str(out))
    assert_carried_safely(xlsx_texts(out.read_bytes()), "street", "compound", "other_compound", "tab_compound")

    # Uploaded as downloaded: the same compounds, names and values; nothing to change.
    names = {row[0]: row[1] for row in load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(
        min_row=2, values_only=True)}
    assert names == {compound.code: compound.name for compound in compounds}
    rows = read_monthly_workbook(response.content, street=street, period=june)
    assert sorted((row.code, row.values["petitions"], row.values["weekly_meetings"]) for row in rows) == sorted(
        (compound.code, n, 2) for n, compound in enumerate(compounds))
    preview = client.post(reverse("reporting:upload", kwargs={"street_code": street.code, "period": "2024-06"}),
                          {"file": SimpleUploadedFile("月报.xlsx", response.content)})
    assert preview.status_code == 200, preview.content.decode()[:2000]
    assert "含有公式" not in preview.content.decode()


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_registry_export_imports_back_with_the_same_names(hostile, fmt):
    before = sorted(Compound.objects.values_list("code", "name", "address"))
    content = export_file(CompoundResource(), fmt, Compound.objects.all())
    texts = xlsx_texts(content) if fmt == "xlsx" else csv_texts(content)
    assert_carried_safely(texts, "compound", "other_compound", "tab_compound", "address")
    result = import_file(CompoundResource(), content.encode() if fmt == "csv" else content, fmt, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert sorted(Compound.objects.values_list("code", "name", "address")) == before


# --- the rule ------------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", "=", "-", "+cmd"])
def test_text_that_would_run_is_quoted_in_csv_and_restored_on_reading(text):
    assert runs_as_formula(text)
    assert csv_cell(text) == "'" + text and csv_cell_restored(csv_cell(text)) == text


@pytest.mark.parametrize("value", ["泉秀花园", "-12.5", "+3", "1e5", "'单引号开头", 12, -3, None, "a=b"])
def test_plain_text_and_numbers_are_left_as_they_are(value):
    assert not runs_as_formula(value)
    assert csv_cell(value) == value and csv_cell_restored(value) == value


WRITERS = re.compile(r"from openpyxl import[^\n]*\bWorkbook\b|openpyxl\.Workbook\(|\bcsv\.(?:writer|DictWriter)\("
                     r"|\.export_set\(|\.export\(\s*['\"](?:xlsx|csv)")


def test_every_module_that_writes_a_spreadsheet_goes_through_common_spreadsheets():
    offenders = []
    for path in PROJECT.rglob("*.py"):
        relative = path.relative_to(PROJECT)
        if relative.parts[0] in {".venv", "benchmarks", "node_modules"} or "tests" in relative.parts:
            continue
        source = path.read_text(encoding="utf-8")
        if WRITERS.search(source) and str(relative) != "common/spreadsheets.py" and "common.spreadsheets" not in source \
                and "from .spreadsheets import" not in source:
            offenders.append(str(relative))
    assert not offenders, f"modules writing spreadsheets without common.spreadsheets: {offenders}"
