"""Numbers as users send them: one parser for forms, the grid, spreadsheets, API bodies and imports.

- Refused by magnitude before any conversion: `int(Decimal("1e400000"))` takes time quadratic in
  the exponent (13 s for one grid cell, hours for 1e9999999) and holds the GIL meanwhile, so the
  exponent (`Decimal.adjusted()`) is checked against the field's bound first; the text's length is
  capped too.
- ASCII digits only: Python's int() and Decimal() read `２０２５` and `٣` as numbers, which no
  other system reading our data would; they are refused with a message that says why.
"""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

# Longer than any figure the portal stores (14 digits and a sign, a point, separators).
MAX_TEXT_LENGTH = 40
_NUMBER_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
# Thousands separators as officers type them: 1,200 and 1，200.
_SEPARATORS = str.maketrans("", "", ",，")

INVALID, NON_ASCII_DIGITS, TOO_LARGE, NOT_INTEGER = "invalid", "non_ascii_digits", "too_large", "not_integer"


class NumberError(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code

    @property
    def message(self) -> str:
        return {
            INVALID: _("不是有效的数字"),
            NON_ASCII_DIGITS: _("请使用半角阿拉伯数字（0-9）填写，不能使用全角或其他文字的数字"),
            TOO_LARGE: _("数值过大"),
            NOT_INTEGER: _("须为整数"),
        }[self.code]


def is_ascii_integer(text: str) -> bool:
    """Whether `text` is a non-negative whole number in ASCII digits (str.isdigit() also takes ٣ and ²)."""
    return text.isascii() and text.isdigit()


def has_non_ascii_digits(text: str) -> bool:
    """Whether `text` has a digit other than 0-9 (fullwidth, Arabic-Indic, ...)."""
    return not text.isascii() and any(character.isdigit() for character in text)


def parse_number(raw, *, integer_digits: int) -> Decimal:
    """`raw` (typed text, or a number a spreadsheet or JSON gave) as a finite Decimal whose integer
    part has at most `integer_digits` digits; NumberError otherwise."""
    if isinstance(raw, bool):
        raise NumberError(INVALID)
    if isinstance(raw, int):
        if abs(raw) >= 10 ** integer_digits:
            raise NumberError(TOO_LARGE)
        return Decimal(raw)
    if isinstance(raw, float):
        raw = repr(raw)  # the shortest text that reads back as this float: 1200.5, not 1200.49999...
    if isinstance(raw, Decimal):
        number = raw
    else:
        text = str(raw).strip().translate(_SEPARATORS)
        if has_non_ascii_digits(text):
            raise NumberError(NON_ASCII_DIGITS)
        if len(text) > MAX_TEXT_LENGTH or not _NUMBER_RE.fullmatch(text):
            raise NumberError(INVALID)
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise NumberError(INVALID) from None
    if not number.is_finite():
        raise NumberError(INVALID)
    if not number:
        return Decimal(0)  # 0E+400000: zero, whatever its exponent says
    if number.adjusted() >= integer_digits:
        raise NumberError(TOO_LARGE)
    return number


def parse_integer(raw, *, integer_digits: int = 10) -> int:
    """`raw` as an int of at most `integer_digits` digits (3.0 counts as 3); NumberError otherwise."""
    number = parse_number(raw, integer_digits=integer_digits)
    if number != number.to_integral_value():
        raise NumberError(NOT_INTEGER)
    return int(number)
