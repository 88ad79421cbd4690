"""Forms of the committee and party-organisation pages. The election is one form and a member
formset, validated as a whole by committees.services.committee_elect."""
from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from communities.forms import DateInput, effective_date
from communities.models import Compound, PropertyFirm
from districts.selectors import in_area_q

from .models import CommitteeMember, PartyOrganisation

ELECTION_MEMBER_ROWS = 7


class ElectionForm(forms.Form):
    elected_on = forms.DateField(label=_("选举日期"), widget=DateInput())
    term_start = forms.DateField(label=_("任期开始"), widget=DateInput(), required=False,
                                 help_text=_("留空则为选举日期。"))
    term_end = forms.DateField(label=_("任期届满"), widget=DateInput(), required=False,
                               help_text=_("任期最后一天；留空则为五年。"))
    chair_is_branch_secretary = forms.BooleanField(label=_("主任与小区党支部书记“一肩挑”"), required=False)


class MemberForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    role = forms.ChoiceField(label=_("职务"), choices=CommitteeMember.Role.choices, initial=CommitteeMember.Role.MEMBER)
    is_party_member = forms.BooleanField(label=_("中共党员"), required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)


class BaseMemberFormSet(forms.BaseFormSet):
    def members(self) -> list[dict]:
        return [form.cleaned_data for form in self.forms if form.cleaned_data and form.cleaned_data.get("name")]


MemberFormSet = forms.formset_factory(MemberForm, formset=BaseMemberFormSet, extra=ELECTION_MEMBER_ROWS, max_num=21,
                                      validate_max=True)


class DateForm(forms.Form):
    on = forms.DateField(label=_("日期"), widget=DateInput())


class MemberChangeForm(forms.Form):
    role = forms.ChoiceField(label=_("职务"), choices=CommitteeMember.Role.choices)
    is_party_member = forms.BooleanField(label=_("中共党员"), required=False)
    on = effective_date()


class MemberCorrectForm(forms.ModelForm):
    """A name or number recorded wrong (a correction: neither carries a date)."""

    class Meta:
        model = CommitteeMember
        fields = ["name", "phone"]
        labels = {"name": _("姓名（更正）"), "phone": _("联系电话（更正）")}


class MemberJoinForm(MemberForm):
    on = forms.DateField(label=_("加入日期"), widget=DateInput())


class PartyOrganisationForm(forms.ModelForm):
    compounds = forms.ModelMultipleChoiceField(label=_("覆盖小区"), queryset=Compound.objects.none(), required=False,
                                               widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = PartyOrganisation
        fields = ["code", "name", "kind", "form", "established_on"]
        widgets = {"established_on": DateInput()}

    def __init__(self, *args, street, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["compounds"].queryset = Compound.objects.filter(in_area_q(Compound, street)).order_by("code")
        self.fields["compounds"].label_from_instance = lambda compound: f"{compound.name}（{compound.code}）"


class CoverageForm(forms.Form):
    compound = forms.ModelChoiceField(label=_("小区"), queryset=Compound.objects.none(), required=False)
    firm = forms.CharField(label=_("或企业统一社会信用代码"), max_length=18, required=False)
    on = forms.DateField(label=_("覆盖开始日期"), widget=DateInput())

    def __init__(self, *args, street, **kwargs):
        super().__init__(*args, **kwargs)
        if street is not None:
            self.fields["compound"].queryset = Compound.objects.filter(in_area_q(Compound, street)).order_by("code")
        self.fields["compound"].label_from_instance = lambda compound: f"{compound.name}（{compound.code}）"

    def clean(self):
        data = super().clean()
        code = (data.get("firm") or "").strip().upper()
        if bool(data.get("compound")) == bool(code):
            raise forms.ValidationError(_("请选择一个小区，或填写一家企业的统一社会信用代码（二选一）。"))
        if code:
            data["firm"] = PropertyFirm.objects.filter(credit_code=code).first()
            if data["firm"] is None:
                self.add_error("firm", _("未找到统一社会信用代码为 %(code)s 的企业。") % {"code": code})
        else:
            data["firm"] = None
        return data
