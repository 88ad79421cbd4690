"""FilterSets of communities, compounds, firms and contracts, shared by the list pages and the API.

`as_of=D` rebuilds the registry of day D: rows that existed by D, with their dated state (status,
management mode, contract in force) evaluated on D instead of today.
"""
from __future__ import annotations

import django_filters
from django import forms
from django.db.models import BooleanField, ExpressionWrapper, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from committees.selectors import compound_committee_in_office_exists, compound_party_coverage_exists
from districts.filtersets import AreaCodeFilter, UpdatedSinceFilter, as_of_filter

from .models import (
    Community,
    Compound,
    CompoundManagementPeriod,
    HousingType,
    ManagementMode,
    PropertyFirm,
    ServiceContract,
)
from .selectors import compound_active_q, compounds_as_of, contract_active_q, management_period_q


class AnyYesNo(forms.NullBooleanSelect):
    """A yes/no filter whose empty choice reads 全部 (any), not 未知."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", _("全部")), ("true", _("是")), ("false", _("否"))]


class AsOfFilterSet(django_filters.FilterSet):
    """Base for FilterSets whose rows carry dates: `as_of_day` is the day the state is read on."""

    @property
    def as_of_day(self):
        data = self.form.cleaned_data if self.form.is_valid() else {}
        return data.get("as_of") or timezone.localdate()

    def keep(self, queryset, name, value):
        """`as_of` itself only fixes the day; filter_queryset applies it."""
        return queryset


class CommunityFilterSet(django_filters.FilterSet):
    area = AreaCodeFilter()
    kind = django_filters.ChoiceFilter(choices=Community.Kind.choices, label=_("类型"),
                                       help_text=_("社区或村。 / Community or village."))
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = Community
        fields = ["area", "kind", "updated_since"]


class CompoundFilterSet(AsOfFilterSet):
    area = AreaCodeFilter()
    name = django_filters.CharFilter(lookup_expr="icontains", label=_("小区名称"),
                                     help_text=_("名称包含此文字。 / Name contains this text."))
    housing_type = django_filters.MultipleChoiceFilter(
        choices=HousingType.choices, field_name="housing_type_on", label=_("房屋类型"), widget=forms.CheckboxSelectMultiple,
        help_text=_("状态日期当天的房屋类型，可重复以多选。 / Housing type on the as_of day; repeat for several."))
    management_mode = django_filters.MultipleChoiceFilter(
        choices=ManagementMode.choices, field_name="mode_on_day", label=_("管理模式"), widget=forms.CheckboxSelectMultiple,
        help_text=_("状态日期当天的管理模式，可重复以多选。 / Management mode on the as_of day; repeat for several."))
    is_old_compound = django_filters.BooleanFilter(widget=AnyYesNo, label=_("老旧小区"),
                                                   help_text=_("是否老旧小区。 / Old compound flag."))
    committee_in_office = django_filters.BooleanFilter(widget=AnyYesNo, 
        field_name="committee_on_day", label=_("有在任业委会"),
        help_text=_("状态日期当天是否有在任（含换届中）业委会。 / Has a committee in office on the as_of day."))
    party_covered = django_filters.BooleanFilter(widget=AnyYesNo, 
        field_name="party_covered_on_day", label=_("党组织覆盖"),
        help_text=_("状态日期当天是否有党组织覆盖。 / Covered by an active party organisation on the as_of day."))
    search = django_filters.CharFilter(method="filter_search", label=_("搜索"),
                                       help_text=_("小区名称、代码或地址包含此文字。 / Name, code or address contains this text."))
    counted = django_filters.BooleanFilter(widget=AnyYesNo, field_name="active_on_day", label=_("计入统计"), help_text=_(
        "状态日期当天是否计入统计（未停止计入）。 / Counted (not closed or merged) on the as_of day."))
    as_of = as_of_filter("keep", help_text=_(
        "按该日（YYYY-MM-DD）重建登记状态：只含该日已纳入管理的小区，状态与管理模式取该日的值；默认今天。 / "
        "Registry as on this day: compounds started by then, status and management mode as on that day; default today."))
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = Compound
        fields = ["area", "name", "search", "housing_type", "management_mode", "is_old_compound", "committee_in_office",
                  "party_covered", "counted", "as_of", "updated_since"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value) | Q(address__icontains=value))

    def filter_queryset(self, queryset):
        day = self.as_of_day
        mode = CompoundManagementPeriod.objects.filter(management_period_q(day), compound_id=OuterRef("pk"))
        queryset = compounds_as_of(day, queryset.filter(active_from__lte=day)).annotate(
            mode_on_day=Coalesce(Subquery(mode.values("mode")[:1]), F("management_mode")),
            active_on_day=ExpressionWrapper(compound_active_q(day), output_field=BooleanField()),
            committee_on_day=ExpressionWrapper(compound_committee_in_office_exists(day), output_field=BooleanField()),
            party_covered_on_day=ExpressionWrapper(compound_party_coverage_exists(day), output_field=BooleanField()))
        return super().filter_queryset(queryset)


class PropertyFirmFilterSet(django_filters.FilterSet):
    area = AreaCodeFilter(help_text=_(
        "市或区县代码：注册在该区域的企业。 / City or district code: firms registered there."))
    name = django_filters.CharFilter(lookup_expr="icontains", label=_("企业名称"),
                                     help_text=_("名称包含此文字。 / Name contains this text."))
    sanyou = django_filters.BooleanFilter(method="filter_sanyou", label=_("“三有”企业"), help_text=_(
        "是否“三有”企业（有固定场所、10 人以上、正常经营）。 / Whether the firm is 三有 "
        "(fixed premises, 10+ staff, in business)."))
    in_business = django_filters.BooleanFilter(label=_("正常经营"), help_text=_("是否正常经营。 / In business."))
    is_state_owned = django_filters.BooleanFilter(label=_("国有企业"), help_text=_("是否国有企业。 / State-owned."))
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = PropertyFirm
        fields = ["area", "name", "sanyou", "in_business", "is_state_owned", "updated_since"]

    def filter_sanyou(self, queryset, name, value):
        return queryset.filter(PropertyFirm.SANYOU_Q) if value else queryset.exclude(PropertyFirm.SANYOU_Q)


class ServiceContractFilterSet(AsOfFilterSet):
    area = AreaCodeFilter()
    firm = django_filters.CharFilter(field_name="firm__credit_code", label=_("企业信用代码"),
                                      help_text=_("物业服务企业的统一社会信用代码。 / The firm's unified social credit code."))
    compound = django_filters.CharFilter(field_name="compound__code", label=_("小区代码"),
                                         help_text=_("小区代码。 / Compound code."))
    in_force = django_filters.BooleanFilter(field_name="in_force_on_day", label=_("履行中"), help_text=_(
        "状态日期当天合同是否有效（已开始、未到期、未清退）。 / In force on the as_of day (started, not ended, not dismissed)."))
    as_of = as_of_filter("keep", help_text=_(
        "按该日（YYYY-MM-DD）重建：只含该日已开始的合同，履行状态取该日；默认今天。 / "
        "Contracts started by this day, in-force state as on that day; default today."))
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = ServiceContract
        fields = ["area", "firm", "compound", "in_force", "as_of", "updated_since"]

    def filter_queryset(self, queryset):
        day = self.as_of_day
        queryset = queryset.filter(starts_on__lte=day).annotate(
            in_force_on_day=ExpressionWrapper(contract_active_q(day), output_field=BooleanField()))
        return super().filter_queryset(queryset)
