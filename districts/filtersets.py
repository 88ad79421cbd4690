"""FilterSets of the area hierarchy, and the filters every registry FilterSet shares.

Big tables are filtered by codes typed as text, never by a choice list of the whole table.
"""
from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import District, Street
from .selectors import area_by_code

# A compound's ancestors in order; each name is also the foreign key to the next level up.
_LEVELS = ["compound", "community", "street", "district", "city"]


def under_area_q(area, *, rows_at: str, path: str = "") -> Q:
    """Rows (sitting at level `rows_at`, reached from the model via `path`) under or equal to `area`."""
    own, target = _LEVELS.index(rows_at), _LEVELS.index(area.level)
    if target < own:
        return Q(pk__in=[])
    hops = [hop for hop in [path.removesuffix("__")] if hop] + _LEVELS[own + 1:target + 1]
    return Q(**{"__".join(hops) or "pk": area.pk})


class AreaCodeFilter(django_filters.CharFilter):
    """`area=<code>`: rows under the city, district, street or community with that code."""

    def __init__(self, *, rows_at: str, path: str = "", **kwargs):
        self.rows_at, self.path = rows_at, path
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
        return qs.filter(under_area_q(area, rows_at=self.rows_at, path=self.path))


class SyncTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO time the database can compare: a real UTC offset (±14:00) and a year from 1900."""

    def to_python(self, value):
        parsed = super().to_python(value)
        if parsed is None:
            return None
        offset = parsed.utcoffset()
        if offset is not None and abs(offset) > datetime.timedelta(hours=14):
            raise forms.ValidationError(_("时区偏移超出范围（应在 ±14:00 之内）。"), code="invalid")
        if parsed.year < 1900:
            raise forms.ValidationError(_("时间早于 1900 年，请检查。"), code="invalid")
        return parsed


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


def as_of_filter(method: str, *, help_text) -> django_filters.DateFilter:
    return django_filters.DateFilter(method=method, label=_("状态日期"), help_text=help_text)


class DistrictFilterSet(django_filters.FilterSet):
    area = AreaCodeFilter(rows_at="district")
    kind = django_filters.ChoiceFilter(choices=District.Kind.choices, label=_("类型"),
                                       help_text=_("区县类型。 / Kind of county-level unit."))
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = District
        fields = ["area", "kind", "updated_since"]


class StreetFilterSet(django_filters.FilterSet):
    area = AreaCodeFilter(rows_at="street")
    kind = django_filters.ChoiceFilter(choices=Street.Kind.choices, label=_("类型"),
                                       help_text=_("街道、镇或乡。 / Street, town or township."))
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = Street
        fields = ["area", "kind", "updated_since"]
