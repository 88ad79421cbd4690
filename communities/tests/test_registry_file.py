"""Registry files in the officers' language, and the street's .xlsx round trip through the page."""
import datetime
import io

import openpyxl
import pytest
from django.urls import reverse

from accounts.scope import AreaScope
from committees.models import CommitteeMember
from committees.resources import CommitteeMemberResource
from communities.models import Compound
from communities.registry_file import registry_import
from communities.resources import CompoundResource
from communities.selectors import compounds_as_of
from tests.factories import CommitteeMemberFactory, CommunityFactory, CompoundFactory, street_officer
from tests.registry_files import export_file, import_file, row_errors

pytestmark = pytest.mark.django_db
D = datetime.date


def _set(content: str, column: str, value: str) -> str:
    header, row = content.splitlines()[:2]
    cells = row.split(",")
    cells[header.split(",").index(column)] = value
    return header + "\n" + ",".join(cells) + "\n"


def _compound_csv(compound) -> str:
    return export_file(CompoundResource(), "csv", Compound.objects.filter(pk=compound.pk))


@pytest.mark.parametrize("word, expected", [("是", True), ("否", False), ("Y", True), ("0", False)])
def test_yes_no_columns_take_the_officers_words(word, expected):
    compound = CompoundFactory(is_old_compound=not expected)
    result = import_file(CompoundResource(), _set(_compound_csv(compound), "老旧小区", word), "csv", dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    compound.refresh_from_db()
    assert compound.is_old_compound is expected


def test_an_unknown_yes_no_word_is_an_error_not_a_silent_false():
    compound = CompoundFactory(is_old_compound=True)
    result = import_file(CompoundResource(), _set(_compound_csv(compound), "老旧小区", "也许"), "csv", dry_run=False)
    assert any("应填“是”或“否”" in message for message in row_errors(result))
    compound.refresh_from_db()
    assert compound.is_old_compound is True


@pytest.mark.parametrize("text", ["2021-03-05", "2021/3/5", "2021年3月5日", "2021.3.5"])
def test_dates_take_the_ways_officers_write_them(text):
    compound = CompoundFactory()
    import_file(CompoundResource(), _set(_compound_csv(compound), "安全生产标准化创建日期", text), "csv", dry_run=False)
    compound.refresh_from_db()
    assert compound.safety_certified_on == D(2021, 3, 5)


def test_a_csv_saved_by_excel_on_chinese_windows_is_read():
    compound = CompoundFactory(name="旧名称")
    content = _set(_compound_csv(compound), "小区名称", "东湖花园").encode("gbk")
    result = import_file(CompoundResource(), content, "csv", dry_run=False)
    assert not result.has_validation_errors()
    compound.refresh_from_db()
    assert compound.name == "东湖花园"


def test_households_changed_in_a_file_with_a_date_change_from_that_date():
    compound = CompoundFactory(households=300)
    content = _set(_set(_compound_csv(compound), "户数", "360"), "变更生效日期", "2024/5/1")
    import_file(CompoundResource(), content, "csv", dry_run=False)
    assert compounds_as_of(D(2024, 4, 30)).get(pk=compound.pk).households_on == 300
    assert compounds_as_of(D(2024, 5, 1)).get(pk=compound.pk).households_on == 360


def test_errors_name_the_row_and_the_column_header():
    compound = CompoundFactory()
    officer_scope = AreaScope(street_id=compound.community.street_id)
    content = _set(_compound_csv(compound), "户数", "很多").encode()
    outcome = registry_import(content=content, fmt="csv", scope=officer_scope, dry_run=True)
    assert not outcome.ok
    assert outcome.errors[0].startswith("第 2 行「户数」：")


def test_a_second_chair_in_a_member_file_never_shows_a_constraint_name():
    chair = CommitteeMemberFactory(role=CommitteeMember.Role.CHAIR, name="张一")
    CommitteeMemberFactory(committee=chair.committee, name="张二")
    content = export_file(CommitteeMemberResource(), "csv", CommitteeMember.objects.filter(committee=chair.committee))
    content = content.replace("张二,委员", "张二,主任")
    result = import_file(CommitteeMemberResource(), content, "csv", dry_run=False)
    messages = " ".join(row_errors(result))
    assert "一个业委会只能有一名主任" in messages and "committee_single_chair" not in messages


def test_the_street_registry_goes_round_trip_through_the_page_with_a_preview(client):
    compound = CompoundFactory(households=300)
    street = compound.community.street
    client.force_login(street_officer(street))
    download = client.get(reverse("registry:download", args=[street.code]))
    workbook = openpyxl.load_workbook(io.BytesIO(download.content))
    sheet = workbook.active
    header = [cell.value for cell in sheet[1]]
    sheet.cell(row=2, column=header.index("户数") + 1, value=420)
    sheet.cell(row=2, column=header.index("变更生效日期") + 1, value="2024年6月1日")
    sheet.append([None] * len(header))
    new_row = {"小区代码": "NEW-001", "小区名称": "新建小区", "所属社区(村)": compound.community.code, "户数": 100,
               "房屋类型": "商品房", "老旧小区": "否", "管理模式": "社区领办", "纳入管理日期": "2024/1/1", "楼栋数": 2}
    for column, value in new_row.items():
        sheet.cell(row=3, column=header.index(column) + 1, value=value)
    upload = io.BytesIO()
    workbook.save(upload)
    upload.name = "登记表.xlsx"
    upload.seek(0)
    preview = client.post(reverse("registry:upload", args=[street.code]), {"kind": "compounds", "file": upload})
    assert preview.context["preview"].ok, preview.context["preview"].errors
    assert (preview.context["preview"].new, preview.context["preview"].updated) == (1, 1)
    assert not Compound.objects.filter(code="NEW-001").exists()
    client.post(reverse("registry:upload_confirm", args=[street.code]))
    assert Compound.objects.filter(code="NEW-001").exists()
    assert compounds_as_of(D(2024, 6, 1)).get(pk=compound.pk).households_on == 420
    assert compounds_as_of(D(2024, 5, 31)).get(pk=compound.pk).households_on == 300


def test_an_upload_with_one_bad_row_saves_nothing(client):
    compound = CompoundFactory(name="原名")
    other = CompoundFactory(community=compound.community)
    street = compound.community.street
    client.force_login(street_officer(street))
    content = export_file(CompoundResource(), "csv", Compound.objects.filter(pk__in=[compound.pk, other.pk]))
    lines = content.splitlines()
    lines[1] = lines[1].replace("原名", "新名")
    lines[2] = lines[2].replace("商品房", "别墅")
    upload = io.BytesIO("\n".join(lines).encode())
    upload.name = "登记表.csv"
    preview = client.post(reverse("registry:upload", args=[street.code]), {"kind": "compounds", "file": upload})
    assert not preview.context["preview"].ok
    assert "第 3 行「房屋类型」" in preview.context["preview"].errors[0]
    compound.refresh_from_db()
    assert compound.name == "原名"
    assert client.post(reverse("registry:upload_confirm", args=[street.code])).status_code == 302
    compound.refresh_from_db()
    assert compound.name == "原名"


def test_another_streets_officer_cannot_upload(client):
    compound = CompoundFactory()
    client.force_login(street_officer(CommunityFactory().street))
    upload = io.BytesIO(b"x")
    upload.name = "a.csv"
    assert client.post(reverse("registry:upload", args=[compound.community.street.code]),
                       {"file": upload}).status_code == 404


ELECTION_HEADER = "小区代码,选举日期,任期开始,任期届满,主任“一肩挑”,姓名,职务,中共党员"


def _election_file(code: str, roles: list[tuple[str, str, str]]) -> bytes:
    rows = [f"{code},2024/3/10,,,是,{name},{role},{party}" for name, role, party in roles]
    return ("\n".join([ELECTION_HEADER, *rows]) + "\n").encode("gb18030")


def test_a_committee_imports_with_its_members_from_one_file(client):
    from committees.models import OwnersCommittee

    compound = CompoundFactory()
    client.force_login(street_officer(compound.community.street))
    members = [("张一", "主任", "是"), ("李二", "副主任", "是"), ("王三", "委员", "否"), ("赵四", "委员", "是"),
               ("陈五", "委员", "否")]
    upload = io.BytesIO(_election_file(compound.code, members))
    upload.name = "业委会.csv"
    preview = client.post(reverse("registry:upload", args=[compound.community.street.code]),
                          {"kind": "elections", "file": upload})
    assert preview.context["preview"].ok, preview.context["preview"].errors
    assert not OwnersCommittee.objects.exists()
    client.post(reverse("registry:upload_confirm", args=[compound.community.street.code]))
    committee = OwnersCommittee.objects.get(compound=compound)
    assert committee.term_end == D(2029, 3, 9) and committee.chair_is_branch_secretary
    assert committee.members.filter(is_party_member=True).count() == 3


def test_a_committee_file_with_two_chairs_names_its_rows_and_saves_nothing():
    from committees.election_file import elections_import
    from committees.models import OwnersCommittee

    compound = CompoundFactory()
    content = _election_file(compound.code, [("张一", "主任", "是"), ("李二", "主任", "否"), ("王三", "委员", "是")])
    outcome = elections_import(content=content, fmt="csv", scope=AreaScope(street_id=compound.community.street_id),
                               dry_run=False)
    assert outcome.errors == ["第 2、3、4 行（%s 业委会）：成员：须有且只有一名主任（现有 2 名）。" % compound.code]
    assert not OwnersCommittee.objects.exists()


def test_a_committee_file_refuses_another_streets_compound():
    from committees.election_file import elections_import

    compound = CompoundFactory()
    content = _election_file(compound.code, [("张一", "主任", "是")])
    outcome = elections_import(content=content, fmt="csv", scope=AreaScope(street_id=CommunityFactory().street_id),
                               dry_run=False)
    assert "不在您的管辖范围内" in outcome.errors[0]
