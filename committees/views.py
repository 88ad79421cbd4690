"""Committee and party-organisation pages of the registry. Thin, as communities.views: scope for
what is visible and who may change it, services for every write."""
from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from common.history import history_entries
from common.security import log_personal_data_view
from communities.models import Compound
from communities.views import (
    apply_errors,
    compound_of,
    flash_errors,
    registry_user_required,
    require_street_change,
    saved,
    scope_of,
    visible_or_404,
)
from districts.models import Street

from . import services
from .forms import (
    CoverageForm,
    DateForm,
    ElectionForm,
    MemberChangeForm,
    MemberCorrectForm,
    MemberFormSet,
    MemberJoinForm,
    PartyOrganisationForm,
)
from .models import (
    CommitteeMember,
    CommitteeMemberPeriod,
    OwnersCommittee,
    PartyOrganisation,
    PartyOrganisationCompound,
    PartyOrganisationFirm,
)


def _election(request, compound: Compound, *, renewing: OwnersCommittee | None = None):
    form = ElectionForm(request.POST or None)
    formset = MemberFormSet(request.POST or None, prefix="members")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            if renewing is not None:
                committee = services.committee_renew(committee=renewing, members=formset.members(), **form.cleaned_data)
            else:
                committee = services.committee_elect(compound=compound, members=formset.members(), **form.cleaned_data)
        except ValidationError as error:
            # Member errors above the member rows, the others on the field they name.
            errors = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
            formset._non_form_errors = formset.error_class(errors.pop("members", []))
            for field, field_errors in errors.items():
                form.add_error(field if field in form.fields else None, field_errors)
        else:
            messages.success(request, _("已记录业委会选举，任期 %(start)s 至 %(end)s。") % {
                "start": committee.term_start.isoformat(), "end": committee.term_end.isoformat()})
            return redirect("committees:committee", committee_id=committee.pk)
    return render(request, "committees/election_form.html",
                  {"compound": compound, "form": form, "formset": formset, "renewing": renewing})


@registry_user_required
@require_http_methods(["GET", "POST"])
def committee_elect(request, code):
    compound = compound_of(request, code)
    require_street_change(request, compound.community.parent_id)
    return _election(request, compound)


def committee_of(request, committee_id) -> OwnersCommittee:
    return visible_or_404(request, OwnersCommittee.objects.select_related("compound__community__street"),
                          pk=committee_id)


def _changeable_committee(request, committee_id) -> OwnersCommittee:
    committee = committee_of(request, committee_id)
    require_street_change(request, committee.compound.community.parent_id)
    return committee


@registry_user_required
@require_GET
def committee_detail(request, committee_id):
    return _committee_page(request, committee_id)


def _committee_page(request, committee_id, *, bound=None):
    committee = committee_of(request, committee_id)
    street_id = committee.compound.community.parent_id
    scope = scope_of(request)
    members = list(committee.members.prefetch_related("periods"))
    own_street = scope.sees_personal_data(street_id)
    for member in members:
        # Names and numbers in full only for the owning street's own officers (PIPL).
        member.name_shown = member.name if own_street else member.masked_name
        member.phone_shown = member.phone if own_street else member.masked_phone
    if own_street and any(member.phone for member in members):
        log_personal_data_view(request, what="phone", obj=committee)
    bound = bound or {}
    context = {
        "committee": committee, "compound": committee.compound, "members": members,
        "status_label": committee.get_status_display(), "can_change": scope.can_change_street(street_id),
        "personal_data": own_street,
        "today": timezone.localdate(),
        "date_form": DateForm(), "member_change_form": MemberChangeForm(),
        "join_form": bound.get("join") or MemberJoinForm(),
        "history": history_entries([
            (_("业委会"), OwnersCommittee.history.filter(id=committee.pk)),
            (_("成员"), CommitteeMember.history.filter(committee_id=committee.pk)),
            (_("成员职务与党员身份"), CommitteeMemberPeriod.history.filter(member__committee_id=committee.pk)),
        ], personal_data=own_street),
    }
    return render(request, "committees/committee_detail.html", context)


@registry_user_required
@require_http_methods(["GET", "POST"])
def committee_renew(request, committee_id):
    committee = _changeable_committee(request, committee_id)
    return _election(request, committee.compound, renewing=committee)


def _dated_action(request, committee_id, service, success: str):
    committee = _changeable_committee(request, committee_id)
    form = DateForm(request.POST)
    if not saved(request, form, lambda data: service(committee=committee, on=data["on"]), success):
        flash_errors(request, form)
    return redirect("committees:committee", committee_id=committee.pk)


@registry_user_required
@require_POST
def committee_start_renewal(request, committee_id):
    return _dated_action(request, committee_id, services.committee_start_renewal, _("已记录启动换届。"))


@registry_user_required
@require_POST
def committee_dissolve(request, committee_id):
    return _dated_action(request, committee_id, services.committee_dissolve, _("已记录业委会解散。"))


@registry_user_required
@require_POST
def member_join(request, committee_id):
    committee = _changeable_committee(request, committee_id)
    form = MemberJoinForm(request.POST)
    if saved(request, form, lambda data: services.committee_member_join(committee=committee, **data), _("已增补成员。")):
        return redirect("committees:committee", committee_id=committee.pk)
    return _committee_page(request, committee_id, bound={"join": form})


