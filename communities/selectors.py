"""Point-in-time reads over compounds, their management mode, firms and contracts.

Each function answers "what was true on day `on`" as a queryset, so callers can count, join or
page it without loading rows into Python.
"""
from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce

from committees.selectors import (
    committees_term_ending,
    committees_term_expired,
    compound_committee_in_office_exists,
    compound_party_coverage_exists,
)
from common.dated import in_force, in_force_q
from districts.selectors import in_area_q

from .models import (
    Compound,
    CompoundManagementPeriod,
    ManagementMode,
    PropertyFirm,
    PropertyFirmFactsPeriod,
    ServiceContract,
)


def compound_active_q(on: datetime.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}active_from__lte": on}) & (
        Q(**{f"{prefix}closed_on__isnull": True}) | Q(**{f"{prefix}closed_on__gt": on})
    )


def compounds_as_of(on: datetime.date, compounds: QuerySet[Compound] | None = None) -> QuerySet[Compound]:
    """Compounds with their dated facts on day `on` (common.dated's rule: the row in force, else the
    compound's own value): `households_on`, `housing_type_on`, `community_id_on`, `street_id_on`.

    Each history is one LEFT JOIN on (compound, valid_from, valid_to), so this stays set-based.
    """
    base = Compound.objects.all() if compounds is None else compounds
    return base.annotate(
        dated_households=in_force("households_periods", on),
        dated_housing_type=in_force("housing_type_periods", on),
        dated_community=in_force("community_periods", on),
    ).annotate(
        households_on=Coalesce(F("dated_households__households"), F("households")),
        housing_type_on=Coalesce(F("dated_housing_type__housing_type"), F("housing_type")),
        community_id_on=Coalesce(F("dated_community__community_id"), F("community_id")),
        street_id_on=Coalesce(F("dated_community__community__street_id"), F("community__street_id")),
    )


def compounds_active_on(on: datetime.date, *, area=None) -> QuerySet[Compound]:
    """Compounds counted on `on`: started, not yet closed or merged; optionally under `area`."""
    return Compound.objects.filter(compound_active_q(on), in_area_q(Compound, area))


def management_period_q(on: datetime.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}valid_from__lte": on}) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gt": on})
    )


def compound_managed_exists(on: datetime.date, compound_ref=OuterRef("pk")) -> Exists:
    """EXISTS(...) true when the compound's management mode on `on` is anything but 失管."""
    return Exists(
        CompoundManagementPeriod.objects.filter(management_period_q(on), compound_id=compound_ref)
        .exclude(mode=ManagementMode.UNMANAGED)
    )


def management_mode_on(compound: Compound, on: datetime.date) -> str | None:
    period = compound.management_periods.filter(management_period_q(on)).first()
    return period.mode if period else None


def compounds_with_management_mode_on(on: datetime.date, modes: list[str], *, area=None) -> QuerySet[Compound]:
    periods = CompoundManagementPeriod.objects.filter(management_period_q(on), compound_id=OuterRef("pk"), mode__in=modes)
    return compounds_active_on(on, area=area).filter(Exists(periods))


def compound_safety_certified_q(on: datetime.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}safety_certified_on__isnull": False, f"{prefix}safety_certified_on__lte": on})


def contract_active_q(on: datetime.date, prefix: str = "") -> Q:
    return (
        Q(**{f"{prefix}starts_on__lte": on})
        & (Q(**{f"{prefix}ends_on__isnull": True}) | Q(**{f"{prefix}ends_on__gte": on}))
        & (Q(**{f"{prefix}terminated_on__isnull": True}) | Q(**{f"{prefix}terminated_on__gt": on}))
    )


def contracts_active_on(on: datetime.date, *, area=None) -> QuerySet[ServiceContract]:
    return ServiceContract.objects.filter(contract_active_q(on), in_area_q(ServiceContract, area))


