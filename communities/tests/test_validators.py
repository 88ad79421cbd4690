import pytest
from django.core.exceptions import ValidationError

from communities.validators import credit_code_check_character, validate_credit_code
from tests.factories import DistrictFactory, PropertyFirmFactory, valid_credit_code


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91350500000000005M", valid_credit_code(123456)])
def test_valid_credit_codes_pass(code):
    validate_credit_code(code)


def test_lowercase_code_is_accepted_as_the_same_code():
    validate_credit_code("91350100m000100y43")


def test_wrong_check_character_is_refused_in_chinese():
    with pytest.raises(ValidationError) as exc:
        validate_credit_code("91350100M000100Y44")
    assert exc.value.code == "checksum"
    assert "校验位" in exc.value.messages[0]


@pytest.mark.parametrize("code", ["9135010", "91350100M000100Y4300"])
def test_wrong_length_is_refused(code):
    with pytest.raises(ValidationError) as exc:
        validate_credit_code(code)
    assert exc.value.code == "length"


def test_letters_outside_the_gb32100_alphabet_are_refused():
    with pytest.raises(ValidationError) as exc:
        validate_credit_code("91350100I000100Y43")
    assert exc.value.code == "charset"
    assert "I" in exc.value.messages[0]


def test_check_character_can_be_zero():
    # Find a body whose check value is 31 → 0, the modular edge case.
    body = next(b for b in (f"9135050000000{n:04d}" for n in range(10000)) if credit_code_check_character(b) == "0")
    validate_credit_code(body + "0")


@pytest.mark.django_db
def test_firm_full_clean_rejects_an_invalid_code():
    firm = PropertyFirmFactory.build(credit_code="91350100M000100Y44", registered_district=DistrictFactory())
    with pytest.raises(ValidationError) as exc:
        firm.full_clean()
    assert "credit_code" in exc.value.message_dict
