import datetime

import pytest
from django.utils import timezone

from accounts.scope import AreaScope
from communities.models import Community, Compound, CompoundManagementPeriod, ManagementMode, PropertyFirm, ServiceContract
from communities.resources import CommunityResource, CompoundResource, PropertyFirmResource, ServiceContractResource
from districts.models import City, District, Street
from districts.resources import CityResource, DistrictResource, StreetResource
from tests.factories import (
    CityFactory,
    CommunityFactory,
    CompoundFactory,
    DistrictFactory,
    PropertyFirmFactory,
    ServiceContractFactory,
    StreetFactory,
)
from tests.registry_files import export_file, import_file, row_errors, row_values

pytestmark = pytest.mark.django_db


def _cities():
    CityFactory(code="T350600", name="测试市甲")
    CityFactory(code="T350700", name="测试市乙")
    return City.objects.filter(code__startswith="T")


def _districts():
    ids = [DistrictFactory(kind=kind).pk for kind in District.Kind.values]
    return District.objects.filter(pk__in=ids)


def _streets():
    district = DistrictFactory()
    StreetFactory(district=district, kind=Street.Kind.TOWN)
    StreetFactory(district=district, kind=Street.Kind.STREET)
    return Street.objects.filter(district=district)


def _communities():
    street = StreetFactory()
    CommunityFactory(street=street, kind=Community.Kind.VILLAGE)
    CommunityFactory(street=street)
    return Community.objects.filter(street=street)


def _compounds():
    community = CommunityFactory()
    target = CompoundFactory(community=community, code="C-A-TARGET", address="鲤中街道中山路1号", year_built=1998,
                             is_old_compound=True, management_mode=ManagementMode.COMMUNITY_LED,
                             safety_certified_on=datetime.date(2024, 5, 1))
    # Sorted after its target, so a wiped file can be re-imported top to bottom.
    CompoundFactory(community=community, code="C-B-MERGED", closed_on=datetime.date(2024, 7, 1), merged_into=target)
    return Compound.objects.filter(community=community)


def _firms():
    district = DistrictFactory()
    PropertyFirmFactory(registered_district=district, star_rating=4, is_state_owned=True)
    PropertyFirmFactory(registered_district=district, staff_count=3, has_fixed_premises=False, in_business=False)
    return PropertyFirm.objects.filter(registered_district=district)


def _contracts():
    compound = CompoundFactory()
    ServiceContractFactory(compound=compound, starts_on=datetime.date(2019, 1, 1), ends_on=datetime.date(2021, 12, 31))
    ServiceContractFactory(compound=compound, terminated_on=datetime.date(2023, 6, 1), termination_reason="服务质量差")
    return ServiceContract.objects.filter(compound=compound)


REGISTRY = {
    "city": (CityResource, _cities),
    "district": (DistrictResource, _districts),
    "street": (StreetResource, _streets),
    "community": (CommunityResource, _communities),
    "compound": (CompoundResource, _compounds),
    "firm": (PropertyFirmResource, _firms),
    "contract": (ServiceContractResource, _contracts),
}


def _stored(queryset):
    if queryset.model is Compound:
        periods = CompoundManagementPeriod.objects.filter(compound__code__in=[c.code for c in queryset])
        return row_values(queryset), sorted(periods.values_list("compound__code", "mode", "valid_from", "valid_to"))
    return row_values(queryset)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
