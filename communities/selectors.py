"""Point-in-time reads over compounds, their management mode, firms and contracts.

Each function answers "what was true on day `on`" as a queryset, so callers can count, join or
page it without loading rows into Python.
"""
from __future__ import annotations

import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet

from districts.selectors import compounds_under_q

from .models import Compound, CompoundManagementPeriod, ManagementMode, PropertyFirm, ServiceContract


def compound_active_q(on: datetime.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}active_from__lte": on}) & (
        Q(**{f"{prefix}closed_on__isnull": True}) | Q(**{f"{prefix}closed_on__gt": on})
    )


def compounds_active_on(on: datetime.date, *, area=None) -> QuerySet[Compound]:
    """Compounds counted on `on`: started, not yet closed or merged; optionally under `area`."""
    return Compound.objects.filter(compound_active_q(on), compounds_under_q(area))


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
    return ServiceContract.objects.filter(contract_active_q(on), compounds_under_q(area, prefix="compound__"))


def firm_under_contract_for_compound(compound: Compound, on: datetime.date) -> PropertyFirm | None:
    contract = contracts_active_on(on).filter(compound=compound).select_related("firm").order_by("-starts_on").first()
    return contract.firm if contract else None


def sanyou_firms(*, district=None) -> QuerySet[PropertyFirm]:
    """三有 firms (fixed premises, ≥10 staff, in business), optionally registered in `district`."""
    firms = PropertyFirm.objects.filter(PropertyFirm.SANYOU_Q)
    return firms.filter(registered_district=district) if district is not None else firms
