"""Registry pages of a street: who sees and changes what, and that every write goes through to the registry."""
import datetime

import pytest
from django.urls import reverse

from communities.models import Compound, CompoundHouseholdsPeriod, ManagementMode, ServiceContract
from communities.selectors import management_mode_on
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

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def street():
    return StreetFactory()


@pytest.fixture
def officer(client, street):
    user = street_officer(street)
    client.force_login(user)
    return user


def test_an_officer_lands_on_their_street_registry(client, officer, street):
    response = client.get(reverse("registry:home"))
    assert response.url == reverse("registry:street", args=[street.code])


def test_the_street_registry_lists_filters_and_counts_its_compounds(client, officer, street):
    community = CommunityFactory(street=street)
    CompoundFactory(community=community, name="东湖花园", management_mode=ManagementMode.UNMANAGED)
    CompoundFactory(community=community, name="西湖花园")
    CompoundFactory(name="别的街道小区")
    page = client.get(reverse("registry:street", args=[street.code]))
    assert page.status_code == 200
    assert "东湖花园" in page.text and "西湖花园" in page.text and "别的街道小区" not in page.text
    assert page.context["counts"]["compounds"] == 2 and page.context["counts"]["unmanaged"] == 1
    searched = client.get(reverse("registry:street", args=[street.code]), {"search": "东湖"})
    assert [c.name for c in searched.context["page"]] == ["东湖花园"]
    unmanaged = dict((key, count) for key, _label, _rows, count in page.context["attention"])["unmanaged"]
    assert unmanaged == 1


def test_the_street_registry_costs_the_same_queries_for_more_compounds(client, officer, street,
                                                                       django_assert_max_num_queries):
    community = CommunityFactory(street=street)
    for _ in range(3):
        CompoundFactory(community=community)
    with django_assert_max_num_queries(30) as small:
        client.get(reverse("registry:street", args=[street.code]))
    for _ in range(30):
        CompoundFactory(community=community)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("registry:street", args=[street.code]))


def test_another_streets_officer_is_refused_the_page_and_the_writes(client, street):
    compound = CompoundFactory(community=CommunityFactory(street=street))
    client.force_login(street_officer(StreetFactory()))
    assert client.get(reverse("registry:street", args=[street.code])).status_code == 404
    response = client.post(reverse("registry:compound_change", args=[compound.code, "households"]),
                           {"households-value": 400, "households-on": "2024-05-01"})
    assert response.status_code == 404
    assert compound.households_periods.count() == 0


def test_district_staff_read_their_streets_registry_but_change_nothing(client, street):
    compound = CompoundFactory(community=CommunityFactory(street=street))
    client.force_login(district_staff(street.district))
    page = client.get(reverse("registry:compound", args=[compound.code]))
    assert page.status_code == 200 and "只读" in page.text
    response = client.post(reverse("registry:compound_change", args=[compound.code, "households"]),
                           {"households-value": 400, "households-on": "2024-05-01"})
    assert response.status_code == 403
    assert client.get(reverse("registry:compound_create", args=[street.code])).status_code == 403


def test_an_officer_registers_a_compound_with_a_code_proposed_from_its_community(client, officer, street):
    community = CommunityFactory(street=street, code="350503002001")
    form = client.get(reverse("registry:compound_create", args=[street.code]), {"community": community.code})
    assert form.context["form"].initial["code"] == "350503002001001"
    response = client.post(reverse("registry:compound_create", args=[street.code]), {
        "community": community.pk, "code": "", "name": "新建小区", "households": 320, "buildings": 4,
        "housing_type": "commodity", "management_mode": "professional", "active_from": "2024-01-01"})
    compound = Compound.objects.get(name="新建小区")
    assert response.url == reverse("registry:compound", args=[compound.code])
    assert compound.code == "350503002001001"
    assert management_mode_on(compound, D(2024, 2, 1)) == ManagementMode.PROFESSIONAL


def test_a_form_error_comes_back_in_chinese_on_its_field(client, officer, street):
    community = CommunityFactory(street=street)
    response = client.post(reverse("registry:compound_create", args=[street.code]), {
        "community": community.pk, "name": "错误小区", "households": 0, "housing_type": "commodity",
        "management_mode": "professional", "active_from": "2024-01-01"})
    assert response.status_code == 200
    assert "households" in response.context["form"].errors


def test_a_management_mode_changes_from_a_past_date(client, officer, street):
    compound = CompoundFactory(community=CommunityFactory(street=street))
    response = client.post(reverse("registry:compound_change", args=[compound.code, "management_mode"]),
                           {"management_mode-value": "unmanaged", "management_mode-on": "2024-05-01"})
    assert response.status_code == 302
    assert management_mode_on(compound, D(2024, 4, 30)) == ManagementMode.PROFESSIONAL
    assert management_mode_on(compound, D(2024, 5, 1)) == ManagementMode.UNMANAGED


