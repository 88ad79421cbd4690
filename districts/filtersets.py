"""FilterSets of the area hierarchy, and the filters every registry FilterSet shares.

Big tables are filtered by codes typed as text, never by a choice list of the whole table.
"""
from __future__ import annotations

import datetime
import re

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import District, Street
from .selectors import area_by_code, area_model_of, in_area_q

class AreaCodeFilter(django_filters.CharFilter):
    """`area=<code>`: rows under the city, district, street or community with that code, by the
    area each row belongs to (its model's `area_path`, or that of the row it names in `via`)."""

    def __init__(self, *, via: str = "", **kwargs):
        self.via = via
        kwargs.setdefault("label", _("区域代码"))
        kwargs.setdefault("help_text", _("区域代码（市、区县、街道或社区），返回其下的全部记录。 / "
                                         "Area code (city, district, street or community): every row under it."))
        super().__init__(**kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        area = area_by_code(value.strip())
        if area is None:
            return qs.none()
        model = area_model_of(qs.model, self.via)
        return qs.filter(in_area_q(model, area, through=f"{self.via}__" if self.via else ""))


_RFC3339 = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]+))?"
                      r"(?:([Zz])|([+-])([0-9]{2}):([0-9]{2}))")
_FULL_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class SyncTimeField(django_filters.fields.IsoDateTimeField):
    """An RFC 3339 time with its UTC offset (the schema's `date-time`), compared in UTC: the offset
    never reaches the database, and a time whose UTC day falls outside years 1 to 9999 stands for
    the earliest or latest time there is."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        match = _RFC3339.fullmatch(value)
        try:
            if match is None:
                raise ValueError(value)
            year, month, day, hour, minute, second, fraction, utc, sign, offset_hours, offset_minutes = match.groups()
            if not utc and (int(offset_hours) > 23 or int(offset_minutes) > 59):
                raise ValueError(value)
            offset = datetime.timedelta(hours=int(offset_hours or 0), minutes=int(offset_minutes or 0))
            parsed = datetime.datetime(int(year), int(month), int(day), int(hour), int(minute), int(second),
                                       int((fraction or "0")[:6].ljust(6, "0")),
                                       tzinfo=datetime.timezone(-offset if sign == "-" else offset))
        except ValueError:
            raise forms.ValidationError(_("时间格式应为 RFC 3339（含时区），例如 2024-05-01T08:00:00+08:00。"),
                                        code="invalid") from None
        try:
            return parsed.astimezone(datetime.timezone.utc)
        except OverflowError:
            edge = datetime.datetime.min if parsed.year == 1 else datetime.datetime.max
            return edge.replace(tzinfo=datetime.timezone.utc)


class UpdatedSinceFilter(django_filters.IsoDateTimeFilter):
    """`updated_since=<ISO time>`: rows changed at or after it, for incremental sync."""

    field_class = SyncTimeField

    def __init__(self, **kwargs):
        kwargs.setdefault("field_name", "updated_at")
        kwargs.setdefault("lookup_expr", "gte")
        kwargs.setdefault("label", _("更新时间起"))
        kwargs.setdefault("help_text", _("只返回此时间（ISO 8601，含时区）之后更新的记录，用于增量同步。 / "
                                         "Rows updated at or after this ISO 8601 time, for incremental sync."))
        super().__init__(**kwargs)


class IsoDateField(forms.DateField):
    """A day written YYYY-MM-DD (the schema's `date`), not every format the locale would read."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            if not _FULL_DATE.fullmatch(value):
                raise ValueError(value)
            return datetime.date.fromisoformat(value)
        except ValueError:
            raise forms.ValidationError(_("日期格式应为 YYYY-MM-DD，例如 2024-05-31。"), code="invalid") from None


class IsoDateFilter(django_filters.DateFilter):
    field_class = IsoDateField


def as_of_filter(method: str, *, help_text) -> django_filters.DateFilter:
    return IsoDateFilter(method=method, label=_("状态日期"), help_text=help_text)


class DistrictFilterSet(django_filters.FilterSet):
    area = AreaCodeFilter()
    kind = django_filters.ChoiceFilter(choices=District.Kind.choices, label=_("类型"),
                                       help_text=_("区县类型。 / Kind of county-level unit."))
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = District
        fields = ["area", "kind", "updated_since"]


class StreetFilterSet(django_filters.FilterSet):
    area = AreaCodeFilter()
    kind = django_filters.ChoiceFilter(choices=Street.Kind.choices, label=_("类型"),
                                       help_text=_("街道、镇或乡。 / Street, town or township."))
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = Street
        fields = ["area", "kind", "updated_since"]
