from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from common.forms import DecimalField, IntegerField, number_formfield

from .models import RoundStage, SelectionRound


class RoundForm(forms.ModelForm):
    class Meta:
        model = SelectionRound
        fields = ["year", "title", "quota", "nomination_limit_per_district", "reference_month"]
        formfield_callback = number_formfield
        widgets = {"reference_month": forms.DateInput(attrs={"type": "date"})}


class StageForm(forms.ModelForm):
    class Meta:
        model = RoundStage
        fields = ["kind", "starts_on", "ends_on"]
        widgets = {"starts_on": forms.DateInput(attrs={"type": "date"}),
                   "ends_on": forms.DateInput(attrs={"type": "date"})}


class CriteriaForm(forms.Form):
    """One weight and one indicator share per criterion of the round."""

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"weight_{criterion.code}"] = IntegerField(
                label=criterion.name, min_value=0, max_value=100, initial=criterion.weight)
            self.fields[f"share_{criterion.code}"] = IntegerField(
                label=_("%(name)s·指标得分占比(%%)") % {"name": criterion.name}, min_value=0, max_value=100,
                initial=criterion.indicator_share)

    def weights(self) -> dict[str, int]:
        return {c.code: self.cleaned_data[f"weight_{c.code}"] for c in self.criteria}

    def shares(self) -> dict[str, int]:
        return {c.code: self.cleaned_data[f"share_{c.code}"] for c in self.criteria}


class AssignForm(forms.Form):
    criterion = forms.ModelChoiceField(label=_("评分项"), queryset=None)
    judge = forms.ModelChoiceField(label=_("评审专家/部门"), queryset=User.objects.filter(role=Role.JUDGE, is_active=True))

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criterion"].queryset = criteria


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class NominateForm(forms.Form):
    street = forms.ModelChoiceField(label=_("街道(乡镇)"), queryset=None)
    summary = forms.CharField(label=_("推荐理由"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, streets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["street"].queryset = streets


class MaterialForm(forms.Form):
    file = forms.FileField(label=_("申报材料"), help_text=_("PDF、PNG、JPG、DOCX 或 XLSX"))


class ScoreForm(forms.Form):
    nomination = IntegerField(widget=forms.HiddenInput)
    value = DecimalField(label=_("得分"), min_value=0, max_value=100, max_digits=5, decimal_places=2)
    comment = forms.CharField(label=_("评语"), required=False, max_length=1000)


class PhoneForm(forms.Form):
    phone = forms.CharField(label=_("手机号码"), max_length=20,
                            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}))


class CodeForm(PhoneForm):
    code = forms.CharField(label=_("短信验证码"), max_length=6,
                           widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}))