def test_households_change_from_a_date_and_the_history_says_so(client, officer, street):
    compound = CompoundFactory(community=CommunityFactory(street=street), households=300)
    client.post(reverse("registry:compound_change", args=[compound.code, "households"]),
                {"households-value": 360, "households-on": "2024-05-01"})
    assert CompoundHouseholdsPeriod.objects.filter(compound=compound).count() == 2
    page = client.get(reverse("registry:compound", args=[compound.code]))
    kinds = {entry.kind for entry in page.context["history"]}
    assert "变更" in kinds
    assert "户数：300 → 360" in page.text or "360" in page.text


def _edit_form(compound, **changes):
    return {"name": compound.name, "buildings": 6, "households": compound.households,
            "housing_type": compound.housing_type, "community": compound.community_id,
            "management_mode": compound.management_mode, **changes}


def test_an_edit_of_households_is_a_correction(client, officer, street):
    compound = CompoundFactory(community=CommunityFactory(street=street), households=300)
    client.post(reverse("registry:compound_edit", args=[compound.code]), _edit_form(compound, households=330))
    compound.refresh_from_db()
    assert compound.households == 330
    page = client.get(reverse("registry:compound", args=[compound.code]))
    assert "更正" in {entry.kind for entry in page.context["history"]}


def test_an_edit_corrects_the_management_mode_and_community_for_every_month(client, officer, street):
    compound = CompoundFactory(community=CommunityFactory(street=street), active_from=D(2020, 1, 1),
                               management_mode=ManagementMode.PROFESSIONAL)
    other = CommunityFactory(street=street)
    response = client.post(reverse("registry:compound_edit", args=[compound.code]),
                           _edit_form(compound, management_mode="unmanaged", community=other.pk))
    assert response.status_code == 302
    compound.refresh_from_db()
    assert (compound.management_mode, compound.community_id) == (ManagementMode.UNMANAGED, other.pk)
    assert management_mode_on(compound, D(2020, 1, 1)) == ManagementMode.UNMANAGED
    assert compound.management_periods.count() == 1


def test_the_history_page_marks_a_change_and_a_correction_apart(client, officer, street):
    compound = CompoundFactory(community=CommunityFactory(street=street), active_from=D(2020, 1, 1))
    client.post(reverse("registry:compound_change", args=[compound.code, "management_mode"]),
                {"management_mode-value": "unmanaged", "management_mode-on": "2024-05-01"})
    compound.refresh_from_db()
    client.post(reverse("registry:compound_edit", args=[compound.code]), _edit_form(compound, management_mode="self_managed"))

    page = client.get(reverse("registry:compound", args=[compound.code]))
    modes = [entry for entry in page.context["history"] if entry.subject == "管理模式"]
    assert {"变更", "更正"} <= {entry.kind for entry in modes}
    content = page.content.decode()
    assert 'data-kind="change"' in content and 'data-kind="correction"' in content
    assert management_mode_on(compound, D(2024, 4, 30)) == ManagementMode.PROFESSIONAL
    assert management_mode_on(compound, D(2024, 5, 1)) == ManagementMode.SELF_MANAGED


def test_a_mode_change_dated_before_the_current_mode_splits_the_history(client, officer, street):
    compound = CompoundFactory(community=CommunityFactory(street=street), active_from=D(2020, 1, 1))
    for on, mode in (("2024-05-01", "unmanaged"), ("2023-01-01", "self_managed")):
        response = client.post(reverse("registry:compound_change", args=[compound.code, "management_mode"]),
                               {"management_mode-value": mode, "management_mode-on": on})
        assert response.status_code == 302
    assert list(compound.management_periods.order_by("valid_from").values_list("mode", "valid_from", "valid_to")) == [
        ("professional", D(2020, 1, 1), D(2023, 1, 1)), ("self_managed", D(2023, 1, 1), D(2024, 5, 1)),
        ("unmanaged", D(2024, 5, 1), None)]
    compound.refresh_from_db()
    assert compound.management_mode == ManagementMode.UNMANAGED


