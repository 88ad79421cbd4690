import datetime

import pytest
import tablib
from django.utils import timezone

from committees.models import (
    CommitteeMember,
    OwnersCommittee,
    PartyOrganisation,
    PartyOrganisationCompound,
    PartyOrganisationFirm,
)
from committees.resources import CommitteeMemberResource, OwnersCommitteeResource, PartyOrganisationResource
from tests.factories import (
    CommitteeMemberFactory,
    CompoundFactory,
    OwnersCommitteeFactory,
    PartyOrganisationFactory,
    PropertyFirmFactory,
    StreetFactory,
)
from tests.registry_files import FORMATS as FILE_FORMATS, export_file, import_file, row_errors, row_values

pytestmark = pytest.mark.django_db

FORMATS = ["xlsx", "csv"]


def _committees():
    compound = CompoundFactory()
    OwnersCommitteeFactory(compound=compound, elected_on=datetime.date(2017, 3, 1), term_start=datetime.date(2017, 3, 1),
                           term_end=datetime.date(2022, 2, 28))
    OwnersCommitteeFactory(compound=compound, chair_is_branch_secretary=True, renewal_started_on=datetime.date(2024, 1, 1))
    OwnersCommitteeFactory(compound=CompoundFactory(), elected_on=None, term_start=None, term_end=None,
                           preparation_started_on=datetime.date(2024, 10, 1))
    return OwnersCommittee.objects.all()


def _members():
    committee = OwnersCommitteeFactory()
    CommitteeMemberFactory(committee=committee, role=CommitteeMember.Role.CHAIR, is_party_member=True)
    CommitteeMemberFactory(committee=committee, role=CommitteeMember.Role.VICE_CHAIR)
    CommitteeMemberFactory(committee=committee)
    return CommitteeMember.objects.filter(committee=committee)


def _links(organisations):
    compounds = PartyOrganisationCompound.objects.filter(organisation__in=organisations)
    firms = PartyOrganisationFirm.objects.filter(organisation__in=organisations)
    return (sorted(compounds.values_list("organisation__code", "compound__code", "covered_from", "covered_to")),
            sorted(firms.values_list("organisation__code", "firm__credit_code", "covered_from", "covered_to")))


def _party_organisations():
    street = StreetFactory()
    branch = PartyOrganisationFactory(street=street)
    branch.compound_links.create(compound=CompoundFactory(community__street=street))
    branch.compound_links.create(compound=CompoundFactory(community__street=street))
    firm_org = PartyOrganisationFactory(street=street, kind=PartyOrganisation.Kind.FIRM, form=PartyOrganisation.Form.JOINT,
                                        dissolved_on=datetime.date(2030, 1, 1))
    firm_org.firm_links.create(firm=PropertyFirmFactory())
    return PartyOrganisation.objects.filter(street=street)


@pytest.mark.parametrize("fmt", FORMATS)
def test_committees_come_back_equal_from_their_exported_file(fmt):
    rows = _committees()
    original = row_values(rows)
    content = export_file(OwnersCommitteeResource(), fmt, rows)
    rows.delete()

    assert not import_file(OwnersCommitteeResource(), content, fmt, dry_run=True).has_validation_errors()
    assert not OwnersCommittee.objects.exists()
    result = import_file(OwnersCommitteeResource(), content, fmt, dry_run=False)

    assert not result.has_errors() and not result.has_validation_errors(), row_errors(result)
    assert row_values(OwnersCommittee.objects.all()) == original


def test_committee_export_shows_the_status_computed_from_its_dates():
    _committees()
    content = export_file(OwnersCommitteeResource(), "csv")
    assert "状态" in content.splitlines()[0]
    assert {"到期未换届", "换届中", "筹备中"} <= set(content.replace("\r", "").replace("\n", ",").split(","))


def _member_file(members, fmt: str):
    """A file naming its members, the way one is handed in: exports never carry names."""
    dataset = tablib.Dataset(headers=["小区代码", "业委会任期开始", "姓名", "职务", "中共党员"])
    for member in members.select_related("committee__compound"):
        dataset.append([member.committee.compound.code, member.committee.term_start.isoformat(), member.name,
                        member.get_role_display(), "是" if member.is_party_member else "否"])
    return FILE_FORMATS[fmt]().export_data(dataset)


@pytest.mark.parametrize("fmt", FORMATS)
def test_members_come_back_equal_from_a_file_naming_them(fmt):
    rows = _members()
    original = row_values(rows, exclude=("phone",))
    content = _member_file(rows, fmt)
    rows.delete()

    assert not import_file(CommitteeMemberResource(), content, fmt, dry_run=True).has_validation_errors()
    assert not CommitteeMember.objects.exists()
    result = import_file(CommitteeMemberResource(), content, fmt, dry_run=False)

    assert not result.has_errors() and not result.has_validation_errors(), row_errors(result)
    assert row_values(CommitteeMember.objects.all(), exclude=("phone",)) == original


