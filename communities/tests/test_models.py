import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from communities.models import Compound, PropertyFirm
from tests.factories import CompoundFactory, PropertyFirmFactory, ServiceContractFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def test_compound_closed_before_it_started_is_refused_by_the_database():
    compound = CompoundFactory(active_from=D(2024, 1, 1))
    compound.closed_on = D(2023, 12, 31)
    with pytest.raises(IntegrityError), transaction.atomic():
        compound.save()


def test_compound_clean_explains_the_date_rule_in_chinese():
    compound = CompoundFactory(active_from=D(2024, 1, 1))
    compound.closed_on = D(2024, 1, 1)
    with pytest.raises(ValidationError) as exc:
        compound.full_clean()
    assert "晚于纳入管理日期" in exc.value.message_dict["closed_on"][0]


def test_a_merge_needs_a_date():
    target = CompoundFactory()
    merged = CompoundFactory()
    merged.merged_into = target
    with pytest.raises(IntegrityError), transaction.atomic():
        merged.save()


def test_compound_codes_are_unique():
    CompoundFactory(code="C-DUP")
    with pytest.raises(IntegrityError), transaction.atomic():
        CompoundFactory(code="C-DUP")


def test_households_must_be_positive():
    with pytest.raises(IntegrityError), transaction.atomic():
        CompoundFactory(households=0)


def test_contract_ending_before_it_starts_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        ServiceContractFactory(starts_on=D(2024, 5, 1), ends_on=D(2024, 4, 30))


def test_dismissal_needs_a_reason():
    contract = ServiceContractFactory(starts_on=D(2024, 1, 1))
    contract.terminated_on = D(2024, 6, 1)
    with pytest.raises(ValidationError) as exc:
        contract.full_clean()
    assert "termination_reason" in exc.value.message_dict


@pytest.mark.parametrize(
    ("premises", "staff", "in_business", "expected"),
    [(True, 10, True, True), (True, 9, True, False), (False, 50, True, False), (True, 50, False, False)],
)
def test_sanyou_follows_premises_staff_and_business(premises, staff, in_business, expected):
    firm = PropertyFirmFactory(has_fixed_premises=premises, staff_count=staff, in_business=in_business)
    assert firm.is_sanyou is expected
    assert PropertyFirm.objects.filter(PropertyFirm.SANYOU_Q, pk=firm.pk).exists() is expected


def test_credit_code_is_stored_upper_case():
    firm = PropertyFirmFactory(credit_code="91350100m000100y43")
    assert PropertyFirm.objects.get(pk=firm.pk).credit_code == "91350100M000100Y43"


def test_compound_is_active_between_start_and_close():
    compound = CompoundFactory(active_from=D(2024, 1, 15), closed_on=D(2024, 6, 1))
    assert not compound.is_active_on(D(2024, 1, 14))
    assert compound.is_active_on(D(2024, 1, 15))
    assert compound.is_active_on(D(2024, 5, 31))
    assert not compound.is_active_on(D(2024, 6, 1))
    assert Compound.objects.count() == 1
