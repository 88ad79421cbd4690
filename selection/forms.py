from itertools import groupby

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from common.forms import DecimalField, IntegerField, number_formfield

from .models import RoundStage, SelectionRound


def county_of(street):
    """The county-level unit a street is grouped under in pickers."""
    return street.parent


class CountyGroupedIterator(ModelChoiceIterator):
    """Choices as one option group per county-level unit ("安溪县 350524"), in the queryset's order."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for county, streets in groupby(self.queryset, key=county_of):
            yield (f"{county.name} {county.code}", [self.choice(street) for street in streets])


class StreetChoiceField(forms.ModelChoiceField):
    """Streets grouped by county-level unit, each with its code, so two 官桥镇 are told apart.

    The queryset must be ordered by county-level unit and select it."""

    iterator = CountyGroupedIterator

    def label_from_instance(self, street) -> str:
        return f"{street.name}（{street.code}）"


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user) -> str:
        return user.display_name


class RoundForm(forms.ModelForm):
    class Meta:
        model = SelectionRound
        fields = ["year", "title", "quota", "nomination_limit_per_district", "reference_month", "min_public_votes"]
        formfield_callback = number_formfield
        widgets = {"reference_month": forms.DateInput(attrs={"type": "date"})}


class OverrideForm(forms.Form):
    """City staff's reason for doing a stage's work outside its dates (audited)."""

    override_reason = forms.CharField(label=_("越期操作原因"), max_length=500, required=False,
                                      widget=forms.TextInput(attrs={"placeholder": _("不在阶段日期内时必填")}))

    def reason(self) -> str:
        return self.cleaned_data.get("override_reason", "") if self.is_valid() else ""


class StageForm(forms.ModelForm):
    reason = forms.CharField(label=_("调整原因"), max_length=500, required=False,
                             help_text=_("推选开放后调整日期须填写原因"))

    class Meta:
        model = RoundStage
        fields = ["kind", "starts_on", "ends_on"]
        widgets = {"starts_on": forms.DateInput(attrs={"type": "date"}),
                   "ends_on": forms.DateInput(attrs={"type": "date"})}


class CriteriaForm(forms.Form):
    """One weight and one indicator share per criterion of the round, and the public votes' minimum."""

    def __init__(self, *args, criteria, selection_round, **kwargs):
        super().__init__(*args, **kwargs)
        self.criteria = list(criteria)
        for criterion in self.criteria:
            self.fields[f"weight_{criterion.code}"] = IntegerField(
                label=criterion.name, min_value=0, max_value=100, initial=criterion.weight)
            self.fields[f"share_{criterion.code}"] = IntegerField(
                label=_("%(name)s·指标得分占比(%%)") % {"name": criterion.name}, min_value=0, max_value=100,
                initial=criterion.indicator_share)
        self.fields["min_public_votes"] = IntegerField(
            label=SelectionRound._meta.get_field("min_public_votes").verbose_name, min_value=0, max_value=10 ** 8,
            initial=selection_round.min_public_votes,
            help_text=SelectionRound._meta.get_field("min_public_votes").help_text)

    def weights(self) -> dict[str, int]:
        return {c.code: self.cleaned_data[f"weight_{c.code}"] for c in self.criteria}

    def shares(self) -> dict[str, int]:
        return {c.code: self.cleaned_data[f"share_{c.code}"] for c in self.criteria}


class AssignForm(forms.Form):
    criterion = forms.ModelChoiceField(label=_("评分项"), queryset=None)
    judge = PersonChoiceField(label=_("评审专家/部门"), queryset=User.objects.filter(
        role=Role.JUDGE, is_active=True).order_by("organisation", "last_name", "first_name", "username"))

    def __init__(self, *args, criteria, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criterion"].queryset = criteria


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


class NominateForm(OverrideForm):
    street = StreetChoiceField(label=_("街道(乡镇)"), queryset=None)
    summary = forms.CharField(label=_("推荐理由"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    field_order = ["street", "summary", "override_reason"]

    def __init__(self, *args, streets, may_override: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["street"].queryset = streets.order_by("district__code", "code")
        if not may_override:
            del self.fields["override_reason"]


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
