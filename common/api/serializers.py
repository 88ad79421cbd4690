"""The project's ModelSerializer, and a lighter way to serialize a page of rows for the feeds and the big
registry lists."""
from __future__ import annotations

import decimal
from collections.abc import Mapping

from rest_framework import serializers
from rest_framework.fields import get_attribute

from . import fields


class ModelSerializer(serializers.ModelSerializer):
    """A ModelSerializer whose model numbers are read by common.api.fields (ASCII digits, refused by
    magnitude first), so that a field that takes input one day does not need remembering."""

    serializer_field_mapping = {
        model_field: {serializers.IntegerField: fields.IntegerField, serializers.DecimalField: fields.DecimalField}.get(
            serializer_field, serializer_field)
        for model_field, serializer_field in serializers.ModelSerializer.serializer_field_mapping.items()}


class PageListSerializer(serializers.ListSerializer):
    """Serializes a page with one prepared reader per field instead of DRF's per-row field dispatch.

    The child serializer still declares (and documents) every field, and each row comes out as the
    child's own `to_representation` would make it: a field's source is read the same way, a missing
    related object gives the field's default (None), a None value stays None, anything else goes
    through the field's `to_representation`. Rows may also be `values()` dicts keyed by each field's
    source path ("community__street__code"), which spares building model instances.
    Before the rows, the child's `prepare_page(rows)` (when it has one) looks up once what its
    method fields need for the whole page. The fields the child names in `page_repeated_fields`
    (the same few values on every row: the month, the time computed...) are represented once per
    distinct value on the page; decimals are quantized with a context made once a page, not once a
    value. Read-only serializers whose defaults are None only.
    """

    def to_representation(self, data):
        rows = list(data.all() if hasattr(data, "all") else data)
        child = self.child
        if hasattr(child, "prepare_page"):
            child.prepare_page(rows)
        read = _from_dict if rows and isinstance(rows[0], Mapping) else _from_object
        for field in child.fields.values():
            if isinstance(field, serializers.DecimalField) and field.decimal_places is not None:
                field.quantize = _page_quantize(field)
        repeated = getattr(child, "page_repeated_fields", ())
        readers = [(name, field.source_attrs, "__".join(field.source_attrs),
                    _once_per_value(field.to_representation) if name in repeated else field.to_representation)
                   for name, field in child.fields.items() if not field.write_only]
        return [{name: None if (value := read(row, attrs, key)) is None else represent(value)
                 for name, attrs, key, represent in readers} for row in rows]


def _from_dict(row, attrs, key):
    return row[key] if key else row


def _from_object(row, attrs, key):
    try:
        return get_attribute(row, attrs)
    except AttributeError:  # a missing related object (merged_into of an unmerged compound)
        return None


def _once_per_value(represent):
    """`represent`, remembering its result for each value seen (equal values represent alike)."""
    seen = {}

    def represent_once(value):
        try:
            return seen[value]
        except KeyError:
            seen[value] = result = represent(value)
            return result
    return represent_once


def _page_quantize(field: serializers.DecimalField):
    """DecimalField.quantize with the context and exponent made once instead of for every value."""
    context = decimal.getcontext().copy()
    if field.max_digits is not None:
        context.prec = field.max_digits
    exponent = decimal.Decimal(".1") ** field.decimal_places
    rounding = field.rounding

    def quantize(value):
        return value.quantize(exponent, rounding=rounding, context=context)
    return quantize
