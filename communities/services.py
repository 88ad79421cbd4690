"""Writes to the compound registry. Every function is keyword-only, validates, then saves atomically."""
from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from common.dated import (
    CHANGE,
    CORRECTION,
    DatedFact,
    change_reason,
    check_not_future,
    dated_fact_change,
    dated_fact_correct,
    latest_row,
    latest_values,
    save_validated,
)

from .models import (
    Compound,
    CompoundCommunityPeriod,
    CompoundHouseholdsPeriod,
    CompoundHousingTypePeriod,
    CompoundManagementPeriod,
    FirmListing,
    PropertyFirm,
    PropertyFirmFactsPeriod,
    ServiceContract,
)

# The compound's dated facts: the history table of each of its columns.
COMPOUND_DATED_FIELDS: dict[str, type[DatedFact]] = {
    "households": CompoundHouseholdsPeriod,
    "housing_type": CompoundHousingTypePeriod,
    "community_id": CompoundCommunityPeriod,
}


def proposed_compound_code(community) -> str:
    """The next free code under the community's: its code and a three-digit number."""
    taken = set(Compound.objects.filter(code__startswith=community.code).values_list("code", flat=True))
    number = len(taken) + 1
    while f"{community.code}{number:03d}" in taken:
        number += 1
    return f"{community.code}{number:03d}"


@transaction.atomic
def compound_create(**fields) -> Compound:
    """A new compound with its first management period, open from `active_from` in its mode. Without
    a code, the next free one under its community's code."""
    compound = Compound(**fields)
    if not compound.code and compound.community_id:
        compound.code = proposed_compound_code(compound.community)
    compound.full_clean()
    compound.save()
    period = CompoundManagementPeriod(compound=compound, mode=compound.management_mode, valid_from=compound.active_from)
    period.full_clean()
    period.save()
    return compound


def _period_in_force(periods: list[CompoundManagementPeriod], on: datetime.date) -> CompoundManagementPeriod | None:
    return next((p for p in periods if p.valid_from <= on and (p.valid_to is None or on < p.valid_to)), None)


def _record_current_mode(compound: Compound, reason: str) -> None:
    """The compound's own column keeps the mode of its open period (what pages, filters and the API show)."""
    mode = compound.management_periods.filter(valid_to__isnull=True).values_list("mode", flat=True).first()
    if mode is not None and compound.management_mode != mode:
        compound.management_mode = mode
        compound._change_reason = reason
        compound.save(update_fields=["management_mode", "updated_at"])


@transaction.atomic
def compound_set_management_mode(*, compound: Compound, mode: str, on: datetime.date) -> CompoundManagementPeriod:
    """The compound's management mode became `mode` on day `on`: months before keep theirs.

    The period in force on `on` is split there and the new mode lasts until the next recorded
    change, if any, so a change dated before the current mode began fits into the history instead
    of rewriting it. A period that starts on `on` itself is rewritten; the mode it already has on
    `on` changes nothing; a day before the compound's first period is refused, naming the date.
    """
    check_not_future(on)
    periods = list(compound.management_periods.select_for_update().order_by("valid_from"))
    reason = change_reason(CHANGE, on)
    current = _period_in_force(periods, on)
    if current is None and periods:
        raise ValidationError({"on": _("生效日期 %(on)s 不能早于该小区最早的管理模式起始日期 %(start)s；"
                                       "如原登记的模式有误，请用“更正”。")
                               % {"on": on.isoformat(), "start": periods[0].valid_from.isoformat()}})
    if current is None:
        period = save_validated(CompoundManagementPeriod(compound=compound, mode=mode, valid_from=on), reason)
    elif current.mode == mode:
        period = current
    elif current.valid_from == on:
        current.mode = mode
        period = save_validated(current, reason)
    else:
        until, current.valid_to = current.valid_to, on
        save_validated(current, reason)
        period = save_validated(CompoundManagementPeriod(compound=compound, mode=mode, valid_from=on, valid_to=until),
                                reason)
    _record_current_mode(compound, reason)
    return period