def test_modified_members_are_restored_and_keep_their_phone():
    rows = _members()
    original = row_values(rows)
    content = _member_file(rows, "csv")
    rows.update(is_party_member=False, role=CommitteeMember.Role.MEMBER)

    result = import_file(CommitteeMemberResource(), content, "csv", dry_run=False)

    assert not result.has_validation_errors(), row_errors(result)
    assert row_values(rows) == original


@pytest.mark.parametrize("fmt", FORMATS)
def test_member_export_carries_neither_names_nor_phone_numbers(fmt):
    rows = _members()
    names = list(rows.values_list("name", flat=True))
    content = export_file(CommitteeMemberResource(), fmt)
    text = content if isinstance(content, str) else content.decode("latin-1")
    exported = CommitteeMemberResource().export()

    assert "13800138000" not in text
    assert not any(header in ("姓名", "联系电话") for header in exported.headers)
    assert not {cell for row in exported for cell in row} & set(names)
    assert {rows[0].committee.compound.code, "主任"} <= {str(cell) for row in exported for cell in row}


@pytest.mark.parametrize("fmt", FORMATS)
def test_party_organisations_come_back_equal_with_their_coverage(fmt):
    rows = _party_organisations()
    original = row_values(rows), _links(rows)
    content = export_file(PartyOrganisationResource(), fmt, rows)
    rows.delete()

    assert not import_file(PartyOrganisationResource(), content, fmt, dry_run=True).has_validation_errors()
    assert not rows.exists()
    result = import_file(PartyOrganisationResource(), content, fmt, dry_run=False)

    assert not result.has_errors() and not result.has_validation_errors(), row_errors(result)
    assert (row_values(rows), _links(rows)) == original


def test_coverage_codes_are_one_cell_separated_by_semicolons():
    organisation = _party_organisations().get(kind=PartyOrganisation.Kind.COMPOUND_BRANCH)
    codes = sorted(organisation.compound_links.values_list("compound__code", flat=True))
    dataset = PartyOrganisationResource().export(PartyOrganisation.objects.filter(pk=organisation.pk))
    assert dataset.dict[0]["覆盖小区代码"] == ";".join(codes)


def test_a_code_left_out_of_the_file_ends_its_coverage_today():
    rows = _party_organisations()
    organisation = rows.get(kind=PartyOrganisation.Kind.COMPOUND_BRANCH)
    kept, dropped = sorted(organisation.compound_links.values_list("compound__code", flat=True))
    dataset = PartyOrganisationResource().export(rows)
    dataset = dataset.__class__(*[[kept if header == "覆盖小区代码" and value == f"{kept};{dropped}" else value
                                   for header, value in zip(dataset.headers, row)] for row in dataset],
                                headers=dataset.headers)

    result = PartyOrganisationResource().import_data(dataset, use_transactions=True)

    assert not result.has_validation_errors(), row_errors(result)
    links = dict(organisation.compound_links.values_list("compound__code", "covered_to"))
    assert links == {kept: None, dropped: timezone.localdate()}


def test_unknown_compound_code_is_a_chinese_row_error_and_nothing_is_saved():
    street = StreetFactory()
    content = ("组织代码,组织名称,类型,组建形式,所属区县,所属街道(乡镇),成立日期,覆盖小区代码\n"
               f"PNEW1,新党支部,小区党支部,建制式,{street.district.code},{street.code},2024-01-01,NO-SUCH-COMPOUND\n")

    result = import_file(PartyOrganisationResource(), content, "csv", dry_run=False)

    assert any("找不到以下住宅小区" in message and "NO-SUCH-COMPOUND" in message for message in row_errors(result))
    assert not PartyOrganisation.objects.filter(code="PNEW1").exists()


def test_unknown_district_code_is_a_chinese_row_error():
    content = "组织代码,组织名称,类型,组建形式,所属区县,成立日期\nPNEW1,新党组织,物业企业党组织,联合,NO-SUCH,2024-01-01\n"

    result = import_file(PartyOrganisationResource(), content, "csv", dry_run=False)

    assert any("找不到区县“NO-SUCH”" in message for message in row_errors(result))
    assert not PartyOrganisation.objects.filter(code="PNEW1").exists()


def test_coverage_rows_carry_their_start_date():
    rows = _party_organisations()
    organisation = rows.get(kind=PartyOrganisation.Kind.COMPOUND_BRANCH)
    added = CompoundFactory(community=organisation.compound_links.first().compound.community)
    dataset = PartyOrganisationResource().export(PartyOrganisation.objects.filter(pk=organisation.pk))
    codes = dataset.dict[0]["覆盖小区代码"]
    dataset = dataset.__class__(*[[f"{codes};{added.code}" if header == "覆盖小区代码"
                                   else "2024年5月1日" if header == "覆盖变更日期" else value
                                   for header, value in zip(dataset.headers, row)] for row in dataset],
                                headers=dataset.headers)

    result = PartyOrganisationResource().import_data(dataset, use_transactions=True)

    assert not result.has_validation_errors(), row_errors(result)
    assert organisation.compound_links.get(compound=added).covered_from == datetime.date(2024, 5, 1)
