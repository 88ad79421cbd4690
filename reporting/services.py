"""Writes of monthly data: every interface (grid, Excel upload, commands, admin) calls these.

`actor` is the signed-in user whose area scope decides what they may do; `actor=None` is a trusted
batch caller (a management command run by an operator) and is recorded as such in the history.
"""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import partial

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scope import AreaScope
from communities.models import Compound

from . import bulk
from .models import MonthlyRecord, MonthlyReport, ReportState, ReportTransition
from .periods import due_on, format_period, is_future
from .permissions import may_close, may_edit, may_review
from .signals import monthly_data_changed
from .validation import FIELD_NAMES, FIELDS, FieldSpec, RowInput, ValidationResult, show_value, validate_monthly_rows

class ReportingError(Exception):
    """A refused action; the message is meant for the user."""

    @property
    def message(self) -> str:
        return str(self.args[0])


class ReportPermissionError(ReportingError):
    pass


class StaleVersionError(ReportingError):
    def __init__(self):
        super().__init__(_("该月报已被他人修改，请刷新后重试"))


def _notify_on_commit(report: MonthlyReport) -> None:
    transaction.on_commit(partial(monthly_data_changed.send, sender=MonthlyReport,
                                  street_id=report.street_id, period=report.period))


def monthly_report_get_or_create(*, street, period: datetime.date) -> MonthlyReport:
    if is_future(period):
        raise ReportingError(_("不能填报未来月份（%(period)s）的数据") % {"period": format_period(period)})
    report, _created = MonthlyReport.objects.get_or_create(street=street, period=period,
                                                           defaults={"due_on": due_on(period)})
    return report


@dataclass
class RowChange:
    compound: Compound
    kind: str  # "create", "update", "delete" or "unchanged"
    flags: list[dict] = field(default_factory=list)
    values: dict | None = None
    record: dict | None = None  # the stored row, column → value

    @property
    def cells(self) -> list[tuple[FieldSpec, str, str]]:
        """(field, old, new) as shown, for the fields that change."""
        old, new = self.record or {}, self.values or {}
        return [(spec, show_value(old.get(spec.name)), show_value(new.get(spec.name))) for spec in FIELDS
                if old.get(spec.name) != new.get(spec.name)]


@dataclass
class SavePlan:
    validation: ValidationResult
    changes: list[RowChange]

    @property
    def ok(self) -> bool:
        return self.validation.ok

    @property
    def errors(self):
        return self.validation.errors

    @property
    def changed(self) -> list[RowChange]:
        return [change for change in self.changes if change.kind != "unchanged"]


def monthly_records_plan(*, street, period: datetime.date, rows: list[RowInput]) -> SavePlan:
    """Validate `rows` and work out, per compound, what a save would change (old → new)."""
    validation = validate_monthly_rows(street=street, period=period, rows=rows)
    if not validation.ok:
        return SavePlan(validation, [])
    existing = {record["compound_id"]: record
                for record in MonthlyRecord.objects.filter(report__street=street, period=period).values()}
    changes = []
    for row in validation.rows:
        record = existing.get(row.compound.pk)
        if row.values is None:
            kind = "delete" if record else "unchanged"
        elif record is None:
            kind = "create"
        else:
            kind = "update" if any(record[name] != row.values[name] for name in FIELD_NAMES) else "unchanged"
        changes.append(RowChange(row.compound, kind, row.flags, row.values, record))
    return SavePlan(validation, changes)


def _require_editable(report: MonthlyReport, actor) -> None:
    if actor is not None and not may_edit(AreaScope.for_user(actor), report):
        raise ReportPermissionError(_("只有本街道(乡镇)工作人员可以填报该月报"))
    if report.state != ReportState.DRAFT:
        raise ReportingError(_("月报当前为“%(state)s”状态，不能修改；如需修改请先退回或重新打开") % {
            "state": ReportState(report.state).label})


def monthly_records_save(*, report: MonthlyReport, rows: list[RowInput], actor, expected_version: int,
                         source: str) -> SavePlan:
    """Save all rows or none: when any row is invalid, return the plan with its errors, unsaved.

    The report's version is bumped with a conditional UPDATE first, so of two saves based on the
    same version exactly one wins; the other is refused with StaleVersionError.
    """
    _require_editable(report, actor)
    with transaction.atomic():
        bumped = MonthlyReport.objects.filter(pk=report.pk, version=expected_version, state=ReportState.DRAFT).update(
            version=F("version") + 1, updated_at=timezone.now())
        if not bumped:
            report.refresh_from_db()
            _require_editable(report, actor)
            raise StaleVersionError()
        plan = monthly_records_plan(street=report.street, period=report.period, rows=rows)
        if not plan.ok:
            transaction.set_rollback(True)
            return plan
        _apply(report, plan, actor, source)
        if plan.changed:
            _notify_on_commit(report)
    report.version = expected_version + 1
    return plan


