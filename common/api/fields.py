"""Serializer fields that read numbers through common.numbers, as the portal's forms do.

DRF's IntegerField and DecimalField accept `２０２５` and `٣` as numbers; these refuse them with a
Chinese message, and refuse a number by its magnitude before converting it.
"""
from __future__ import annotations

from rest_framework import serializers

from common.numbers import INVALID, NOT_INTEGER, TOO_LARGE, NumberError, parse_integer, parse_number

# Digits of an integer's integer part before the field's own min/max checks speak: a 64-bit column's.
INTEGER_DIGITS = 19


class IntegerField(serializers.IntegerField):
    def to_internal_value(self, data):
        if isinstance(data, str) and len(data) > self.MAX_STRING_LENGTH:
            self.fail("max_string_length")
        try:
            return parse_integer(data, integer_digits=INTEGER_DIGITS)
        except NumberError as exc:
            if exc.code in (INVALID, NOT_INTEGER):
                self.fail("invalid")
            raise serializers.ValidationError(exc.message, code=exc.code) from None


class DecimalField(serializers.DecimalField):
    def to_internal_value(self, data):
        if isinstance(data, str) and len(data) > self.MAX_STRING_LENGTH:
            self.fail("max_string_length")
        digits = (self.max_digits - (self.decimal_places or 0)) if self.max_digits else INTEGER_DIGITS
        try:
            number = parse_number(data, integer_digits=digits)
        except NumberError as exc:
            if exc.code == INVALID:
                self.fail("invalid")
            if exc.code == TOO_LARGE:
                self.fail("max_whole_digits", max_whole_digits=digits)
            raise serializers.ValidationError(exc.message, code=exc.code) from None
        return super().to_internal_value(number)
