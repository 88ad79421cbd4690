import datetime

import pytest

from reporting.selectors import (
    flagged_records,
    missing_compounds,
    monthly_grid_page,
    monthly_grid_rows,
    monthly_report_history,
    review_queue,
)
from reporting.services import monthly_records_save, monthly_report_approve, monthly_report_get_or_create, monthly_report_submit
from tests.factories import CompoundFactory, city_staff

from .conftest import PERIOD, row

pytestmark = pytest.mark.django_db


def save(report, officer, *rows):
    return monthly_records_save(report=report, rows=list(rows), actor=officer, expected_version=report.version,
                                source="网格填报")


def test_missing_compounds_are_the_active_ones_without_a_record(report, officer, community):
    CompoundFactory(community=community, code="C0003", closed_on=datetime.date(2024, 5, 15))
    save(report, officer, row("C0001", petitions=1))
    assert [c.code for c in missing_compounds(street=report.street, period=PERIOD)] == ["C0002"]


def test_grid_rows_carry_this_and_last_months_records(report, officer, street):
    april = monthly_report_get_or_create(street=street, period=PERIOD.replace(month=4))
    save(april, officer, row("C0002", petitions=8))
    save(report, officer, row("C0001", petitions=1))
    rows = {r.compound.code: r for r in monthly_grid_rows(street=street, period=PERIOD)}
    assert rows["C0001"].record.petitions == 1 and rows["C0001"].previous is None
    assert rows["C0002"].record is None and rows["C0002"].previous.petitions == 8


def test_grid_page_holds_its_compounds_in_code_order_with_their_records(report, officer, street, community):
    CompoundFactory(community=community, code="C0000", closed_on=datetime.date(2024, 5, 15))  # not reporting
    CompoundFactory(community=community, code="C0003")
    april = monthly_report_get_or_create(street=street, period=PERIOD.replace(month=4))
    save(april, officer, row("C0003", petitions=8))
    save(report, officer, row("C0003", petitions=1), row("C0001", petitions=2))
    first = monthly_grid_page(street=street, period=PERIOD, number="1", per_page=2)
    last = monthly_grid_page(street=street, period=PERIOD, number="2", per_page=2)
    assert first.paginator.count == 3 and first.paginator.num_pages == 2
    assert [(r.compound.code, r.record and r.record.petitions) for r in first.object_list] == [("C0001", 2), ("C0002", None)]
    [only] = last.object_list
    assert (only.compound.code, only.record.petitions, only.previous.petitions) == ("C0003", 1, 8)


@pytest.mark.parametrize("number", ["9", "x", None])
def test_grid_page_out_of_range_or_not_a_number_gives_the_last_or_first_page(report, street, number):
    page = monthly_grid_page(street=street, period=PERIOD, number=number, per_page=1)
    assert page.number == (2 if number == "9" else 1)
    assert [r.compound.code for r in page.object_list] == (["C0002"] if number == "9" else ["C0001"])


def test_flagged_records_are_those_with_flags(report, officer):
    save(report, officer, row("C0001", petitions=1), row("C0002", petitions=2))
    report.records.filter(compound__code="C0002").update(flags=[{"field": "petitions", "message": "x"}])
    assert [r.compound.code for r in flagged_records(street=report.street, period=PERIOD)] == ["C0002"]


def test_review_queue_counts_records_flags_and_missing_compounds(report, officer, reviewer):
    save(report, officer, row("C0001", petitions=1))
    report.records.update(flags=[{"field": "petitions", "message": "x"}])
    monthly_report_submit(report=report, actor=officer)
    [queued] = review_queue(user=reviewer)
    assert (queued.record_count, queued.flagged_count, queued.expected_count, queued.missing_count) == (1, 1, 2, 1)
    assert review_queue(user=officer) == [queued], "the scope decides; the view refuses officers"


def test_history_lists_field_changes_with_user_and_state_changes(report, officer, reviewer):
    save(report, officer, row("C0001", petitions=1, hotline_received=3))
    save(report, officer, row("C0001", petitions=4, hotline_received=3))
    monthly_report_submit(report=report, actor=officer)
    monthly_report_approve(report=report, actor=reviewer)
    entries = monthly_report_history(report=report)
    fields = [(e.action, e.field, e.old, e.new, e.user) for e in entries if e.compound is not None]
    assert ("修改", "信访件数", "1", "4", officer) in fields
    assert ("新增", "12345物业诉求受理件数", "", "3", officer) in fields
    assert not any(field == "调解纠纷件数" for _, field, *_ in fields), "a new record lists only fields with a value"
    states = [(e.old, e.new, e.user) for e in entries if e.compound is None]
    assert states == [("已上报", "已审核", reviewer), ("草稿", "已上报", officer)]


def test_history_lists_deleted_records(report, officer):
    save(report, officer, row("C0001", petitions=2))
    save(report, officer, row("C0001"))
    deleted = [e for e in monthly_report_history(report=report) if e.action == "删除"]
    assert [(e.field, e.old, e.new) for e in deleted] == [("信访件数", "2", "")]


def test_city_staff_queue_spans_districts(report, officer):
    save(report, officer, row("C0001", petitions=1))
    monthly_report_submit(report=report, actor=officer)
    assert len(review_queue(user=city_staff())) == 1