@pytest.mark.parametrize("kind", ["management_mode", "households", "housing_type", "community"])
def test_a_change_dated_before_the_compound_began_is_refused_naming_the_date(client, officer, street, kind):
    compound = CompoundFactory(community=CommunityFactory(street=street), active_from=D(2020, 1, 1))
    value = {"management_mode": "unmanaged", "households": 999, "housing_type": "resettlement",
             "community": CommunityFactory(street=street).pk}[kind]
    response = client.post(reverse("registry:compound_change", args=[compound.code, kind]),
                           {f"{kind}-value": value, f"{kind}-on": "2019-06-01"})
    assert response.status_code == 200
    _label, form = response.context["change_forms"][kind]
    assert "生效日期 2019-06-01 不能早于" in " ".join(form.errors["on"])
    compound.refresh_from_db()
    assert (compound.management_mode, compound.households) == (ManagementMode.PROFESSIONAL, 300)


def test_district_staff_read_the_compound_but_cannot_correct_it(client, street):
    compound = CompoundFactory(community=CommunityFactory(street=street))
    client.force_login(district_staff(street.district))
    assert client.get(reverse("registry:compound", args=[compound.code])).status_code == 200
    response = client.post(reverse("registry:compound_edit", args=[compound.code]),
                           _edit_form(compound, management_mode="unmanaged"))
    assert response.status_code == 403
    compound.refresh_from_db()
    assert compound.management_mode == ManagementMode.PROFESSIONAL


def test_a_compound_merges_into_another_from_a_date(client, officer, street):
    community = CommunityFactory(street=street)
    merged, target = CompoundFactory(community=community), CompoundFactory(community=community)
    client.post(reverse("registry:compound_close", args=[merged.code]), {"on": "2024-06-01", "merged_into": target.code})
    merged.refresh_from_db()
    assert merged.closed_on == D(2024, 6, 1) and merged.merged_into == target


def test_a_contract_is_terminated_with_a_reason_and_refused_without_one(client, officer, street):
    contract = ServiceContractFactory(compound=CompoundFactory(community=CommunityFactory(street=street)))
    client.post(reverse("registry:contract_end", args=[contract.pk]), {"terminate": "terminate", "on": "2024-06-01"})
    contract.refresh_from_db()
    assert contract.terminated_on is None
    client.post(reverse("registry:contract_end", args=[contract.pk]),
                {"terminate": "terminate", "on": "2024-06-01", "reason": "服务质量差"})
    contract.refresh_from_db()
    assert contract.terminated_on == D(2024, 6, 1) and contract.termination_reason == "服务质量差"


def test_an_officer_links_a_firm_to_a_compound(client, officer, street):
    compound = CompoundFactory(community=CommunityFactory(street=street))
    firm = PropertyFirmFactory()
    client.post(reverse("registry:contract_create", args=[compound.code]),
                {"firm": firm.credit_code.lower(), "starts_on": "2024-01-01"})
    assert ServiceContract.objects.filter(compound=compound, firm=firm).exists()


def test_firms_are_kept_by_their_district_and_the_city_not_by_street_officers(client, street):
    firm = PropertyFirmFactory(registered_district=street.district, staff_count=20)
    client.force_login(street_officer(street))
    assert client.get(reverse("registry:firm", args=[firm.credit_code])).status_code == 200
    facts = {"staff_count": 5, "has_fixed_premises": "on", "in_business": "on", "on": "2024-05-01"}
    assert client.post(reverse("registry:firm_facts", args=[firm.credit_code]), facts).status_code == 403
    assert client.get(reverse("registry:firm_create")).status_code == 403
    client.force_login(district_staff(street.district))
    assert client.post(reverse("registry:firm_facts", args=[firm.credit_code]), facts).status_code == 302
    firm.refresh_from_db()
    assert firm.staff_count == 5
    client.force_login(district_staff(StreetFactory().district))
    assert client.get(reverse("registry:firm", args=[firm.credit_code])).status_code == 404


def test_district_staff_register_a_firm_and_list_it(client, street):
    from tests.factories import valid_credit_code

    client.force_login(district_staff(street.district))
    code = valid_credit_code(987654)
    response = client.post(reverse("registry:firm_create"), {
        "credit_code": code, "name": "泉州物业有限公司", "registered_district": street.district.pk, "staff_count": 12,
        "has_fixed_premises": "on", "in_business": "on"})
    assert response.status_code == 302
    client.post(reverse("registry:firm_listing", args=[code]), {"kind": "black", "on": "2024-05-01", "reason": "违规收费"})
    assert client.get(reverse("registry:firm", args=[code])).context["listings"][0].reason == "违规收费"


def test_city_staff_change_any_street(client, street):
    compound = CompoundFactory(community=CommunityFactory(street=street))
    client.force_login(city_staff())
    response = client.post(reverse("registry:compound_safety", args=[compound.code]), {"on": "2024-03-01"})
    assert response.status_code == 302
    compound.refresh_from_db()
    assert compound.safety_certified_on == D(2024, 3, 1)
