"""Writes to the compound registry. Every function is keyword-only, validates, then saves atomically."""
from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Compound, CompoundManagementPeriod


@transaction.atomic
def compound_create(**fields) -> Compound:
    """A new compound with its first management period, open from `active_from` in its mode."""
    compound = Compound(**fields)
    compound.full_clean()
    compound.save()
    period = CompoundManagementPeriod(compound=compound, mode=compound.management_mode, valid_from=compound.active_from)
    period.full_clean()
    period.save()
    return compound


@transaction.atomic
def compound_set_management_mode(*, compound: Compound, mode: str, on: datetime.date) -> CompoundManagementPeriod:
    """Make `mode` the compound's management mode from day `on`; the open period closes that day.

    Setting the mode it already has changes nothing. A period that opened on `on` itself is
    corrected in place rather than closed on the day it started.
    """
    current = compound.management_periods.select_for_update().filter(valid_to__isnull=True).first()
    if current is not None and current.mode == mode:
        period = current
    elif current is not None and current.valid_from == on:
        current.mode = mode
        current.full_clean()
        current.save()
        period = current
    else:
        if current is not None:
            if on < current.valid_from:
                raise ValidationError(
                    _("管理模式变更日期 %(on)s 不能早于当前管理模式的起始日期 %(start)s。")
                    % {"on": on, "start": current.valid_from})
            current.valid_to = on
            current.full_clean()
            current.save()
        period = CompoundManagementPeriod(compound=compound, mode=mode, valid_from=on)
        period.full_clean()
        period.save()
    if compound.management_mode != mode:
        compound.management_mode = mode
        compound.save(update_fields=["management_mode", "updated_at"])
    return period
