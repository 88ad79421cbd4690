"""Writes to the committee and party-organisation registry: keyword-only, validated, atomic."""
from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from common.dated import (
    CHANGE,
    CORRECTION,
    change_reason,
    check_not_future,
    dated_fact_change,
    dated_fact_end,
    latest_row,
    save_validated,
)
from communities.models import Compound, PropertyFirm

from .models import (
    CommitteeMember,
    CommitteeMemberPeriod,
    OwnersCommittee,
    PartyOrganisation,
    PartyOrganisationCompound,
    PartyOrganisationFirm,
)
from .selectors import committee_members_on


def coverage_current_q(on: datetime.date) -> Q:
    """Links in force on `on` or starting later, i.e. not yet ended."""
    return Q(covered_to__isnull=True) | Q(covered_to__gt=on)


def _set_links(organisation, link_model, target_field: str, targets: Iterable, on: datetime.date, *, new: bool) -> None:
    wanted = {target.pk for target in targets}
    links = {getattr(link, f"{target_field}_id"): link
             for link in link_model.objects.select_for_update().filter(organisation=organisation)}
    for target_id, link in links.items():
        current = link.covered_to is None or link.covered_to > on
        if target_id in wanted and not current:
            # One link per organisation and target: covering it again reopens it (history keeps the gap).
            link.covered_to = None
        elif target_id not in wanted and current:
            if link.covered_from and link.covered_from >= on:
                link.delete()  # it never took effect
                continue
            link.covered_to = on
        else:
            continue
        link.full_clean()
        link.save()
    for target_id in wanted - links.keys():
        # A new organisation's coverage starts with the organisation itself.
        link = link_model(organisation=organisation, covered_from=None if new else on, **{f"{target_field}_id": target_id})
        link.full_clean()
        link.save()


@transaction.atomic
def party_organisation_set_coverage(*, organisation: PartyOrganisation, on: datetime.date, new: bool = False,
                                    compounds: Iterable[Compound] | None = None,
                                    firms: Iterable[PropertyFirm] | None = None) -> None:
    """From day `on`, the organisation covers exactly `compounds` / `firms` (None leaves that side as is).

    Links that stop end on `on`; new ones start on `on`, or with the organisation when it is `new`.
    """
    if compounds is not None:
        _set_links(organisation, PartyOrganisationCompound, "compound", compounds, on, new=new)
    if firms is not None:
        _set_links(organisation, PartyOrganisationFirm, "firm", firms, on, new=new)



def _member_recorded(member: CommitteeMember) -> dict:
    return {"role": member.role, "is_party_member": member.is_party_member}


def _check_one_chair(committee: OwnersCommittee, on: datetime.date, *, besides: CommitteeMember | None) -> None:
    chairs = committee_members_on(on, CommitteeMember.objects.filter(committee=committee, left_on__isnull=True)).filter(
        role_on=CommitteeMember.Role.CHAIR)
    if besides is not None:
        chairs = chairs.exclude(pk=besides.pk)
    if chairs.exists():
        raise ValidationError({"role": _("该业委会在 %(on)s 已有主任，一个业委会只能有一名主任。") % {"on": on.isoformat()}})


def _record_member_latest(member: CommitteeMember) -> None:
    row = latest_row(CommitteeMemberPeriod, member)
    member.role, member.is_party_member = row.role, row.is_party_member
    member.left_on = row.valid_to
    member.full_clean()
    member.save()


@transaction.atomic
def committee_member_change(*, member: CommitteeMember, on: datetime.date, role: str | None = None,
                            is_party_member: bool | None = None) -> CommitteeMemberPeriod:
    """From day `on` the member has this role and party membership (joining the party, becoming
    vice-chair...); months before keep what was true then."""
    if member.left_on and on >= member.left_on:
        raise ValidationError({"on": _("该成员已于 %(left)s 离任。") % {"left": member.left_on.isoformat()}})
    values = {"role": member.role if role is None else role,
              "is_party_member": member.is_party_member if is_party_member is None else is_party_member}
    if values["role"] == CommitteeMember.Role.CHAIR:
        _check_one_chair(member.committee, on, besides=member)
    row = dated_fact_change(model=CommitteeMemberPeriod, owner=member, on=on, values=values,
                            recorded=_member_recorded(member))
    _record_member_latest(member)
    return row


@transaction.atomic
def committee_member_leave(*, member: CommitteeMember, on: datetime.date) -> CommitteeMember:
    """The member leaves the committee on day `on` (no longer counted from that day)."""
    dated_fact_end(model=CommitteeMemberPeriod, owner=member, on=on, recorded=_member_recorded(member))
    _record_member_latest(member)
    return member


@transaction.atomic
def committee_member_correct(*, member: CommitteeMember, name: str, phone: str) -> CommitteeMember:
    """The member's name or number was recorded wrong: fix it (a correction; neither carries a date)."""
    member.name, member.phone = name.strip(), phone.strip()
    return save_validated(member, change_reason(CORRECTION))


@transaction.atomic
def committee_member_join(*, committee: OwnersCommittee, on: datetime.date, name: str, role: str,
                          is_party_member: bool, phone: str = "") -> CommitteeMember:
    """A new member joins a sitting committee on day `on`."""
    check_not_future(on)
    if committee.term_start and on < committee.term_start:
        raise ValidationError({"on": _("加入日期不能早于业委会任期开始日期。")})
    if role == CommitteeMember.Role.CHAIR:
        _check_one_chair(committee, on, besides=None)
    member = CommitteeMember(committee=committee, name=name, role=role, is_party_member=is_party_member, phone=phone)
    member.full_clean()
    member.save()
    row = CommitteeMemberPeriod(member=member, valid_from=on, role=role, is_party_member=is_party_member)
    row.full_clean()
    row.save()
    return member


# --- Elections, renewals and dissolutions ---------------------------------------------------------

TERM_YEARS = 5


def default_term_end(term_start: datetime.date) -> datetime.date:
    """The last day of a five-year term."""
    try:
        after = term_start.replace(year=term_start.year + TERM_YEARS)
    except ValueError:  # 29 February
        after = term_start.replace(year=term_start.year + TERM_YEARS, day=28) + datetime.timedelta(days=1)
    return after - datetime.timedelta(days=1)


def _member_errors(members: list[dict]) -> dict:
    errors: dict[str, list[str]] = {}
    if not members:
        errors["members"] = [_("请至少填写一名成员。")]
        return errors
    chairs = sum(1 for member in members if member.get("role") == CommitteeMember.Role.CHAIR)
    if chairs != 1:
        errors["members"] = [_("成员：须有且只有一名主任（现有 %(count)s 名）。") % {"count": chairs}]
    names = [member.get("name", "").strip() for member in members]
    repeated = sorted({name for name in names if name and names.count(name) > 1})
    if repeated:
        errors.setdefault("members", []).append(_("成员姓名重复：%(names)s。") % {"names": "、".join(repeated)})
    return errors


def _conflict() -> ValidationError:
    """A constraint the database enforces (one committee in office, one chair) was hit by a concurrent
    write: say so in words, never by the constraint's name."""
    return ValidationError(_("与刚保存的记录冲突：同一小区同一时间只能有一个在任业委会，一个业委会只能有一名主任。请刷新后重试。"))


