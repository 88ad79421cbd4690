"""The entry grid's server side: flag reasons and explanations on the cells, paging that saves what was
typed, and help for each field in Chinese. (Typing, copying and the unsaved-changes guard run in
the browser: test_month_browser.py.)"""
import re

import pytest
from django.urls import reverse

from communities.models import Compound
from reporting.models import MonthlyRecord
from reporting.periods import add_months
from reporting.services import monthly_records_save, monthly_report_get_or_create
from reporting.validation import FIELDS, RowInput
from reporting.views import GRID_PAGE_SIZE
from tests.factories import CompoundFactory

from .conftest import PERIOD, row

pytestmark = pytest.mark.django_db


def grid_url(street, page=None):
    path = reverse("reporting:grid", kwargs={"street_code": street.code, "period": PERIOD})
    return path if page is None else f"{path}?page={page}"


def flag_petitions(report, officer, explanation=""):
    """C0001's 30 petitions against four months of 2: flagged by the rules themselves."""
    for months_back in range(1, 5):
        period = add_months(PERIOD, -months_back)
        MonthlyRecord.objects.create(report=monthly_report_get_or_create(street=report.street, period=period),
                                     compound=Compound.objects.get(code="C0001"), period=period, petitions=2)
    monthly_records_save(report=report, rows=[RowInput("C0001", {"petitions": 30},
                                                       explanations={"petitions": explanation})],
                         actor=officer, expected_version=report.version, source="t")
    report.refresh_from_db()


def test_a_flagged_cell_shows_its_reason_and_an_explanation_field(client, report, officer):
    flag_petitions(report, officer, explanation="外墙脱落集中投诉")
    client.force_login(officer)
    page = client.get(grid_url(report.street)).content.decode()
    cell = page[page.index('name="C0001__petitions"'):]
    cell = cell[:cell.index("</td>")]
    assert '<div class="flag-reason" role="note">信访件数 30 远高于近6个月中位数 2</div>' in cell
    assert 'name="C0001__petitions__why"' in cell and 'value="外墙脱落集中投诉"' in cell


def test_an_explanation_typed_in_the_grid_is_saved_with_the_record(client, report, officer):
    flag_petitions(report, officer)
    client.force_login(officer)
    data = {"version": report.version, "C0001__petitions": "30", "C0001__petitions__why": "外墙脱落集中投诉"}

    response = client.post(grid_url(report.street), data)

    assert response.status_code == 302
    [flag] = MonthlyRecord.objects.get(compound__code="C0001", period=PERIOD).flags
    assert flag["explanation"] == "外墙脱落集中投诉"


def test_every_column_has_chinese_help_and_no_field_name(client, report, officer):
    client.force_login(officer)
    page = client.get(grid_url(report.street)).content.decode()
    titles = re.findall(r'<th class="num" title="([^"]*)">', page)
    assert len(titles) == len(FIELDS) and all(titles)
    for spec in FIELDS:
        assert spec.name not in " ".join(titles)
    assert "各项填写说明" in page


def test_paging_saves_what_was_typed_before_moving_on(client, report, officer, community):
    CompoundFactory.create_batch(GRID_PAGE_SIZE, community=community)
    client.force_login(officer)
    page = client.get(grid_url(report.street)).content.decode()
    assert '<button type="submit" name="goto" value="2"' in page
    form = page[page.index('<form method="post" class="grid-form"'):]
    # Enter in a cell clicks the form's first submit button: it must save this page, not page on.
    assert 'data-testid="save-grid"' in re.search(r'<button type="submit"[^>]*>', form)[0]
    first = re.search(r'name="(\w+)__petitions"', page)[1]  # a compound of page 1

    response = client.post(grid_url(report.street), {"version": report.version, f"{first}__petitions": "7", "goto": "2"})

    assert response.status_code == 302 and response.url == grid_url(report.street, page=2)
    assert MonthlyRecord.objects.get(compound__code=first).petitions == 7


def test_paging_with_an_error_stays_on_the_page_and_keeps_the_typing(client, report, officer, community):
    CompoundFactory.create_batch(GRID_PAGE_SIZE, community=community)
    client.force_login(officer)

    first, second = re.findall(r'name="(\w+)__petitions"', client.get(grid_url(report.street)).content.decode())[:2]

    response = client.post(grid_url(report.street), {"version": report.version, f"{first}__petitions": "-1",
                                                     f"{second}__petitions": "5", "goto": "2"})

    assert response.status_code == 400
    page = response.content.decode()
    assert f'name="{second}__petitions" value="5"' in page
    assert not MonthlyRecord.objects.exists()


def test_each_cell_carries_what_the_browser_checks_and_copies(client, report, officer, street):
    april = monthly_report_get_or_create(street=street, period=add_months(PERIOD, -1))
    monthly_records_save(report=april, rows=[row("C0001", hotline_received=6, hotline_resolved=5)], actor=officer,
                         expected_version=april.version, source="t")
    client.force_login(officer)
    page = client.get(grid_url(street)).content.decode()
    assert ('name="C0001__hotline_resolved" value="" aria-label="泉秀花园 12345物业诉求办结件数" data-kind="count" '
            'data-previous="5" data-whole="C0001__hotline_received" data-whole-label="12345物业诉求受理件数"') in page
    assert 'id="grid-messages"' in page and "js/grid.js" in page