def _apply(report: MonthlyReport, plan: SavePlan, actor, source: str) -> None:
    now = timezone.now()
    creates, updates = [], []
    for change in plan.changed:
        if change.kind == "create":
            creates.append({"report_id": report.pk, "compound_id": change.compound.pk, "period": report.period,
                            "flags": change.flags, **change.values})
        elif change.kind == "update":
            updates.append({**change.record, **change.values, "flags": change.flags, "updated_at": now})
        else:
            # Deletes are rare (an officer clears a whole row); the per-row delete keeps the audit.
            record = MonthlyRecord(**change.record)
            record._history_user, record._change_reason = actor, source
            record.delete()
    bulk.create_with_history(creates, user=actor, reason=source, at=now)
    bulk.update_with_history(updates, [*FIELD_NAMES, "flags", "updated_at"], user=actor, reason=source, at=now)


def _transition(report: MonthlyReport, actor, *, allowed_from: tuple[str, ...], to: str, reason: str = "",
                apply=None) -> MonthlyReport:
    with transaction.atomic():
        current = MonthlyReport.objects.select_for_update().get(pk=report.pk)
        if current.state not in allowed_from:
            raise ReportingError(_("月报当前为“%(state)s”状态，不能执行该操作") % {"state": ReportState(current.state).label})
        from_state = current.state
        current.state = to
        current.version += 1
        if apply is not None:
            apply(current)
        current._history_user = actor
        current._change_reason = reason
        current.save()
        ReportTransition.objects.create(report=current, from_state=from_state, to_state=to, actor=actor, reason=reason)
    report.refresh_from_db()
    return report


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ReportingError(_("请填写理由"))
    return reason


def monthly_report_submit(*, report: MonthlyReport, actor) -> MonthlyReport:
    if not may_edit(AreaScope.for_user(actor), report):
        raise ReportPermissionError(_("只有本街道(乡镇)工作人员可以上报该月报"))
    if not report.records.exists():
        raise ReportingError(_("月报还没有任何小区的数据，不能上报"))

    def stamp(current):
        now = timezone.now()
        # Lateness is judged at the first submission; a resubmission after a return keeps it.
        if current.submitted_at is None:
            current.is_late = timezone.localdate(now) > current.due_on
        current.submitted_at, current.submitted_by = now, actor

    return _transition(report, actor, allowed_from=(ReportState.DRAFT,), to=ReportState.SUBMITTED, apply=stamp)


def _require_reviewer(report: MonthlyReport, actor) -> None:
    if not may_review(AreaScope.for_user(actor), report):
        raise ReportPermissionError(_("只有所属区县的工作人员可以审核该月报"))


def monthly_report_approve(*, report: MonthlyReport, actor) -> MonthlyReport:
    _require_reviewer(report, actor)

    def stamp(current):
        current.approved_at, current.approved_by = timezone.now(), actor

    with transaction.atomic():
        _transition(report, actor, allowed_from=(ReportState.SUBMITTED,), to=ReportState.APPROVED, apply=stamp)
        _notify_on_commit(report)
    return report


def monthly_report_return_to_draft(*, report: MonthlyReport, actor, reason: str) -> MonthlyReport:
    _require_reviewer(report, actor)
    reason = _require_reason(reason)
    return _transition(report, actor, allowed_from=(ReportState.SUBMITTED,), to=ReportState.DRAFT, reason=reason)


def _require_city(actor, message: str) -> None:
    if not may_close(AreaScope.for_user(actor)):
        raise ReportPermissionError(message)


def monthly_report_lock(*, report: MonthlyReport, actor) -> MonthlyReport:
    _require_city(actor, _("只有市住建局工作人员可以锁定月报"))

    def stamp(current):
        current.locked_at = timezone.now()

    return _transition(report, actor, allowed_from=(ReportState.APPROVED,), to=ReportState.LOCKED, apply=stamp)


def monthly_report_reopen(*, report: MonthlyReport, actor, reason: str) -> MonthlyReport:
    """City staff send an approved or locked report back to draft; its data stops being approved."""
    _require_city(actor, _("只有市住建局工作人员可以重新打开月报"))
    reason = _require_reason(reason)

    def clear(current):
        current.approved_at = current.approved_by = current.locked_at = None

    with transaction.atomic():
        _transition(report, actor, allowed_from=(ReportState.APPROVED, ReportState.LOCKED), to=ReportState.DRAFT,
                    reason=reason, apply=clear)
        _notify_on_commit(report)
    return report
