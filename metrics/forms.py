"""The form city staff set a target with. Its rules (a real area, the threshold's bounds, one target
per indicator, area and deadline) are metrics.services'; the form reads and offers the choices."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from common.forms import DecimalField
from communities.forms import DateInput
from districts.models import District, Street

from .models import Comparison, Indicator, Target

CITY_WIDE = ""


def area_value(level: str, code: str) -> str:
    return f"{level}:{code}" if level else CITY_WIDE


def area_choices() -> list:
    """全市, then each district with its streets: the areas a target may name, by their codes."""
    streets: dict[int, list] = {}
    for street in Street.objects.order_by("code").only("code", "name", "district_id"):
        streets.setdefault(street.parent_id, []).append((area_value("street", street.code),
                                                           f"{street.name}（{street.code}）"))
    choices = [(CITY_WIDE, _("全市"))]
    for district in District.objects.order_by("code").only("pk", "code", "name"):
        choices.append((district.name, [(area_value("district", district.code),
                                         f"{district.name}（{district.code}，全区县）"), *streets.get(district.pk, [])]))
    return choices


def target_fields(cleaned_data: dict) -> dict:
    """A TargetForm's cleaned data as the services take it: the area as its level and code."""
    data = dict(cleaned_data)
    level, _sep, code = data.pop("area").partition(":")
    return {**data, "area_level": level, "area_code": code}


class IndicatorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, indicator):
        return f"{indicator.name}（{indicator.get_unit_display()}）"


class TargetForm(forms.Form):
    indicator = IndicatorChoiceField(
        label=_("指标"), queryset=Indicator.objects.all(),
        error_messages={"required": _("请选择指标。"), "invalid_choice": _("指标不存在，请重新选择。")})
    area = forms.ChoiceField(
        label=_("区域"), required=False, help_text=_("选“全市”为全市统一目标；区县或街道(乡镇)的目标优先于全市目标。"),
        error_messages={"invalid_choice": _("区域不存在，请从列表中选择全市、区县或街道(乡镇)。")})
    comparison = forms.ChoiceField(label=_("比较"), choices=Comparison.choices,
                                   error_messages={"required": _("请选择比较方式。"),
                                                   "invalid_choice": _("比较方式无效，请重新选择。")})
    threshold = DecimalField(label=_("目标值"), max_digits=12, decimal_places=4,
                             error_messages={"required": _("请填写目标值。"),
                                             "max_decimal_places": _("目标值最多保留 %(max)s 位小数。")})
    deadline = forms.DateField(label=_("完成时限"), widget=DateInput(),
                               error_messages={"required": _("请填写完成时限。"),
                                               "invalid": _("完成时限格式应为 年-月-日，例如 2025-12-31。")})
    note = forms.CharField(label=_("说明"), required=False, max_length=Target._meta.get_field("note").max_length,
                           error_messages={"max_length": _("说明最多 %(limit_value)d 个字。")})

    def __init__(self, *args, target: Target | None = None, **kwargs):
        if target is not None:
            kwargs["initial"] = {"indicator": target.indicator_id, "comparison": target.comparison,
                                 "area": area_value(target.area_level, target.area_code),
                                 "threshold": format(target.threshold.normalize(), "f"), "deadline": target.deadline,
                                 "note": target.note}
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = area_choices()
