"""Forms of the registry pages: what an officer types, in their words. Rules stay in the services."""
from __future__ import annotations

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from common.forms import IntegerField, number_formfield
from districts.selectors import area_children

from .models import Compound, FirmListing, HousingType, ManagementMode, PropertyFirm


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def effective_date(label=_("生效日期")) -> forms.DateField:
    return forms.DateField(label=label, widget=DateInput(),
                           help_text=_("变化实际发生的日期；此前的月份保持原值。"))


class StreetCommunityField(forms.ModelChoiceField):
    def label_from_instance(self, community):
        return f"{community.name}（{community.code}）"


class CompoundCreateForm(forms.ModelForm):
    class Meta:
        model = Compound
        formfield_callback = number_formfield
        fields = ["community", "code", "name", "address", "households", "buildings", "year_built", "housing_type",
                  "is_old_compound", "management_mode", "active_from", "safety_certified_on"]
        field_classes = {"community": StreetCommunityField}
        widgets = {"active_from": DateInput(), "safety_certified_on": DateInput()}
        help_texts = {"code": _("留空则按所属社区代码自动编号，可修改。")}

    def __init__(self, *args, street, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = area_children(street)
        self.fields["code"].required = False

    def validate_unique(self):
        # A blank code is proposed by the service; its uniqueness is checked there.
        if self.cleaned_data.get("code"):
            super().validate_unique()


CORRECTION_HELP = _("原值有误时更正，所涉月份一并更正；实际变化请用“按日期变更”。")


class CompoundEditForm(forms.ModelForm):
    """What carries no date; households, housing type, community and management mode here are
    corrections of the value in force now (services.compound_correct)."""

    households = IntegerField(label=_("户数（更正）"), min_value=1, help_text=CORRECTION_HELP)
    housing_type = forms.ChoiceField(label=_("房屋类型（更正）"), choices=HousingType.choices)
    community = StreetCommunityField(label=_("所属社区(村)（更正）"), queryset=None)
    management_mode = forms.ChoiceField(label=_("管理模式（更正）"), choices=ManagementMode.choices,
                                        help_text=CORRECTION_HELP)

    # The form's corrections, by the compound's attribute they fix.
    corrections = {"households": "households", "housing_type": "housing_type", "community": "community_id",
                   "management_mode": "management_mode"}

    class Meta:
        model = Compound
        formfield_callback = number_formfield
        fields = ["name", "address", "buildings", "year_built", "is_old_compound"]

    def __init__(self, *args, street, **kwargs):
        compound = kwargs["instance"]
        kwargs["initial"] = {"households": compound.households, "housing_type": compound.housing_type,
                             "community": compound.community_id, "management_mode": compound.management_mode,
                             **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = area_children(street)

    def corrected_values(self) -> dict:
        data = self.cleaned_data
        return {attribute: data[name].pk if name == "community" else data[name]
                for name, attribute in self.corrections.items()}


class HouseholdsChangeForm(forms.Form):
    value = IntegerField(label=_("新户数"), min_value=1)
    on = effective_date()


class HousingTypeChangeForm(forms.Form):
    value = forms.ChoiceField(label=_("新房屋类型"), choices=HousingType.choices)
    on = effective_date()


class ManagementModeChangeForm(forms.Form):
    value = forms.ChoiceField(label=_("新管理模式"), choices=ManagementMode.choices)
    on = effective_date()


class CommunityChangeForm(forms.Form):
    value = StreetCommunityField(label=_("新所属社区(村)"), queryset=None)
    on = effective_date()

    def __init__(self, *args, street, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value"].queryset = area_children(street)


class CloseForm(forms.Form):
    on = forms.DateField(label=_("停止计入日期"), widget=DateInput(), help_text=_("合并或撤销之日，此日起不再计入统计。"))
    merged_into = forms.CharField(label=_("并入小区代码"), required=False, max_length=32,
                                  help_text=_("合并时填写并入的小区代码；撤销则留空。"))


class SafetyForm(forms.Form):
    on = forms.DateField(label=_("安全生产标准化创建日期"), widget=DateInput())


class ContractForm(forms.Form):
    firm = forms.CharField(label=_("企业统一社会信用代码"), max_length=18)
    starts_on = forms.DateField(label=_("合同起始日期"), widget=DateInput())
    ends_on = forms.DateField(label=_("合同截止日期"), widget=DateInput(), required=False,
                              help_text=_("合同最后一天；未约定可留空。"))

    def clean_firm(self):
        code = self.cleaned_data["firm"].strip().upper()
        firm = PropertyFirm.objects.filter(credit_code=code).first()
        if firm is None:
            raise forms.ValidationError(_("未找到统一社会信用代码为 %(code)s 的物业服务企业，请先由区县登记企业。"),
                                        params={"code": code})
        return firm


class ContractEndForm(forms.Form):
    terminate = forms.TypedChoiceField(label=_("方式"), coerce=lambda value: value == "terminate",
                                       choices=[("end", _("提前终止（合同到期或协商解除）")), ("terminate", _("清退"))])
    on = forms.DateField(label=_("日期"), widget=DateInput(), help_text=_("此日起不再履行。"))
    reason = forms.CharField(label=_("原因"), max_length=500, required=False)


class FirmForm(forms.ModelForm):
    class Meta:
        model = PropertyFirm
        formfield_callback = number_formfield
        fields = ["credit_code", "name", "registered_district", "staff_count", "has_fixed_premises", "in_business",
                  "is_state_owned", "star_rating"]

    def __init__(self, *args, districts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["registered_district"].queryset = districts


class FirmEditForm(forms.ModelForm):
    class Meta:
        model = PropertyFirm
        formfield_callback = number_formfield
        fields = ["name", "is_state_owned", "star_rating"]


class FirmFactsForm(forms.Form):
    staff_count = IntegerField(label=_("员工人数"), min_value=0)
    has_fixed_premises = forms.BooleanField(label=_("有固定办公场所"), required=False)
    in_business = forms.BooleanField(label=_("正常经营"), required=False)
    on = effective_date()


class ListingForm(forms.Form):
    kind = forms.ChoiceField(label=_("榜单"), choices=FirmListing.Kind.choices)
    on = forms.DateField(label=_("上榜日期"), widget=DateInput())
    reason = forms.CharField(label=_("事由"), max_length=500)


class DelistForm(forms.Form):
    on = forms.DateField(label=_("移出日期"), widget=DateInput())


class RegistryUploadForm(forms.Form):
    COMPOUNDS, ELECTIONS = "compounds", "elections"
    kind = forms.ChoiceField(label=_("文件内容"), choices=[(COMPOUNDS, _("小区登记表")),
                                                          (ELECTIONS, _("业委会选举（每行一名成员）"))])
    file = forms.FileField(label=_("登记表文件（.xlsx 或 .csv）"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("只能上传 .xlsx 或 .csv 格式的文件"))
        if upload.size > settings.REGISTRY_IMPORT_MAX_BYTES:
            raise forms.ValidationError(_("文件不能超过 %(size)s") % {"size": filesizeformat(settings.REGISTRY_IMPORT_MAX_BYTES)})
        return upload

    @property
    def format(self) -> str:
        return "csv" if self.cleaned_data["file"].name.lower().endswith(".csv") else "xlsx"