def _changeable_member(request, member_id) -> CommitteeMember:
    member = visible_or_404(request, CommitteeMember.objects.select_related("committee__compound__community"),
                            pk=member_id)
    require_street_change(request, member.committee.compound.community.parent_id)
    return member


def _member_action(request, member, form, run, success: str):
    if not saved(request, form, run, success):
        flash_errors(request, form)
    return redirect("committees:committee", committee_id=member.committee_id)


@registry_user_required
@require_POST
def member_change(request, member_id):
    member = _changeable_member(request, member_id)
    return _member_action(request, member, MemberChangeForm(request.POST),
                          lambda data: services.committee_member_change(member=member, **data),
                          _("成员信息已变更。"))


@registry_user_required
@require_POST
def member_correct(request, member_id):
    member = _changeable_member(request, member_id)
    # Names and numbers are the owning street's to see, so theirs to correct (city staff see them masked).
    if not scope_of(request).sees_personal_data(member.committee.compound.community.parent_id):
        raise PermissionDenied
    return _member_action(request, member, MemberCorrectForm(request.POST),
                          lambda data: services.committee_member_correct(member=member, **data),
                          _("成员姓名或联系电话已更正。"))


@registry_user_required
@require_POST
def member_leave(request, member_id):
    member = _changeable_member(request, member_id)
    return _member_action(request, member, DateForm(request.POST),
                          lambda data: services.committee_member_leave(member=member, on=data["on"]),
                          _("已记录成员离任。"))


# --- Party organisations ----------------------------------------------------------------------------


@registry_user_required
@require_http_methods(["GET", "POST"])
def party_create(request, code):
    street = visible_or_404(request, Street.objects.select_related("district"), code=code)
    require_street_change(request, street.pk)
    form = PartyOrganisationForm(request.POST or None, street=street)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        compounds = data.pop("compounds")
        try:
            organisation = services.party_organisation_create(street=street, district=street.parent, **data)
            services.party_organisation_set_coverage(organisation=organisation, on=organisation.established_on,
                                                     new=True, compounds=compounds)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("已登记党组织 %(name)s。") % {"name": organisation.name})
            return redirect("committees:party", party_code=organisation.code)
    return render(request, "committees/party_form.html", {"street": street, "form": form})


def party_of(request, party_code) -> PartyOrganisation:
    return visible_or_404(request, PartyOrganisation.objects.select_related("street", "district"), code=party_code)


def _may_change_party(request, organisation) -> bool:
    # A district-level organisation (no street) is the city's to keep.
    scope = scope_of(request)
    return scope.city_wide or (organisation.street_id is not None and scope.can_change_street(organisation.street_id))


@registry_user_required
@require_GET
def party_detail(request, party_code):
    return _party_page(request, party_code)


def _party_page(request, party_code, *, bound=None):
    organisation = party_of(request, party_code)
    scope = scope_of(request)
    context = {
        "organisation": organisation, "can_change": _may_change_party(request, organisation),
        "compound_links": scope.filter(organisation.compound_links.select_related("compound")),
        "firm_links": organisation.firm_links.select_related("firm"),
        "coverage_form": (bound or {}).get("coverage") or CoverageForm(street=organisation.street),
        "date_form": DateForm(),
        "history": history_entries([
            (_("党组织"), PartyOrganisation.history.filter(id=organisation.pk)),
            (_("覆盖小区"), PartyOrganisationCompound.history.filter(
                organisation_id=organisation.pk, id__in=scope.filter(organisation.compound_links.all()).values("pk"))),
            (_("覆盖企业"), PartyOrganisationFirm.history.filter(organisation_id=organisation.pk)),
        ]),
    }
    return render(request, "committees/party_detail.html", context)


def _changeable_party(request, party_code) -> PartyOrganisation:
    organisation = party_of(request, party_code)
    if not _may_change_party(request, organisation):
        raise PermissionDenied
    return organisation


@registry_user_required
@require_POST
def party_coverage_add(request, party_code):
    organisation = _changeable_party(request, party_code)
    form = CoverageForm(request.POST, street=organisation.street)
    if saved(request, form, lambda data: services.party_coverage_add(organisation=organisation, **data),
             lambda data: _("已添加覆盖，自 %(on)s 起。") % {"on": data["on"].isoformat()}):
        return redirect("committees:party", party_code=organisation.code)
    return _party_page(request, party_code, bound={"coverage": form})


def _coverage_end(request, link_model, link_id):
    # A link is visible with its organisation.
    organisations = scope_of(request).filter(PartyOrganisation.objects.all())
    link = get_object_or_404(link_model.objects.select_related("organisation").filter(organisation__in=organisations),
                             pk=link_id)
    organisation = _changeable_party(request, link.organisation.code)
    form = DateForm(request.POST)
    if not saved(request, form, lambda data: services.party_coverage_end(link=link, on=data["on"]), _("覆盖已终止。")):
        flash_errors(request, form)
    return redirect("committees:party", party_code=organisation.code)


@registry_user_required
@require_POST
def compound_coverage_end(request, link_id):
    return _coverage_end(request, PartyOrganisationCompound, link_id)


@registry_user_required
@require_POST
def firm_coverage_end(request, link_id):
    return _coverage_end(request, PartyOrganisationFirm, link_id)
