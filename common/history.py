"""Change history of registry rows in staff's words: who, when, which field, old → new, and whether
the write was a change from a date or a correction (common.dated's change reasons).

A presenter for pages: it reads django-simple-history's tables a bounded number of times (one
query per source, whatever the number of records).
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from .dated import CHANGE, CORRECTION
from .privacy import mask_personal

HISTORY_LIMIT = 200
NO_VALUE = "—"
# Bookkeeping fields that change on every save and say nothing to staff; personal numbers are never shown.
UNTRACKED_FIELDS = {"id", "created_at", "updated_at", "phone"}


@dataclass(frozen=True)
class HistoryEntry:
    when: datetime.datetime
    subject: str
    action: str
    changes: str
    reason: str
    who: str

    @property
    def when_text(self) -> str:
        return timezone.localtime(self.when).strftime("%Y-%m-%d %H:%M")

    @property
    def kind(self) -> str:
        """更正 or 变更, when the write said so."""
        return {CORRECTION: _("更正"), CHANGE: _("变更")}.get(self.kind_key, "")

    @property
    def kind_key(self) -> str:
        """common.dated's CHANGE or CORRECTION, for the page to mark the two apart; "" for other writes."""
        if self.reason.startswith(_("更正")):
            return CORRECTION
        if self.reason.startswith(_("变更")):
            return CHANGE
        return ""


def field_text(model_field, value) -> str:
    if value is None or value == "":
        return NO_VALUE
    if model_field.choices:
        return str(dict(model_field.choices).get(value, value))
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _who(record) -> str:
    user = record.history_user
    if user is None:
        return _("系统")
    return user.get_full_name() or user.get_username()


def history_entries(sources, *, labels: dict | None = None, personal_data: bool = False) -> list[HistoryEntry]:
    """Entries of every (subject label, historical queryset) source, newest first.

    `labels` maps a foreign key's attname to {id: text} for values better shown by name (a community).
    A personal field's values (a member's name) are masked unless `personal_data` says the reader is
    the owning street's officer (AreaScope.sees_personal_data).
    """
    actions = {"+": _("新建"), "~": _("修改"), "-": _("删除")}
    labels = labels or {}
    entries = []
    for subject, history in sources:
        records = list(history.select_related("history_user").order_by("-history_date", "-history_id")[:HISTORY_LIMIT])
        records.reverse()
        model = history.model.instance_type
        fields = [f for f in model._meta.concrete_fields if f.name not in UNTRACKED_FIELDS]
        masked = set() if personal_data else set(getattr(model, "personal_fields", ()))

        def text(f, value):
            if f.name in masked and value not in (None, ""):
                return mask_personal(f.name, value)
            names = labels.get(f.attname)
            return names.get(value, field_text(f, value)) if names and value in names else field_text(f, value)

        previous_by_id = {}
        for record in records:
            before = previous_by_id.get(record.id)
            if record.history_type == "~" and before is not None:
                changes = [f"{f.verbose_name}：{text(f, getattr(before, f.attname))} → {text(f, getattr(record, f.attname))}"
                           for f in fields if getattr(before, f.attname) != getattr(record, f.attname)]
            elif record.history_type == "+":
                changes = [f"{f.verbose_name}：{text(f, getattr(record, f.attname))}" for f in fields
                           if not f.is_relation and getattr(record, f.attname) not in (None, "")][:8]
            else:
                changes = []
            previous_by_id[record.id] = record
            entries.append(HistoryEntry(record.history_date, str(subject), str(actions.get(record.history_type, "")),
                                        "；".join(changes) or NO_VALUE, record.history_change_reason or "", _who(record)))
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries
