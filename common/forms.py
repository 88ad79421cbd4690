"""Form fields that read numbers through common.numbers: ASCII digits only, refused by magnitude first.

Django's IntegerField and DecimalField accept `２０２５` and `٣` (int() and Decimal() do), and a
Decimal they hand to an integer column is converted with int(), quadratic in its exponent. These
subclasses are used by the portal's forms, the admin (`NUMBER_FORMFIELD_OVERRIDES`) and the
FilterSets (`IntegerFilter`).
"""
from __future__ import annotations

import django_filters
from django import forms
from django.db import models

from .numbers import NumberError, parse_integer, parse_number

# Digits of the integer part a form accepts before its own min/max validators speak: a 64-bit column's.
INTEGER_DIGITS = 19


class IntegerField(forms.IntegerField):
    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return parse_integer(value, integer_digits=INTEGER_DIGITS)
        except NumberError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None


class DecimalField(forms.DecimalField):
    def to_python(self, value):
        if value in self.empty_values:
            return None
        digits = (self.max_digits - (self.decimal_places or 0)) if self.max_digits else INTEGER_DIGITS
        try:
            return parse_number(value, integer_digits=digits)
        except NumberError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None


class IntegerFilter(django_filters.NumberFilter):
    field_class = IntegerField


# For ModelAdmin.formfield_overrides: every integer and decimal column of a model (subclasses
# included, the admin walks each field's class hierarchy).
NUMBER_FORMFIELD_OVERRIDES = {
    models.IntegerField: {"form_class": IntegerField},
    models.DecimalField: {"form_class": DecimalField},
}


def number_formfield(db_field, **kwargs):
    """A ModelForm's `formfield_callback`: the model's numbers read by the fields above."""
    for model_field, overrides in NUMBER_FORMFIELD_OVERRIDES.items():
        if isinstance(db_field, model_field) and not db_field.choices:
            kwargs = {**overrides, **kwargs}
            break
    return db_field.formfield(**kwargs)
