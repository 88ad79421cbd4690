"""Registry changes mark the street-months they affect as stale.

Why signals, when business rules otherwise live in services: registry rows change through the
admin, Excel imports and services alike, and a receiver here catches every one of those paths
without each of them having to remember the indicator engine. The receivers do no computing:
they work out which streets and months a change touches (from the change's effective dates, old
and new, up to the current month) and mark them stale in the same transaction as the change, so
the marks commit with it; `process_stale` recomputes them, once each. Bulk writes that bypass signals
must call `mark_street_months_stale` themselves. Monthly data is marked by the reporting app.
"""
from __future__ import annotations

import datetime

from django.db.models.signals import post_delete, post_save, pre_save

from committees.models import (
    CommitteeMember,
    CommitteeMemberPeriod,
    OwnersCommittee,
    PartyOrganisation,
    PartyOrganisationCompound,
    PartyOrganisationFirm,
)
from common.dated import DatedFact
from communities.models import (
    Compound,
    CompoundCommunityPeriod,
    CompoundHouseholdsPeriod,
    CompoundHousingTypePeriod,
    CompoundManagementPeriod,
    PropertyFirm,
    PropertyFirmFactsPeriod,
    ServiceContract,
)
from districts.models import Street

from .periods import add_months, current_period, months_between, quarter_start
from .services import mark_street_months_stale, periods_since

# The dates of each model that decide when a change takes effect.
EFFECTIVE_DATES = {
    Compound: ("active_from", "closed_on", "safety_certified_on"),
    CompoundManagementPeriod: ("valid_from", "valid_to"),
    CompoundHouseholdsPeriod: ("valid_from", "valid_to"),
    CompoundHousingTypePeriod: ("valid_from", "valid_to"),
    CompoundCommunityPeriod: ("valid_from", "valid_to"),
    CommitteeMemberPeriod: ("valid_from", "valid_to"),
    PropertyFirmFactsPeriod: ("valid_from", "valid_to"),
    ServiceContract: ("starts_on", "ends_on", "terminated_on"),
    OwnersCommittee: ("elected_on", "term_start", "term_end", "dissolved_on"),
    PartyOrganisation: ("established_on", "dissolved_on"),
    PartyOrganisationCompound: ("covered_from", "covered_to"),
    PartyOrganisationFirm: ("covered_from", "covered_to"),
}
# Rows whose street can move with an edit (a compound changing community, a link changing target).
STREET_KEYS = {
    Compound: ("community_id",),
    CompoundManagementPeriod: ("compound_id",),
    CompoundHouseholdsPeriod: ("compound_id",),
    CompoundHousingTypePeriod: ("compound_id",),
    CompoundCommunityPeriod: ("compound_id", "community_id"),
    CommitteeMemberPeriod: ("member_id",),
    PropertyFirmFactsPeriod: ("firm_id",),
    ServiceContract: ("compound_id",),
    OwnersCommittee: ("compound_id",),
    PartyOrganisationCompound: ("compound_id",),
    PartyOrganisationFirm: ("firm_id",),
    PropertyFirm: ("registered_district_id",),
}
WATCHED = (*EFFECTIVE_DATES, CommitteeMember, PropertyFirm)


def _streets_of_compounds(compound_ids) -> set[int]:
    return set(Compound.objects.filter(pk__in=compound_ids).values_list("community__street_id", flat=True))


def _streets_of_districts(district_ids) -> set[int]:
    # Firm figures are rolled up per district: re-rolling any one street of the district refreshes them.
    firsts = {}
    for street_id, district_id in Street.objects.filter(district_id__in=district_ids).order_by("-pk").values_list(
            "pk", "district_id"):
        firsts[district_id] = street_id
    return set(firsts.values())


def _old_and_new(instance, old: dict, attribute: str) -> set:
    return {value for value in (getattr(instance, attribute), old.get(attribute)) if value is not None}


def _affected_compounds(instance, old: dict) -> tuple[set[int], set[int]]:
    """The compounds whose facts the change alters, and the streets they are in or have left."""
    if isinstance(instance, Compound):
        from communities.models import Community

        communities = Community.objects.filter(pk__in=_old_and_new(instance, old, "community_id"))
        return set(communities.values_list("street_id", flat=True)), {instance.pk}
    if isinstance(instance, CompoundCommunityPeriod):
        from communities.models import Community

        compound_ids = _old_and_new(instance, old, "compound_id")
        communities = Community.objects.filter(pk__in=_old_and_new(instance, old, "community_id"))
        return _streets_of_compounds(compound_ids) | set(communities.values_list("street_id", flat=True)), compound_ids
    if isinstance(instance, (CompoundManagementPeriod, CompoundHouseholdsPeriod, CompoundHousingTypePeriod,
                             ServiceContract, OwnersCommittee, PartyOrganisationCompound)):
        compound_ids = _old_and_new(instance, old, "compound_id")
    elif isinstance(instance, CommitteeMember):
        compound_ids = set(OwnersCommittee.objects.filter(pk=instance.committee_id).values_list("compound_id", flat=True))
    elif isinstance(instance, CommitteeMemberPeriod):
        compound_ids = set(CommitteeMember.objects.filter(pk__in=_old_and_new(instance, old, "member_id"))
                           .values_list("committee__compound_id", flat=True))
    elif isinstance(instance, PartyOrganisation):
        compound_ids = set(instance.compound_links.values_list("compound_id", flat=True))
    else:
        return set(), set()
    return _streets_of_compounds(compound_ids), compound_ids


