"""Point-in-time reads over committees and party organisations, as set-based querysets.

These are what the indicator engine counts: every function takes the day `on` and answers
"what was true on that day".
"""
from __future__ import annotations

import datetime

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce

from common.dated import in_force
from communities.models import Compound, PropertyFirm

from .models import (
    CommitteeMember,
    CommitteeMemberPeriod,
    CommitteeStatus,
    OwnersCommittee,
    PartyOrganisation,
    PartyOrganisationCompound,
    PartyOrganisationFirm,
)


def committee_in_office_q(on: datetime.date, prefix: str = "") -> Q:
    return Q(**{
        f"{prefix}term_start__lte": on,
        f"{prefix}term_end__gte": on,
    }) & (Q(**{f"{prefix}dissolved_on__isnull": True}) | Q(**{f"{prefix}dissolved_on__gt": on}))


def committees_in_office_on(on: datetime.date) -> QuerySet[OwnersCommittee]:
    return OwnersCommittee.objects.filter(committee_in_office_q(on))


def committee_in_office_for_compound(compound: Compound, on: datetime.date) -> OwnersCommittee | None:
    return committees_in_office_on(on).filter(compound=compound).first()


def committee_members_on(on: datetime.date, members: QuerySet[CommitteeMember] | None = None) -> QuerySet[CommitteeMember]:
    """The members on the committee on day `on`, with `role_on` and `is_party_member_on` that day.

    common.dated's rule: a member's row in force on `on`; a member without any dated row is a member
    with their recorded role and party membership on every day of the committee.
    """
    base = CommitteeMember.objects.all() if members is None else members
    has_history = Exists(CommitteeMemberPeriod.objects.filter(member_id=OuterRef("pk")))
    return base.annotate(dated=in_force("periods", on)).filter(Q(dated__id__isnull=False) | ~has_history).annotate(
        role_on=Coalesce(F("dated__role"), F("role")),
        is_party_member_on=Coalesce(F("dated__is_party_member"), F("is_party_member")),
    )


def overlapping_committees(committee: OwnersCommittee) -> QuerySet[OwnersCommittee]:
    """Other committees of the same compound whose time in office overlaps this one's."""
    until = committee.in_office_until()
    others = OwnersCommittee.objects.filter(compound_id=committee.compound_id, term_start__isnull=False,
                                            term_start__lt=until)
    if committee.pk:
        others = others.exclude(pk=committee.pk)
    start = committee.term_start
    return others.filter(term_end__gte=start).filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=start))


def party_org_active_q(on: datetime.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}established_on__lte": on}) & (
        Q(**{f"{prefix}dissolved_on__isnull": True}) | Q(**{f"{prefix}dissolved_on__gt": on})
    )


def _coverage_active_q(on: datetime.date) -> Q:
    return (
        party_org_active_q(on, prefix="organisation__")
        & (Q(covered_from__isnull=True) | Q(covered_from__lte=on))
        & (Q(covered_to__isnull=True) | Q(covered_to__gt=on))
    )


def party_organisations_active_on(on: datetime.date) -> QuerySet[PartyOrganisation]:
    return PartyOrganisation.objects.filter(party_org_active_q(on))


def compound_party_coverage_exists(on: datetime.date, compound_ref=OuterRef("pk")) -> Exists:
    """EXISTS(...) true when an active party organisation covers the compound on `on`."""
    return Exists(PartyOrganisationCompound.objects.filter(_coverage_active_q(on), compound_id=compound_ref))


def firm_party_coverage_exists(on: datetime.date, firm_ref=OuterRef("pk")) -> Exists:
    return Exists(PartyOrganisationFirm.objects.filter(_coverage_active_q(on), firm_id=firm_ref))


def compound_committee_in_office_exists(on: datetime.date, compound_ref=OuterRef("pk")) -> Exists:
    return Exists(OwnersCommittee.objects.filter(committee_in_office_q(on), compound_id=compound_ref))


def compounds_covered_by_party_org_on(on: datetime.date, compounds: QuerySet[Compound] | None = None) -> QuerySet[Compound]:
    base = compounds if compounds is not None else Compound.objects.all()
    return base.filter(compound_party_coverage_exists(on))


def compounds_with_committee_in_office_on(on: datetime.date, compounds: QuerySet[Compound] | None = None) -> QuerySet[Compound]:
    base = compounds if compounds is not None else Compound.objects.all()
    return base.filter(compound_committee_in_office_exists(on))


def firms_covered_by_party_org_on(on: datetime.date, firms: QuerySet[PropertyFirm] | None = None) -> QuerySet[PropertyFirm]:
    base = firms if firms is not None else PropertyFirm.objects.all()
    return base.filter(firm_party_coverage_exists(on))


def committee_status_q(status: str, on: datetime.date) -> Q:
    """The set-based form of OwnersCommittee.status_on: committees whose status on `on` is `status`."""
    dissolved = Q(dissolved_on__isnull=False, dissolved_on__lte=on)
    started = Q(term_start__isnull=False, term_start__lte=on)
    renewing = Q(renewal_started_on__isnull=False, renewal_started_on__lte=on)
    by_status = {
        CommitteeStatus.DISSOLVED: dissolved,
        CommitteeStatus.PREPARING: ~dissolved & ~started,
        CommitteeStatus.EXPIRED: ~dissolved & started & Q(term_end__lt=on),
        CommitteeStatus.RENEWING: ~dissolved & started & Q(term_end__gte=on) & renewing,
        CommitteeStatus.IN_OFFICE: ~dissolved & started & Q(term_end__gte=on) & ~renewing,
    }
    return by_status[status]


def committees_without_successor() -> QuerySet[OwnersCommittee]:
    """Elected committees not dissolved and not followed by a later term of the same compound: their
    term ending is still news to the street."""
    later_term = OwnersCommittee.objects.filter(compound_id=OuterRef("compound_id"), term_start__gt=OuterRef("term_start"))
    not_dissolved_in_term = Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=F("term_end"))
    return OwnersCommittee.objects.filter(not_dissolved_in_term, term_end__isnull=False).exclude(Exists(later_term))


def committees_term_ending(*, today: datetime.date, within_days: int) -> QuerySet[OwnersCommittee]:
    """Committees whose term's last day falls within `within_days` from `today` (today included)."""
    return committees_without_successor().filter(term_end__gte=today,
                                                 term_end__lte=today + datetime.timedelta(days=within_days))


def committees_term_expired(*, today: datetime.date, within_days: int) -> QuerySet[OwnersCommittee]:
    """Committees whose term ended in the last `within_days` days with no successor (到期未换届)."""
    return committees_without_successor().filter(term_end__lt=today,
                                                 term_end__gte=today - datetime.timedelta(days=within_days))
