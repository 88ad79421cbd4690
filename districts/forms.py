"""The form city staff use to change which functional zone administers a street. Rules stay in the service."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from communities.forms import DateInput

from .models import District, Street


class AreaChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, area):
        return f"{area.name}（{area.code}）"


class StreetChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, street):
        return f"{street.name}（{street.code}，现属{street.district.name}）"


class StreetZoneForm(forms.Form):
    street = StreetChoiceField(
        label=_("街道(乡镇)"), queryset=Street.objects.select_related("district").order_by("code"),
        error_messages={"required": _("请选择街道(乡镇)。"), "invalid_choice": _("街道(乡镇)不存在，请重新选择。")})
    zone = AreaChoiceField(
        label=_("托管功能区"), required=False, empty_label=_("不由功能区托管（回归区划代码所列区县）"),
        queryset=District.objects.filter(kind=District.Kind.FUNCTIONAL_ZONE).order_by("code"),
        error_messages={"invalid_choice": _("托管功能区不存在，请重新选择。")})
    on = forms.DateField(
        label=_("生效日期"), widget=DateInput(), help_text=_("自该日起生效；此前各日的托管记录保留。"),
        error_messages={"required": _("请填写生效日期。"), "invalid": _("生效日期格式应为 年-月-日，例如 2025-01-01。")})
