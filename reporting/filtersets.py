"""FilterSets of monthly reports and records, shared by pages and the API. Months are written YYYY-MM."""
from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from common.years import EARLIEST_YEAR, LATEST_YEAR
from districts.filtersets import AreaCodeFilter, UpdatedSinceFilter

from .models import MonthlyRecord, MonthlyReport, ReportState
from .periods import PERIOD_PATTERN, parse_period


class PeriodFormField(forms.CharField):
    def to_python(self, value):
        text = super().to_python(value)
        # Left out is no filter; sent as blanks (a control character included) is a wrong month.
        if not text and not value:
            return None
        try:
            return parse_period(text)
        except ValueError:
            raise forms.ValidationError(_("月份应为 %(first)s-01 至 %(last)s-12 之间的 YYYY-MM，例如 2024-05。")
                                        % {"first": EARLIEST_YEAR, "last": LATEST_YEAR}, code="invalid") from None


class PeriodFilter(django_filters.Filter):
    """`period=YYYY-MM` (and `_from` / `_to` variants): compared with the month's first day."""

    field_class = PeriodFormField
    openapi_schema = {"type": "string", "pattern": PERIOD_PATTERN, "example": "2024-05"}


class PeriodFilterSet(django_filters.FilterSet):
    period = PeriodFilter(label=_("月份"), help_text=_("月份，格式 YYYY-MM。 / Month, YYYY-MM."))
    period_from = PeriodFilter(field_name="period", lookup_expr="gte", label=_("起始月份"),
                               help_text=_("从该月（含）起，YYYY-MM。 / From this month on (inclusive), YYYY-MM."))
    period_to = PeriodFilter(field_name="period", lookup_expr="lte", label=_("截止月份"),
                             help_text=_("到该月（含）止，YYYY-MM。 / Up to this month (inclusive), YYYY-MM."))


class MonthlyReportFilterSet(PeriodFilterSet):
    area = AreaCodeFilter()
    state = django_filters.MultipleChoiceFilter(choices=ReportState.choices, label=_("状态"),
                                                help_text=_("月报状态，可重复以多选。 / Report state; repeat for several."))
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = MonthlyReport
        fields = ["area", "period", "period_from", "period_to", "state", "updated_since"]


class MonthlyRecordFilterSet(PeriodFilterSet):
    area = AreaCodeFilter(via="compound")
    compound = django_filters.CharFilter(field_name="compound__code", label=_("小区代码"),
                                         help_text=_("小区代码。 / Compound code."))
    state = django_filters.MultipleChoiceFilter(
        field_name="report__state", choices=ReportState.choices, label=_("月报状态"),
        help_text=_("所属月报的状态，可重复以多选；只要已审核数据时用 approved 与 locked。 / "
                    "State of the record's report; repeat for several (approved & locked for final data)."))
    updated_since = UpdatedSinceFilter()

    class Meta:
        model = MonthlyRecord
        fields = ["area", "compound", "period", "period_from", "period_to", "state", "updated_since"]