@transaction.atomic
def committee_elect(*, compound: Compound, elected_on: datetime.date, term_start: datetime.date | None = None,
                    term_end: datetime.date | None = None, chair_is_branch_secretary: bool = False,
                    members: list[dict]) -> OwnersCommittee:
    """Record an election: the committee, its term (five years by default) and its members, validated
    as a whole; nothing is saved when any part is wrong."""
    term_start = term_start or elected_on
    term_end = term_end or default_term_end(term_start)
    errors = _member_errors(members)
    if elected_on and term_start and term_start < elected_on:
        errors["term_start"] = [_("任期开始不能早于选举日期。")]
    if elected_on and elected_on > timezone.localdate():
        errors["elected_on"] = [_("选举日期不能晚于今天。")]
    committee = OwnersCommittee(compound=compound, elected_on=elected_on, term_start=term_start, term_end=term_end,
                                chair_is_branch_secretary=chair_is_branch_secretary)
    try:
        committee.full_clean()
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault("term_start" if field == "__all__" else field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            committee.save()
            for member in members:
                row = CommitteeMember(committee=committee, name=member["name"].strip(), role=member["role"],
                                      is_party_member=bool(member.get("is_party_member")), phone=member.get("phone", ""))
                row.full_clean(exclude=["committee"])
                row.save()
    except IntegrityError as exc:
        raise _conflict() from exc
    return committee


@transaction.atomic
def committee_start_renewal(*, committee: OwnersCommittee, on: datetime.date) -> OwnersCommittee:
    """The committee starts its renewal (换届中) on day `on`; it serves until its successor is elected."""
    check_not_future(on, "renewal_started_on")
    committee.renewal_started_on = on
    return save_validated(committee)


@transaction.atomic
def committee_renew(*, committee: OwnersCommittee, elected_on: datetime.date, term_start: datetime.date | None = None,
                    term_end: datetime.date | None = None, chair_is_branch_secretary: bool = False,
                    members: list[dict]) -> OwnersCommittee:
    """换届: a newly elected committee replaces `committee` from its term start; the old term ends the day before."""
    term_start = term_start or elected_on
    if committee.term_start and term_start <= committee.term_start:
        raise ValidationError({"term_start": _("新一届任期开始必须晚于上一届任期开始 %(start)s。") % {
            "start": committee.term_start.isoformat()}})
    if committee.term_end and committee.term_end >= term_start:
        committee.term_end = term_start - datetime.timedelta(days=1)
        save_validated(committee, _("换届（新一届自%(on)s起任职）") % {"on": term_start.isoformat()})
    return committee_elect(compound=committee.compound, elected_on=elected_on, term_start=term_start, term_end=term_end,
                           chair_is_branch_secretary=chair_is_branch_secretary, members=members)


@transaction.atomic
def committee_dissolve(*, committee: OwnersCommittee, on: datetime.date) -> OwnersCommittee:
    """The committee is dissolved (解散) from day `on`."""
    check_not_future(on, "dissolved_on")
    if committee.dissolved_on:
        raise ValidationError({"dissolved_on": _("该业委会已于 %(on)s 解散。") % {"on": committee.dissolved_on.isoformat()}})
    committee.dissolved_on = on
    return save_validated(committee, change_reason(CHANGE, on))


# --- Party organisations ----------------------------------------------------------------------------

@transaction.atomic
def party_organisation_create(**fields) -> PartyOrganisation:
    return save_validated(PartyOrganisation(**fields))


@transaction.atomic
def party_coverage_add(*, organisation: PartyOrganisation, on: datetime.date, compound: Compound | None = None,
                       firm: PropertyFirm | None = None):
    """The organisation covers the compound (or firm) from day `on`."""
    check_not_future(on)
    if on < organisation.established_on:
        raise ValidationError({"on": _("覆盖开始日期不能早于党组织成立日期 %(on)s。") % {
            "on": organisation.established_on.isoformat()}})
    model, target = (PartyOrganisationCompound, {"compound": compound}) if compound else (PartyOrganisationFirm, {"firm": firm})
    link = model.objects.select_for_update().filter(organisation=organisation, **target).first()
    if link is not None and (link.covered_to is None or link.covered_to > on):
        raise ValidationError({"on": _("该党组织已覆盖此对象。")})
    if link is None:
        link = model(organisation=organisation, covered_from=on, **target)
    else:
        # One link per organisation and target: covering it again reopens it (the history keeps the gap).
        link.covered_from, link.covered_to = on, None
    return save_validated(link, change_reason(CHANGE, on))


@transaction.atomic
def party_coverage_end(*, link, on: datetime.date):
    """The organisation stops covering the link's compound or firm from day `on`."""
    check_not_future(on)
    start = link.covered_from or link.organisation.established_on
    if on <= start:
        raise ValidationError({"on": _("覆盖终止日期必须晚于覆盖开始日期 %(on)s。") % {"on": start.isoformat()}})
    link.covered_to = on
    return save_validated(link, change_reason(CHANGE, on))