def firm_under_contract_for_compound(compound: Compound, on: datetime.date) -> PropertyFirm | None:
    contract = contracts_active_on(on).filter(compound=compound).select_related("firm").order_by("-starts_on").first()
    return contract.firm if contract else None


def sanyou_firms(*, district=None) -> QuerySet[PropertyFirm]:
    """三有 firms (fixed premises, ≥10 staff, in business) by their recorded facts, optionally registered in `district`."""
    firms = PropertyFirm.objects.filter(PropertyFirm.SANYOU_Q)
    return firms.filter(registered_district=district) if district is not None else firms


def firm_sanyou_on_q(on: datetime.date, firm_ref=OuterRef("pk")) -> Q:
    """True for a firm that was 三有 on `on`: its facts row in force then, or its recorded facts
    when it has no dated history (common.dated's rule)."""
    periods = PropertyFirmFactsPeriod.objects.filter(firm_id=firm_ref)
    sanyou = Q(has_fixed_premises=True, staff_count__gte=PropertyFirm.SANYOU_MIN_STAFF, in_business=True)
    return Exists(periods.filter(in_force_q(on), sanyou)) | (~Exists(periods) & PropertyFirm.SANYOU_Q)


def sanyou_firms_on(on: datetime.date, firms: QuerySet[PropertyFirm] | None = None) -> QuerySet[PropertyFirm]:
    """The firms (of `firms`, else all) that were 三有 on day `on`."""
    base = PropertyFirm.objects.all() if firms is None else firms
    return base.filter(firm_sanyou_on_q(on))


# --- The street's registry page ---------------------------------------------------------------------

TERM_ENDING_DAYS = 90


def street_compounds(street) -> QuerySet[Compound]:
    """Every compound recorded under the street now (closed and merged ones included)."""
    return Compound.objects.filter(in_area_q(Compound, street))


def registry_counts(street, on: datetime.date) -> dict:
    """The street's registry in numbers on day `on` (one query)."""
    active = compounds_active_on(on, area=street)
    eligible = Q(housing_type__in=settings.COMMITTEE_ELIGIBLE_HOUSING_TYPES)
    return active.aggregate(
        compounds=Count("pk"),
        eligible=Count("pk", filter=eligible),
        with_committee=Count("pk", filter=eligible & Q(compound_committee_in_office_exists(on))),
        covered=Count("pk", filter=Q(compound_party_coverage_exists(on))),
        unmanaged=Count("pk", filter=Q(management_mode=ManagementMode.UNMANAGED)),
        old=Count("pk", filter=Q(is_old_compound=True)),
    )


def registry_attention(street, on: datetime.date) -> dict[str, QuerySet]:
    """What needs the street's attention on day `on`, each as a queryset (the page pages and counts them)."""
    active = compounds_active_on(on, area=street).select_related("community")
    live_contract = Exists(ServiceContract.objects.filter(contract_active_q(on), compound_id=OuterRef("pk")))
    professional = compounds_with_management_mode_on(on, [ManagementMode.PROFESSIONAL]).filter(in_area_q(Compound, street))
    committees = in_area_q(Compound, street, through="compound__") & compound_active_q(on, prefix="compound__")
    ten_years = 3650
    return {
        "no_committee": active.filter(housing_type__in=settings.COMMITTEE_ELIGIBLE_HOUSING_TYPES)
        .exclude(compound_committee_in_office_exists(on)),
        "term_ending": committees_term_ending(today=on, within_days=TERM_ENDING_DAYS).filter(committees)
        .select_related("compound").order_by("term_end"),
        "term_expired": committees_term_expired(today=on, within_days=ten_years).filter(committees)
        .select_related("compound").order_by("term_end"),
        "no_party_coverage": active.exclude(compound_party_coverage_exists(on)),
        "no_contract": professional.exclude(live_contract).select_related("community"),
        "unmanaged": compounds_with_management_mode_on(on, [ManagementMode.UNMANAGED])
        .filter(in_area_q(Compound, street)).select_related("community"),
    }
