"""The one parser of numbers users send (common.numbers)."""
from decimal import Decimal

import pytest

from common.numbers import (
    INVALID,
    NON_ASCII_DIGITS,
    NOT_INTEGER,
    TOO_LARGE,
    NumberError,
    is_ascii_integer,
    parse_integer,
    parse_number,
)
from tests.capped import run_capped


@pytest.mark.parametrize("raw, expected", [
    ("12", Decimal("12")), (" 1,200.50 ", Decimal("1200.50")), ("1，200", Decimal("1200")), (3, Decimal(3)),
    (1200.5, Decimal("1200.5")), (0.1, Decimal("0.1")), ("-3", Decimal("-3")), ("1e3", Decimal("1e3")),
    (Decimal("7.25"), Decimal("7.25")), ("0e999999999", Decimal(0)),
])
def test_numbers_as_officers_and_systems_send_them(raw, expected):
    assert parse_number(raw, integer_digits=12) == expected


@pytest.mark.parametrize("raw", ["２０２５", "٣", "۱۲", "1２", "१०", "²"])
def test_digits_other_than_ascii_are_refused_with_a_message_that_says_so(raw):
    with pytest.raises(NumberError) as refused:
        parse_number(raw, integer_digits=12)
    assert refused.value.code == NON_ASCII_DIGITS
    assert "半角" in refused.value.message


@pytest.mark.parametrize("raw", ["", "abc", "1.2.3", "inf", "NaN", "1_000", "0x10", True, float("inf"),
                                 "1" * 41, Decimal("NaN")])
def test_what_is_not_a_number_is_refused(raw):
    with pytest.raises(NumberError) as refused:
        parse_number(raw, integer_digits=12)
    assert refused.value.code == INVALID


@pytest.mark.parametrize("raw", ["1e4000000", "1e999999999", Decimal("1e4000000"), 10 ** 12, 1e300, "999999999999999"])
def test_a_number_past_the_bound_is_refused_by_its_magnitude_without_converting_it(raw):
    # int(Decimal("1e4000000")) takes about twenty minutes: the child is capped at 20 s of CPU.
    refused = run_capped(lambda: parse_integer(raw, integer_digits=12))
    assert isinstance(refused.value, NumberError) and refused.value.code == TOO_LARGE, refused


def test_an_integer_may_be_written_with_a_zero_fraction_but_not_with_another():
    assert parse_integer("3.00") == 3 and parse_integer(4.0) == 4
    with pytest.raises(NumberError) as refused:
        parse_integer("3.5")
    assert refused.value.code == NOT_INTEGER


def test_ascii_integer_text():
    assert is_ascii_integer("12") and not is_ascii_integer("٣") and not is_ascii_integer("²") and not is_ascii_integer("")