@transaction.atomic
def compound_correct_management_mode(*, compound: Compound, mode: str,
                                     period: CompoundManagementPeriod | None = None) -> CompoundManagementPeriod:
    """The recorded mode was a mistake: fix it for every day its period covers (by default the
    period in force today), closed months included."""
    if period is None:
        period = _period_in_force(list(compound.management_periods.select_for_update()), timezone.localdate())
    if period is None or period.compound_id != compound.pk:
        raise ValidationError({"management_mode": _("该小区今天没有可更正的管理模式记录。")})
    reason = change_reason(CORRECTION)
    if period.mode != mode:
        period.mode = mode
        save_validated(period, reason)
        _record_current_mode(compound, reason)
    return period


def _record_latest(owner, model: type[DatedFact], reason: str) -> None:
    """The owner's own columns keep the latest dated values (what pages, filters and the API show)."""
    values = latest_values(model, owner)
    if values and any(getattr(owner, name) != value for name, value in values.items()):
        for name, value in values.items():
            setattr(owner, name, value)
        owner.full_clean()
        owner._change_reason = reason
        owner.save(update_fields=[*(name.removesuffix("_id") for name in values), "updated_at"])


@transaction.atomic
def compound_change_fact(*, compound: Compound, field: str, value, on: datetime.date) -> DatedFact:
    """The compound's households, housing type or community changed on day `on`: months before keep
    the old value, months from then on have the new one."""
    model = COMPOUND_DATED_FIELDS[field]
    if on < compound.active_from:
        raise ValidationError({"on": _("生效日期 %(on)s 不能早于该小区纳入管理的日期 %(start)s；"
                                       "如原登记的值有误，请用“更正”。")
                               % {"on": on.isoformat(), "start": compound.active_from.isoformat()}})
    row = dated_fact_change(model=model, owner=compound, on=on, values={field: value},
                            recorded={field: getattr(compound, field)})
    _record_latest(compound, model, change_reason(CHANGE, on))
    return row


@transaction.atomic
def compound_correct_fact(*, compound: Compound, field: str, value, row: DatedFact | None = None) -> None:
    """The value was a mistake: fix it for every month it covers. Without `row`, the value in force
    now (the latest row, or the compound's own value when it has no dated history)."""
    model = COMPOUND_DATED_FIELDS[field]
    if row is None:
        row = latest_row(model, compound)
    if row is None:
        setattr(compound, field, value)
        save_validated(compound, change_reason(CORRECTION))
        return
    if row.compound_id != compound.pk:
        raise ValidationError(_("该记录不属于此小区。"))
    dated_fact_correct(row=row, values={field: value})
    _record_latest(compound, model, change_reason(CORRECTION))


@transaction.atomic
def compound_correct(*, compound: Compound, **values) -> Compound:
    """Corrections of the values in force now (households, housing_type, community_id,
    management_mode): each one that differs is fixed for every month it covers."""
    for field, value in values.items():
        if field == "management_mode":
            if value != compound.management_mode:
                compound_correct_management_mode(compound=compound, mode=value)
        elif field in COMPOUND_DATED_FIELDS:
            if value != getattr(compound, field):
                compound_correct_fact(compound=compound, field=field, value=value)
        else:
            raise ValidationError(_("“%(field)s”不能更正。") % {"field": field})
    return compound


@transaction.atomic
def firm_change_facts(*, firm: PropertyFirm, on: datetime.date, staff_count: int, has_fixed_premises: bool,
                      in_business: bool) -> PropertyFirmFactsPeriod:
    """A firm's 三有 facts changed on day `on` (earlier months keep the old ones)."""
    fields = PropertyFirmFactsPeriod.value_fields
    row = dated_fact_change(model=PropertyFirmFactsPeriod, owner=firm, on=on,
                            values={"staff_count": staff_count, "has_fixed_premises": has_fixed_premises,
                                    "in_business": in_business},
                            recorded={name: getattr(firm, name) for name in fields})
    _record_latest(firm, PropertyFirmFactsPeriod, change_reason(CHANGE, on))
    return row


# The compound's own fields an edit may change as they are: what is not dated.
COMPOUND_EDITABLE_FIELDS = ("name", "address", "buildings", "year_built", "is_old_compound")


