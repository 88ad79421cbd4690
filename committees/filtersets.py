"""FilterSets of owners' committees and party organisations, shared by the list pages and the API."""
from __future__ import annotations

import django_filters
from django.db.models import BooleanField, ExpressionWrapper
from django.utils.translation import gettext_lazy as _

from communities.filtersets import AsOfFilterSet
from districts.filtersets import AreaCodeFilter, UpdatedSinceFilter, as_of_filter
from districts.selectors import area_by_code, in_area_q, lowest_level

from .models import CommitteeStatus, OwnersCommittee, PartyOrganisation
from .selectors import committee_status_q, party_org_active_q


class OwnersCommitteeFilterSet(AsOfFilterSet):
    area = AreaCodeFilter()
    compound = django_filters.CharFilter(field_name="compound__code", label=_("小区代码"),
                                         help_text=_("小区代码。 / Compound code."))
    status = django_filters.ChoiceFilter(choices=CommitteeStatus.choices, method="filter_status", label=_("状态"),
                                         help_text=_("状态日期当天的状态。 / Status on the as_of day."))
    as_of = as_of_filter("keep", help_text=_(
        "状态按该日（YYYY-MM-DD）计算，默认今天。 / Status is evaluated on this day; default today."))
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = OwnersCommittee
        fields = ["area", "compound", "status", "as_of", "updated_since"]

    def filter_status(self, queryset, name, value):
        return queryset.filter(committee_status_q(value, self.as_of_day))


class PartyOrganisationFilterSet(AsOfFilterSet):
    area = django_filters.CharFilter(method="filter_area", label=_("区域代码"), help_text=_(
        "市、区县或街道代码：所属该区域的党组织。 / City, district or street code: organisations belonging there."))
    kind = django_filters.ChoiceFilter(choices=PartyOrganisation.Kind.choices, label=_("类型"),
                                       help_text=_("党组织类型。 / Kind of organisation."))
    form = django_filters.ChoiceFilter(choices=PartyOrganisation.Form.choices, label=_("组建形式"),
                                       help_text=_("组建形式。 / How it is formed."))
    active = django_filters.BooleanFilter(field_name="active_on_day", label=_("存续"), help_text=_(
        "状态日期当天是否存续（已成立、未撤销）。 / Established and not dissolved on the as_of day."))
    as_of = as_of_filter("keep", help_text=_(
        "按该日（YYYY-MM-DD）重建：只含该日已成立的党组织；默认今天。 / "
        "Organisations established by this day; default today."))
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = PartyOrganisation
        fields = ["area", "kind", "form", "active", "as_of", "updated_since"]

    def filter_queryset(self, queryset):
        day = self.as_of_day
        queryset = queryset.filter(established_on__lte=day).annotate(
            active_on_day=ExpressionWrapper(party_org_active_q(day), output_field=BooleanField()))
        return super().filter_queryset(queryset)

    def filter_area(self, queryset, name, value):
        area = area_by_code(value.strip())
        if area is None:
            return queryset.none()
        # An organisation belongs to a street or a district; under a street, to the compounds it covers.
        if not lowest_level(area):
            return queryset.filter(in_area_q(queryset.model, area))
        return queryset.filter(compounds__community=area).distinct()
