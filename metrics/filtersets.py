"""FilterSets of the published indicator values and targets, shared by pages and the API."""
from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from districts.filtersets import UpdatedSinceFilter
from districts.models import AreaLevel
from districts.selectors import area_by_code, area_models, in_area_q
from reporting.filtersets import PeriodFilterSet

from .models import IndicatorValue, Target


class CodeInFilter(django_filters.BaseInFilter, django_filters.CharFilter):
    pass


class IndicatorValueFilterSet(PeriodFilterSet):
    indicator = CodeInFilter(field_name="indicator_id", label=_("指标代码"), help_text=_(
        "一个或多个指标代码，逗号分隔。 / One or several indicator codes, comma-separated."))
    area = django_filters.CharFilter(method="keep", label=_("区域代码"), help_text=_(
        "区域代码；与 descendants=true 合用时表示该区域下 level 层级的全部区域。 / Area code; with "
        "descendants=true, every area at `level` under it."))
    level = django_filters.ChoiceFilter(field_name="area_level", choices=AreaLevel.choices, label=_("区域层级"),
                                        help_text=_("区域层级。 / Area level."))
    descendants = django_filters.BooleanFilter(method="keep", label=_("下级区域"), help_text=_(
        "为 true 时返回 area 及其下的每个区域（给出 level 时只取该层级）；不给 area 时不起作用。 / When true, "
        "`area` and every area under it (at `level` only, when given); without `area` it changes nothing."))
    provisional = django_filters.BooleanFilter(label=_("含未审核数据"), help_text=_(
        "是否含已上报未审核的数据。 / Whether the value includes submitted but unapproved data."))
    updated_since = UpdatedSinceFilter(field_name="computed_at", label=_("计算时间起"),
                                       help_text=_("只返回此时间（ISO 8601）之后计算的值。 / "
                                                                 "Values computed at or after this ISO 8601 time."))

    class Meta:
        model = IndicatorValue
        fields = ["indicator", "area", "level", "descendants", "period", "period_from", "period_to", "provisional",
                  "updated_since"]

    def keep(self, queryset, name, value):
        """`area` and `descendants` work together; filter_queryset applies them."""
        return queryset

    def filter_queryset(self, queryset):
        data = self.form.cleaned_data
        code, level = (data.get("area") or "").strip(), data.get("level")
        if code and data.get("descendants"):
            area = area_by_code(code)
            if area is None:
                return queryset.none()
            under = Q(pk__in=[])
            for model in area_models():
                if level in (None, "", model.level):
                    codes = model.objects.filter(in_area_q(model, area)).values("code")
                    under |= Q(area_code__in=codes)
            queryset = queryset.filter(under)
        elif code:
            queryset = queryset.filter(area_code=code)
        return super().filter_queryset(queryset)


class TargetFilterSet(django_filters.FilterSet):
    indicator = CodeInFilter(field_name="indicator_id", label=_("指标代码"), help_text=_(
        "一个或多个指标代码，逗号分隔。 / One or several indicator codes, comma-separated."))
    area = django_filters.CharFilter(field_name="area_code", label=_("区域代码"), help_text=_(
        "区域代码；留空的是全市统一目标。 / Area code; city-wide targets have none."))

    class Meta:
        model = Target
        fields = ["indicator", "area"]