@pytest.mark.parametrize("name", REGISTRY)
def test_wiped_rows_come_back_equal_from_their_exported_file(name, fmt):
    resource_class, make_rows = REGISTRY[name]
    rows = make_rows()
    ids = list(rows.values_list("pk", flat=True))
    original = _stored(rows)
    content = export_file(resource_class(), fmt, rows)
    for row in reversed(list(rows)):  # merged compounds go before the compound they point to
        row.delete()

    preview = import_file(resource_class(), content, fmt, dry_run=True)
    assert not preview.has_errors() and not preview.has_validation_errors(), row_errors(preview)
    assert preview.totals["new"] == len(ids)
    assert not rows.model.objects.filter(pk__in=ids).exists()

    result = import_file(resource_class(), content, fmt, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors(), row_errors(result)
    assert _stored(rows.model.objects.filter(pk__in=[r.object_id for r in result.rows])) == original


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_modified_rows_are_restored_from_their_exported_file(fmt):
    rows = _communities()
    original = row_values(rows)
    content = export_file(CommunityResource(), fmt, rows)
    rows.update(name="改过的名字", kind=Community.Kind.COMMUNITY)

    import_file(CommunityResource(), content, fmt, dry_run=True)
    assert set(rows.values_list("name", flat=True)) == {"改过的名字"}

    result = import_file(CommunityResource(), content, fmt, dry_run=False)
    assert result.totals["update"] == 2
    assert row_values(rows) == original


def test_reimporting_an_unchanged_file_writes_no_history():
    rows = _compounds()
    content = export_file(CompoundResource(), "csv", rows)
    before = Compound.history.count()

    result = import_file(CompoundResource(), content, "csv", dry_run=False)

    assert result.totals["skip"] == 2
    assert Compound.history.count() == before


def test_file_headers_and_choices_are_in_chinese():
    content = export_file(CompoundResource(), "csv", _compounds())
    header, first = content.splitlines()[:2]
    assert header.startswith("小区代码,小区名称,所属社区(村),地址,户数")
    assert "社区领办" in first and "商品房" in first


def test_unknown_area_code_is_a_chinese_row_error_and_nothing_is_saved():
    street = StreetFactory()
    content = f"代码,名称,所属街道(乡镇),类型\nTNEW1,新社区甲,{street.code},社区\nTNEW2,新社区乙,NO-SUCH-STREET,社区\n"

    result = import_file(CommunityResource(), content, "csv", dry_run=False)

    assert result.has_validation_errors()
    assert any("找不到街道(乡镇)“NO-SUCH-STREET”" in message for message in row_errors(result))
    assert not Community.objects.filter(code__in=["TNEW1", "TNEW2"]).exists()


def test_a_street_officer_cannot_import_into_another_street():
    own, other = StreetFactory(), StreetFactory()
    content = f"代码,名称,所属街道(乡镇),类型\nTNEW1,新社区,{other.code},社区\n"

    result = import_file(CommunityResource(scope=AreaScope(street_id=own.pk)), content, "csv", dry_run=False)

    assert any("不在您的管辖范围内" in message for message in row_errors(result))
    assert not Community.objects.filter(code="TNEW1").exists()


def test_district_staff_cannot_import_even_within_their_district():
    street = StreetFactory()
    content = f"代码,名称,所属街道(乡镇),类型\nTNEW1,新社区,{street.code},社区\n"

    result = import_file(CommunityResource(scope=AreaScope(district_id=street.district_id)), content, "csv",
                         dry_run=False)

    assert any("无权" in message for message in row_errors(result))
    assert not Community.objects.filter(code="TNEW1").exists()


def test_a_new_compound_opens_its_first_management_period_at_active_from():
    community = CommunityFactory()
    content = ("小区代码,小区名称,所属社区(村),户数,房屋类型,管理模式,纳入管理日期\n"
               f"CNEW1,新小区,{community.code},120,安置房,国企托管,2021-03-01\n")

    import_file(CompoundResource(), content, "csv", dry_run=False)

    periods = CompoundManagementPeriod.objects.filter(compound__code="CNEW1")
    assert list(periods.values_list("mode", "valid_from", "valid_to")) == [
        (ManagementMode.STATE_TRUSTEESHIP, datetime.date(2021, 3, 1), None)]


@pytest.mark.parametrize(("changed_on", "expected"), [("2024-09-01", datetime.date(2024, 9, 1)), ("", None)])
def test_a_changed_management_mode_closes_the_open_period(changed_on, expected):
    compound = CompoundFactory()
    content = export_file(CompoundResource(), "csv", Compound.objects.filter(pk=compound.pk))
    header, row = content.splitlines()[:2]
    row = _set_column(header, row.replace("专业物业服务", "业主自管"), "变更生效日期", changed_on)

    result = import_file(CompoundResource(), f"{header}\n{row}\n", "csv", dry_run=False)

    assert not result.has_validation_errors(), row_errors(result)
    day = expected or timezone.localdate()
    assert list(compound.management_periods.values_list("mode", "valid_from", "valid_to")) == [
        (ManagementMode.PROFESSIONAL, datetime.date(2020, 1, 1), day), (ManagementMode.SELF_MANAGED, day, None)]
    compound.refresh_from_db()
    assert compound.management_mode == ManagementMode.SELF_MANAGED


def _set_column(header: str, row: str, column: str, value: str) -> str:
    cells = row.split(",")
    cells[header.split(",").index(column)] = value
    return ",".join(cells)


def test_a_mode_change_dated_before_the_open_period_is_a_row_error_and_changes_nothing():
    compound = CompoundFactory()
    content = export_file(CompoundResource(), "csv", Compound.objects.filter(pk=compound.pk))
    header, row = content.splitlines()[:2]
    row = _set_column(header, row.replace("专业物业服务", "失管"), "变更生效日期", "2019-01-01")

    result = import_file(CompoundResource(), f"{header}\n{row}\n", "csv", dry_run=False)

    assert any("不能早于" in message for message in row_errors(result))
    compound.refresh_from_db()
    assert compound.management_mode == ManagementMode.PROFESSIONAL
    assert compound.management_periods.count() == 1