def _affected_firm_streets(instance, old: dict) -> set[int]:
    """Streets to re-roll whole because a firm's party coverage, counted per district, may change."""
    if isinstance(instance, PartyOrganisation):
        return _streets_of_districts(instance.firm_links.values("firm__registered_district_id"))
    if isinstance(instance, PartyOrganisationFirm):
        return _streets_of_districts(PropertyFirm.objects.filter(pk__in=_old_and_new(instance, old, "firm_id"))
                                     .values("registered_district_id"))
    if isinstance(instance, PropertyFirm):
        return _streets_of_districts(_old_and_new(instance, old, "registered_district_id"))
    if isinstance(instance, PropertyFirmFactsPeriod):
        return _streets_of_districts(PropertyFirm.objects.filter(pk__in=_old_and_new(instance, old, "firm_id"))
                                     .values("registered_district_id"))
    return set()


def _effective_from(instance, old: dict, created: bool) -> datetime.date | None:
    """The earliest date the change can alter; None means "from the first period"."""
    if isinstance(instance, DatedFact):
        return _dated_fact_effective_from(instance, old, created)
    if isinstance(instance, CommitteeMember):
        committee = OwnersCommittee.objects.filter(pk=instance.committee_id).values("elected_on", "term_start").first()
        dates = [d for d in (committee or {}).values() if d]
    elif isinstance(instance, (PartyOrganisationCompound, PartyOrganisationFirm)) and not (
            instance.covered_from or old.get("covered_from")):
        return PartyOrganisation.objects.filter(pk=instance.organisation_id).values_list(
            "established_on", flat=True).first()
    else:
        names = EFFECTIVE_DATES.get(type(instance), ())
        dates = [d for name in names for d in (getattr(instance, name), old.get(name)) if d]
    # Firms have no dated attributes: a change rewrites every month.
    return min(dates) if dates else None


def _dated_fact_effective_from(row: DatedFact, old: dict, created: bool) -> datetime.date | None:
    """A row's new (or deleted) values count from its start; a moved end counts from the earlier end.
    An empty start is the beginning of the record, an empty end its future."""
    values_changed = created or not old or any(getattr(row, name) != old.get(name) for name in row.value_fields)
    starts = {row.valid_from, old.get("valid_from", row.valid_from)}
    ends = {row.valid_to, old.get("valid_to", row.valid_to)}
    if values_changed or len(starts) > 1:
        return None if None in starts else min(starts)
    changed_ends = [day for day in ends if day is not None] if len(ends) > 1 else []
    return min(changed_ends) if changed_ends else row.valid_to or row.valid_from


def remember_old_values(sender, instance, **kwargs):
    if instance._state.adding or instance.pk is None:
        instance._metrics_old = {}
        return
    value_fields = getattr(sender, "value_fields", ()) if issubclass(sender, DatedFact) else ()
    names = tuple(dict.fromkeys(EFFECTIVE_DATES.get(sender, ()) + STREET_KEYS.get(sender, ()) + value_fields))
    old = sender.objects.filter(pk=instance.pk).values(*names).first() if names else None
    instance._metrics_old = old or {}


def mark_affected_street_months(sender, instance, **kwargs):
    old = getattr(instance, "_metrics_old", {})
    compound_streets, compound_ids = _affected_compounds(instance, old)
    firm_streets = _affected_firm_streets(instance, old)
    if not (compound_streets or firm_streets):
        return
    periods = periods_since(_effective_from(instance, old, kwargs.get("created", False)))
    if compound_streets:
        mark_street_months_stale(street_ids=compound_streets, periods=periods, compound_ids=compound_ids)
    if firm_streets:
        mark_street_months_stale(street_ids=firm_streets, periods=periods)


def mark_reported_month(sender, street_id, period, compound_ids=None, **kwargs):
    """Monthly data changed (sent by reporting inside its transaction): that month and the rest of its
    quarter, whose later months take the quarter's latest evaluation score. Months after those
    (their facts carry when each compound last met and its latest score) are marked by the
    recomputes, each when it has been computed."""
    quarter_end = add_months(quarter_start(period), 2)
    periods = months_between(period, min(quarter_end, max(period, current_period())))
    mark_street_months_stale(street_ids=[street_id], periods=periods, compound_ids=compound_ids)


def connect() -> None:
    from reporting.signals import monthly_data_changed

    monthly_data_changed.connect(mark_reported_month, dispatch_uid="metrics-monthly-data-changed")
    for model in WATCHED:
        uid = f"metrics-{model._meta.label_lower}"
        pre_save.connect(remember_old_values, sender=model, dispatch_uid=f"{uid}-pre")
        post_save.connect(mark_affected_street_months, sender=model, dispatch_uid=f"{uid}-save")
        post_delete.connect(mark_affected_street_months, sender=model, dispatch_uid=f"{uid}-delete")