def _update_undated(instance, fields: dict, editable: tuple[str, ...]):
    """Edit fields that carry no date; a dated one must go through its change or correction."""
    unknown = set(fields) - set(editable)
    if unknown:
        raise ValidationError(_("这些字段须按生效日期变更或更正：%(fields)s") % {"fields": "、".join(sorted(unknown))})
    for name, value in fields.items():
        setattr(instance, name, value)
    return save_validated(instance, change_reason(CORRECTION))


@transaction.atomic
def compound_update(*, compound: Compound, **fields) -> Compound:
    """Edit what carries no date (name, address...); dated facts go through compound_change_fact
    (a change from a date) or compound_correct_fact (a correction)."""
    return _update_undated(compound, fields, COMPOUND_EDITABLE_FIELDS)


@transaction.atomic
def compound_close(*, compound: Compound, on: datetime.date, merged_into: Compound | None = None) -> Compound:
    """The compound stops counting from day `on`, closed or merged into another compound (合并); its history stays."""
    check_not_future(on, "closed_on")
    if compound.closed_on:
        raise ValidationError({"closed_on": _("该小区已于 %(on)s 停止计入。") % {"on": compound.closed_on.isoformat()}})
    if merged_into is not None:
        if merged_into.pk == compound.pk:
            raise ValidationError({"merged_into": _("小区不能并入自身。")})
        if not merged_into.is_active_on(on):
            raise ValidationError({"merged_into": _("并入的小区在合并日期不在统计范围内。")})
    compound.closed_on, compound.merged_into = on, merged_into
    return save_validated(compound, change_reason(CHANGE, on))


@transaction.atomic
def compound_certify_safety(*, compound: Compound, on: datetime.date | None) -> Compound:
    """Record (or, with None, withdraw) the date the compound's safety standardisation was certified."""
    if on is not None:
        check_not_future(on, "safety_certified_on")
    compound.safety_certified_on = on
    return save_validated(compound, change_reason(CHANGE, on) if on else change_reason(CORRECTION))


@transaction.atomic
def contract_create(*, firm: PropertyFirm, compound: Compound, starts_on: datetime.date,
                    ends_on: datetime.date | None = None) -> ServiceContract:
    contract = ServiceContract(firm=firm, compound=compound, starts_on=starts_on, ends_on=ends_on)
    return save_validated(contract)


@transaction.atomic
def contract_end(*, contract: ServiceContract, on: datetime.date, reason: str = "", terminate: bool = False) -> ServiceContract:
    """End a contract early: its last day is the day before `on`; or, with `terminate`, dismiss the
    firm from the compound (清退) from day `on`, with a reason."""
    check_not_future(on)
    if contract.terminated_on or (contract.ends_on and contract.ends_on < on):
        raise ValidationError({"on": _("该合同在此日期前已结束。")})
    if on <= contract.starts_on:
        raise ValidationError({"on": _("结束日期必须晚于合同起始日期。")})
    if terminate:
        if not reason.strip():
            raise ValidationError({"reason": _("清退时请填写原因。")})
        contract.terminated_on, contract.termination_reason = on, reason.strip()
    else:
        contract.ends_on = on - datetime.timedelta(days=1)
    return save_validated(contract, change_reason(CHANGE, on))


@transaction.atomic
def firm_create(**fields) -> PropertyFirm:
    return save_validated(PropertyFirm(**fields))


FIRM_EDITABLE_FIELDS = ("name", "registered_district", "is_state_owned", "star_rating")


@transaction.atomic
def firm_update(*, firm: PropertyFirm, **fields) -> PropertyFirm:
    """Edit what carries no date; 三有 facts change through firm_change_facts."""
    return _update_undated(firm, fields, FIRM_EDITABLE_FIELDS)


@transaction.atomic
def firm_list(*, firm: PropertyFirm, kind: str, on: datetime.date, reason: str) -> FirmListing:
    """Put the firm on the red or black list (红黑榜) from day `on`."""
    check_not_future(on, "listed_on")
    if firm.listings.filter(kind=kind, delisted_on__isnull=True).exists():
        raise ValidationError({"kind": _("该企业已在此榜单上。")})
    listing = FirmListing(firm=firm, kind=kind, listed_on=on, reason=reason)
    return save_validated(listing)


@transaction.atomic
def firm_delist(*, listing: FirmListing, on: datetime.date) -> FirmListing:
    check_not_future(on, "delisted_on")
    listing.delisted_on = on
    return save_validated(listing)
