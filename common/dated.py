"""Dated facts: a value of some registry row's attribute over the days [valid_from, valid_to).

Every registry fact has a date (DOMAIN.md "The registry"). A dated-fact table holds one row per
stretch of time a value was true for its owner (a compound's households, a member's role...).
`valid_from` empty means "since the record began"; `valid_to` empty means "still true".

One rule reads them everywhere, the engine included: the value on day D is the row in force on
D; an owner with no rows at all has its own recorded value on every day (the history only starts
with the first dated change). Services keep an attribute's rows contiguous and ending open, so
"no row in force" never happens for an attribute that has rows; a membership (a committee member)
may end, and then the member is no longer there.

A change ("it became true on D") splits the row in force on D; a correction ("the value was a
mistake") rewrites a row in place. The history (django-simple-history) says which it was in its
change reason.
"""
from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, FilteredRelation, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

CHANGE = "change"
CORRECTION = "correction"


def change_reason(kind: str, on: datetime.date | None = None) -> str:
    """The history's words for a write: a change from a date, or a correction."""
    if kind == CORRECTION:
        return _("更正（原值有误，所涉月份一并更正）")
    return _("变更（自%(on)s起生效）") % {"on": on.isoformat()}


class DatedFact(models.Model):
    valid_from = models.DateField(gettext_lazy("生效日期"), null=True, blank=True, help_text=gettext_lazy("空表示自登记起"))
    valid_to = models.DateField(gettext_lazy("失效日期"), null=True, blank=True, help_text=gettext_lazy("该日起不再适用"))

    # The foreign key to the row whose attribute this is, and the attributes carried.
    owner_field: str = ""
    value_fields: tuple[str, ...] = ()

    class Meta:
        abstract = True
        ordering = [F("valid_from").asc(nulls_first=True)]

    def clean(self):
        super().clean()
        if self.valid_from and self.valid_to and self.valid_to <= self.valid_from:
            raise ValidationError({"valid_to": _("失效日期必须晚于生效日期。")})

    def values(self) -> dict:
        return {name: getattr(self, name) for name in self.value_fields}

    def in_force_on(self, day: datetime.date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day < self.valid_to)


def dated_constraints(prefix: str, owner_field: str) -> list:
    """Dates in order, one row per owner and start, one row per owner "since the record began"."""
    return [
        models.CheckConstraint(condition=Q(valid_to__isnull=True) | Q(valid_from__isnull=True)
                               | Q(valid_to__gt=F("valid_from")), name=f"{prefix}_dates_in_order",
                               violation_error_message=gettext_lazy("失效日期必须晚于生效日期。")),
        models.UniqueConstraint(fields=[owner_field, "valid_from"], name=f"{prefix}_unique_start",
                                violation_error_message=gettext_lazy("同一天只能有一条记录。")),
        models.UniqueConstraint(fields=[owner_field], condition=Q(valid_from__isnull=True), name=f"{prefix}_one_first",
                                violation_error_message=gettext_lazy("“自登记起”的记录只能有一条。")),
    ]


def in_force_q(on: datetime.date, prefix: str = "") -> Q:
    """Rows of a dated-fact table in force on day `on`."""
    return (Q(**{f"{prefix}valid_from__isnull": True}) | Q(**{f"{prefix}valid_from__lte": on})) & (
        Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gt": on}))


def in_force(relation: str, on: datetime.date) -> FilteredRelation:
    """A LEFT JOIN of the owner's rows in force on `on` (at most one, so the join keeps one row per owner)."""
    return FilteredRelation(relation, condition=in_force_q(on, prefix=f"{relation}__"))


def _owner_rows(model, owner):
    return model.objects.select_for_update().filter(**{model.owner_field: owner})


def save_validated(row, reason: str = ""):
    """full_clean, then save with the history's change reason (a change from a date, a correction)."""
    row.full_clean()
    if reason:
        row._change_reason = reason
    row.save()
    return row


def check_not_future(on: datetime.date, field: str = "on") -> None:
    if on > timezone.localdate():
        raise ValidationError({field: _("生效日期不能晚于今天：登记的是已经发生的变化。")})


@transaction.atomic
def dated_fact_change(*, model, owner, on: datetime.date, values: dict, recorded: dict):
    """From day `on` the owner's attribute has `values` (until the next recorded change, if any).

    `recorded` are the values the owner has now, used for the row "since the record began" when
    this is the first dated change. The row in force on `on` is split there; a row that starts on
    `on` itself is rewritten. Returns the row now in force on `on`.
    """
    check_not_future(on)
    rows = list(_owner_rows(model, owner))
    if not rows:
        first = model(**{model.owner_field: owner}, valid_from=None, valid_to=None, **recorded)
        save_validated(first, change_reason(CHANGE, on))
        rows = [first]
    current = next((row for row in rows if row.in_force_on(on)), None)
    if current is not None and current.values() == values:
        return current
    reason = change_reason(CHANGE, on)
    if current is not None and current.valid_from == on:
        for name, value in values.items():
            setattr(current, name, value)
        save_validated(current, reason)
        return current
    if current is None:
        # A membership that had ended starts again: until the next row, if any.
        later = [row.valid_from for row in rows if row.valid_from and row.valid_from > on]
        row = model(**{model.owner_field: owner}, valid_from=on, valid_to=min(later) if later else None, **values)
        save_validated(row, reason)
        return row
    until, current.valid_to = current.valid_to, on
    save_validated(current, reason)
    row = model(**{model.owner_field: owner}, valid_from=on, valid_to=until, **values)
    save_validated(row, reason)
    return row


@transaction.atomic
def dated_fact_correct(*, row, values: dict):
    """The row's values were a mistake: rewrite them for every day the row covers."""
    for name, value in values.items():
        setattr(row, name, value)
    save_validated(row, change_reason(CORRECTION))
    return row


@transaction.atomic
def dated_fact_end(*, model, owner, on: datetime.date, recorded: dict):
    """The fact stops on day `on` (a member leaves): the row in force then ends that day."""
    check_not_future(on)
    rows = list(_owner_rows(model, owner))
    if not rows:
        first = model(**{model.owner_field: owner}, valid_from=None, valid_to=None, **recorded)
        rows = [first]
    current = next((row for row in rows if row.in_force_on(on)), None)
    if current is None:
        raise ValidationError({"on": _("%(on)s 时该记录已不在有效期内。") % {"on": on.isoformat()}})
    if current.valid_from and current.valid_from >= on:
        raise ValidationError({"on": _("终止日期必须晚于生效日期 %(start)s。") % {"start": current.valid_from.isoformat()}})
    current.valid_to = on
    save_validated(current, change_reason(CHANGE, on))
    return current


def latest_row(model, owner):
    return model.objects.filter(**{model.owner_field: owner}).order_by(F("valid_from").desc(nulls_last=True)).first()


def latest_values(model, owner) -> dict | None:
    """The values of the owner's latest row (what the owner records as its current state)."""
    row = latest_row(model, owner)
    return row.values() if row else None
