"""Writes of monthly data: every interface (grid, Excel upload, commands, admin) calls these.

`actor` is the signed-in user whose area scope decides what they may do; `actor=None` is a trusted
batch caller (a management command run by an operator) and is recorded as such in the history.
"""
from __future__ import annotations

import datetime
import secrets
from collections import Counter
from dataclasses import dataclass, field
from functools import partial

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scope import AreaScope
from common.enqueue import send_after_commit
from communities.models import Compound
from notifications.models import NoticeKind
from notifications.services import report_notice_after_commit

from . import bulk
from .excel import ExcelLayoutError, read_monthly_workbook
from .models import (
    ACTIVE_UPLOAD_STATES,
    MonthlyRecord,
    MonthlyReport,
    MonthlyUpload,
    ReportState,
    ReportTransition,
    UploadStatus,
)
from .periods import due_on, format_period, is_future
from .permissions import is_system, may_close, may_edit, may_move, may_review, may_submit
from .signals import monthly_data_changed
from .validation import (
    FIELD_NAMES,
    FIELDS,
    FieldSpec,
    RowInput,
    ValidationResult,
    named_only,
    show_value,
    validate_monthly_rows,
)

# Where confirmed Excel files wait for the worker: private storage (MEDIA_ROOT is never served).
UPLOAD_DIRECTORY = "reporting/uploads"
# A preview nobody confirmed, or an import no worker finished, is given up after this long.
ABANDONED_UPLOAD_AGE = datetime.timedelta(days=1)


class ReportingError(Exception):
    """A refused action; the message is meant for the user."""

    @property
    def message(self) -> str:
        return str(self.args[0])


class ReportPermissionError(ReportingError):
    pass


class StaleVersionError(ReportingError):
    def __init__(self, message: str | None = None):
        super().__init__(message or _("该月报已被他人修改，请刷新后重试"))


class ReviewedVersionError(StaleVersionError):
    """The report changed after the reviewer opened it (say, returned, edited and submitted again)."""

    def __init__(self):
        super().__init__(_("该月报在您查看后已被修改，请刷新后重新审核"))


class CheckedVersionError(StaleVersionError):
    """The report changed after the officer saw its completeness check."""

    def __init__(self):
        super().__init__(_("月报在完整性检查后已被修改，请重新检查后再上报"))


class UploadInProgressError(ReportingError):
    def __init__(self):
        super().__init__(_("该月报正在导入 Excel 数据，请等导入结束后再修改"))


def _importing(report_id):
    """The report's confirmed upload still being applied (at most one), as a queryset."""
    return MonthlyUpload.objects.filter(report_id=report_id, status__in=ACTIVE_UPLOAD_STATES)


def _notify_data_changed(report: MonthlyReport, changes: list[RowChange] | None = None) -> None:
    """`changes` names the compounds whose records changed; without it, the whole street's month did
    (its state)."""
    compound_ids = None if changes is None else [change.compound.pk for change in changes]
    monthly_data_changed.send(sender=MonthlyReport, street_id=report.street_id, period=report.period,
                              compound_ids=compound_ids)


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
    stored = MonthlyRecord.objects.filter(report__street=street, period=period)
    compound_ids = {row.compound.pk for row in validation.rows}
    existing = {record["compound_id"]: record for record in named_only(stored, "compound_id", compound_ids).values()}
    changes = []
    for row in validation.rows:
        record = existing.get(row.compound.pk)
        _explain(row.flags, posted=row.explanations, stored=record["flags"] if record else [])
        if row.values is None:
            kind = "delete" if record else "unchanged"
        elif record is None:
            kind = "create"
        elif any(record[name] != row.values[name] for name in FIELD_NAMES) or _explanations(
                record["flags"]) != _explanations(row.flags):
            kind = "update"
        else:
            kind = "unchanged"
        changes.append(RowChange(row.compound, kind, row.flags, row.values, record))
    return SavePlan(validation, changes)


def _explanations(flags: list[dict]) -> dict[str, str]:
    return {flag["field"]: flag.get("explanation", "") for flag in flags}


def _explain(flags: list[dict], *, posted: dict[str, str] | None, stored: list[dict]) -> None:
    """Give each new flag its explanation: the one typed with it, else the stored one when the same
    value was flagged before (an explanation explains a value, not a field)."""
    kept = {flag["field"]: flag.get("explanation", "") for flag in stored}
    stored_values = {flag["field"]: flag.get("value") for flag in stored}
    for flag in flags:
        name = flag["field"]
        if posted is not None and name in posted:
            flag["explanation"] = str(posted[name] or "").strip()
        elif stored_values.get(name) == flag["value"]:
            flag["explanation"] = kept.get(name, "")


def _require_editable(report: MonthlyReport, actor) -> None:
    if actor is not None and not may_edit(actor, report):
        raise _refuse(actor, _("只有本街道(乡镇)工作人员可以填报该月报"))
    if report.state != ReportState.DRAFT:
        raise ReportingError(_("月报当前为“%(state)s”状态，不能修改；如需修改请先退回或重新打开") % {
            "state": ReportState(report.state).label})


def monthly_records_save(*, report: MonthlyReport, rows: list[RowInput], actor, expected_version: int,
                         source: str) -> SavePlan:
    """Save all rows or none: when any row is invalid, return the plan with its errors, unsaved.

    The report's version is bumped with a conditional UPDATE first, so of two saves based on the
    same version exactly one wins; the other is refused with StaleVersionError. While a confirmed
    Excel upload is being applied to the report, saves are refused with UploadInProgressError.
    """
    _require_editable(report, actor)
    with transaction.atomic():
        bumped = (MonthlyReport.objects.filter(pk=report.pk, version=expected_version, state=ReportState.DRAFT)
                  .exclude(Exists(_importing(OuterRef("pk"))))
                  .update(version=F("version") + 1, updated_at=timezone.now()))
        if not bumped:
            report.refresh_from_db()
            _require_editable(report, actor)
            if _importing(report.pk).exists():
                raise UploadInProgressError()
            raise StaleVersionError()
        plan = monthly_records_plan(street=report.street, period=report.period, rows=rows)
        if not plan.ok:
            transaction.set_rollback(True)
            return plan
        _apply(report, plan.changed, actor, source)
        if plan.changed:
            _notify_data_changed(report, plan.changed)
    report.version = expected_version + 1
    return plan


def _apply(report: MonthlyReport, changes: list[RowChange], actor, source: str) -> None:
    now = timezone.now()
    creates, updates = [], []
    for change in changes:
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


def _refuse(actor, message: str) -> ReportPermissionError:
    """The refusal for `actor`: a system is told what systems may do at all (reporting.permissions)."""
    if is_system(actor):
        message = _("接口调用系统只能在其限定的区域内填报数据，不能上报、审核、退回、锁定或重新打开月报")
    return ReportPermissionError(message)


def _transition(report: MonthlyReport, actor, *, allowed_from: tuple[str, ...], to: str, reason: str = "",
                apply=None, expected_version: int | None = None, stale: type[StaleVersionError] = ReviewedVersionError,
                notice: str | None = None) -> MonthlyReport:
    """Move the report (its row locked) to `to`; with `expected_version`, only if it is still that version
    (else `stale` is raised). `notice` is the kind of notice the step sends (notifications app) once it commits."""
    if not may_move(actor):
        raise _refuse(actor, "")
    with transaction.atomic():
        current = MonthlyReport.objects.select_for_update().get(pk=report.pk)
        if current.state not in allowed_from:
            raise ReportingError(_("月报当前为“%(state)s”状态，不能执行该操作") % {"state": ReportState(current.state).label})
        if expected_version is not None and current.version != expected_version:
            raise stale()
        from_state = current.state
        current.state = to
        current.version += 1
        if apply is not None:
            apply(current)
        current._history_user = actor
        current._change_reason = reason
        current.save()
        transition = ReportTransition.objects.create(report=current, from_state=from_state, to_state=to, actor=actor,
                                                     reason=reason)
        if notice:
            report_notice_after_commit(kind=notice, transition=transition)
    report.refresh_from_db()
    return report


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ReportingError(_("请填写理由"))
    return reason


def monthly_report_submit(*, report: MonthlyReport, actor, expected_version: int | None = None) -> MonthlyReport:
    """Submit a draft to its district. `expected_version` is the version whose completeness check the
    officer confirmed: when the report has changed since, CheckedVersionError and nothing changes."""
    if not may_submit(actor, report):
        raise _refuse(actor, _("只有本街道(乡镇)工作人员可以上报该月报"))
    if not report.records.exists():
        raise ReportingError(_("月报还没有任何小区的数据，不能上报"))

    def stamp(current):
        if _importing(current.pk).exists():
            raise UploadInProgressError()
        now = timezone.now()
        # Lateness is judged at the first submission; a resubmission after a return keeps it.
        if current.submitted_at is None:
            current.is_late = timezone.localdate(now) > current.due_on
        current.submitted_at, current.submitted_by = now, actor

    return _transition(report, actor, allowed_from=(ReportState.DRAFT,), to=ReportState.SUBMITTED, apply=stamp,
                       expected_version=expected_version, stale=CheckedVersionError,
                       notice=NoticeKind.REPORT_SUBMITTED)


def monthly_report_withdraw(*, report: MonthlyReport, actor) -> MonthlyReport:
    """The street takes a submitted report back to draft, as long as its district has not reviewed it."""
    if not may_submit(actor, report):
        raise _refuse(actor, _("只有本街道(乡镇)工作人员可以撤回该月报"))
    return _transition(report, actor, allowed_from=(ReportState.SUBMITTED,), to=ReportState.DRAFT,
                       reason=_("街道撤回"))


def _require_reviewer(report: MonthlyReport, actor) -> None:
    if not may_review(actor, report):
        raise _refuse(actor, _("只有所属区县的工作人员可以审核该月报"))


def monthly_report_approve(*, report: MonthlyReport, actor, expected_version: int | None = None) -> MonthlyReport:
    """Approve a submitted report. `expected_version` is the version the reviewer saw: when the report
    has changed since, ReviewedVersionError and nothing changes. None (an API client that does not
    send it, an admin action) skips that check."""
    _require_reviewer(report, actor)

    def stamp(current):
        current.approved_at, current.approved_by = timezone.now(), actor

    with transaction.atomic():
        _transition(report, actor, allowed_from=(ReportState.SUBMITTED,), to=ReportState.APPROVED, apply=stamp,
                    expected_version=expected_version, notice=NoticeKind.REPORT_APPROVED)
        _notify_data_changed(report)
    return report


@dataclass
class BulkApproval:
    approved: list[MonthlyReport] = field(default_factory=list)
    refused: list[tuple[MonthlyReport, str]] = field(default_factory=list)


def monthly_reports_approve(*, actor, versions: dict[int, int]) -> BulkApproval:
    """Approve several reports from the queue, each only at the version the reviewer saw there and only
    when none of its values is flagged (those are reviewed one by one, on the report's page). Each
    report is approved or refused on its own; reports the actor may not see are left alone."""
    outcome = BulkApproval()
    reports = (AreaScope.for_user(actor).filter(MonthlyReport.objects.filter(pk__in=list(versions)))
               .select_related("street").annotate(flagged=Count("records", filter=~Q(records__flags=[])))
               .order_by("period", "street__code"))
    for report in reports:
        if report.flagged:
            outcome.refused.append((report, _("有 %(count)s 个小区的数值有异常提示，请打开月报逐份审核") % {
                "count": report.flagged}))
            continue
        try:
            monthly_report_approve(report=report, actor=actor, expected_version=versions[report.pk])
        except ReportingError as exc:
            outcome.refused.append((report, exc.message))
        else:
            outcome.approved.append(report)
    return outcome


def monthly_report_return_to_draft(*, report: MonthlyReport, actor, reason: str,
                                   expected_version: int | None = None) -> MonthlyReport:
    """Send a submitted report back to its street; `expected_version` as for monthly_report_approve."""
    _require_reviewer(report, actor)
    reason = _require_reason(reason)
    return _transition(report, actor, allowed_from=(ReportState.SUBMITTED,), to=ReportState.DRAFT, reason=reason,
                       expected_version=expected_version, notice=NoticeKind.REPORT_RETURNED)


def _require_city(actor, message: str) -> None:
    if not may_close(actor):
        raise _refuse(actor, message)


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
        _notify_data_changed(report)
    return report


# --- Excel uploads: preview, confirm (queue), apply in a worker -----------------------------------

def monthly_upload_preview(*, report: MonthlyReport, actor, content: bytes,
                           file_name: str = "") -> tuple[SavePlan, MonthlyUpload | None]:
    """Read and validate an uploaded file and work out what it would change; nothing is saved.

    When the file is valid and changes something, it is kept in private storage for the
    confirmation and returned as a MonthlyUpload waiting for it; the actor's earlier unconfirmed
    uploads of the same report are discarded. Raises ExcelLayoutError when the file is not the template.
    """
    _require_editable(report, actor)
    expected_version = report.version
    rows = read_monthly_workbook(content, street=report.street, period=report.period)
    plan = monthly_records_plan(street=report.street, period=report.period, rows=rows)
    if not plan.ok or not plan.changed:
        return plan, None
    _delete_uploads(MonthlyUpload.objects.filter(report=report, uploaded_by=actor, status=UploadStatus.PREVIEW))
    path = default_storage.save(f"{UPLOAD_DIRECTORY}/{secrets.token_hex(16)}.xlsx", ContentFile(content))
    upload = MonthlyUpload.objects.create(report=report, uploaded_by=actor, file_name=file_name[:255], path=path,
                                          expected_version=expected_version)
    return plan, upload


def _upload_refusal(report: MonthlyReport, upload: MonthlyUpload) -> str | None:
    """Why `upload` may not be applied to `report` now (both locked by the caller), or None."""
    if not may_edit(upload.uploaded_by, report):
        return _("只有本街道(乡镇)工作人员可以填报该月报")
    if report.state != ReportState.DRAFT:
        return _("月报当前为“%(state)s”状态，不能导入") % {"state": ReportState(report.state).label}
    if _importing(report.pk).exclude(pk=upload.pk).exists():
        return _("该月报正在导入另一份 Excel 文件，请等其结束后重新上传")
    if report.version != upload.expected_version:
        return StaleVersionError().message
    return None


def _finish_upload(upload: MonthlyUpload, status: str, message: str = "") -> None:
    """Close the upload in the caller's transaction; its file goes once that commits."""
    upload.status, upload.message, upload.finished_at = status, message[:500], timezone.now()
    upload.save()
    transaction.on_commit(partial(default_storage.delete, upload.path))


def monthly_upload_queue(*, upload: MonthlyUpload, actor) -> MonthlyUpload:
    """Confirm a previewed upload: queue it for a worker, or fail it at once when it cannot apply.

    Sent after commit; with no broker (eager mode) the import has run when this returns, and with
    the broker down the upload fails at once. The returned upload is re-read: done, failed, or
    still queued for a worker.
    """
    from . import tasks  # tasks call services: imported here, not at module level

    with transaction.atomic():
        report = MonthlyReport.objects.select_for_update(of=("self",)).select_related("street").get(pk=upload.report_id)
        if actor is not None and not may_edit(actor, report):
            raise _refuse(actor, _("只有本街道(乡镇)工作人员可以填报该月报"))
        upload = MonthlyUpload.objects.select_for_update().get(pk=upload.pk)
        if upload.status != UploadStatus.PREVIEW:
            return upload  # confirmed twice (a double click): the first confirmation stands
        refusal = _upload_refusal(report, upload)
        if refusal:
            _finish_upload(upload, UploadStatus.FAILED, refusal)
            return upload
        upload.status, upload.queued_at = UploadStatus.QUEUED, timezone.now()
        upload.save(update_fields=["status", "queued_at"])
        send_after_commit(tasks.apply_monthly_upload, upload.pk, on_failure=partial(
            monthly_upload_give_up, upload_id=upload.pk, message=_("任务队列暂时不可用，导入未开始，请稍后重新上传")))
    upload.refresh_from_db()
    return upload


def monthly_upload_apply(*, upload_id: int) -> MonthlyUpload:
    """Apply a queued upload: every row and the upload's `done` in one transaction, or nothing.

    Idempotent: a re-delivered task finds the upload done (or failed) and does nothing. A stale
    version, a report no longer in draft or rows that no longer validate fail the upload with the
    reason, and nothing is saved.
    """
    # Committed at once, outside the import's transaction: if this worker dies, the upload says it was
    # started and when (monthly_uploads_release_stuck). A re-delivered task waits here for a live one.
    MonthlyUpload.objects.filter(pk=upload_id, status__in=ACTIVE_UPLOAD_STATES).update(
        status=UploadStatus.APPLYING, started_at=timezone.now(), attempts=F("attempts") + 1)
    with transaction.atomic():
        upload = MonthlyUpload.objects.select_for_update(of=("self",)).select_related("uploaded_by").get(pk=upload_id)
        if upload.status not in ACTIVE_UPLOAD_STATES:
            return upload
        report = MonthlyReport.objects.select_for_update(of=("self",)).select_related("street").get(pk=upload.report_id)
        refusal = _upload_refusal(report, upload)
        if refusal:
            _finish_upload(upload, UploadStatus.FAILED, refusal)
            return upload
        try:
            with default_storage.open(upload.path, "rb") as kept:
                rows = read_monthly_workbook(kept.read(), street=report.street, period=report.period)
        except FileNotFoundError:
            _finish_upload(upload, UploadStatus.FAILED, _("上传的文件已不存在，请重新上传"))
            return upload
        except ExcelLayoutError as exc:
            _finish_upload(upload, UploadStatus.FAILED, exc.message)
            return upload
        plan = monthly_records_plan(street=report.street, period=report.period, rows=rows)
        if not plan.ok:
            _finish_upload(upload, UploadStatus.FAILED, _("数据已变化，校验未通过（%(count)s 处错误），请重新上传") % {
                "count": len(plan.errors)})
            return upload
        MonthlyReport.objects.filter(pk=report.pk).update(version=F("version") + 1, updated_at=timezone.now())
        changes, actor, source = plan.changed, upload.uploaded_by, _("Excel导入")
        _apply(report, changes, actor, source)
        kinds = Counter(change.kind for change in changes)
        upload.records_created, upload.records_updated, upload.records_deleted = (
            kinds["create"], kinds["update"], kinds["delete"])
        _finish_upload(upload, UploadStatus.DONE)
        if changes:
            _notify_data_changed(report, changes)
    return upload


def monthly_upload_give_up(*, upload_id: int, message: str) -> None:
    """Fail an upload that could not be applied (the task ran out of retries); frees its report."""
    with transaction.atomic():
        upload = MonthlyUpload.objects.select_for_update().filter(pk=upload_id, status__in=ACTIVE_UPLOAD_STATES).first()
        if upload is not None:
            _finish_upload(upload, UploadStatus.FAILED, message)


def monthly_uploads_release_stuck(*, now: datetime.datetime | None = None) -> int:
    """Re-run or fail the imports whose worker died: started MONTHLY_UPLOAD_STUCK_AFTER_SECONDS ago
    and not held by a live transaction. Returns how many it released.

    A live import holds its upload's row lock until it commits, so a row this can lock (skipping
    locked ones) belongs to an import that is over: the transaction of a killed worker or web process
    rolled back with it. The import is all-or-nothing, so it is queued again, up to
    MONTHLY_UPLOAD_MAX_ATTEMPTS starts in all; an upload that kept killing its worker is failed.
    (SQLite has no row locks; there one process runs imports in-process, well within the minutes.)
    """
    from . import tasks  # tasks call services: imported here, not at module level

    cutoff = (now or timezone.now()) - datetime.timedelta(seconds=settings.MONTHLY_UPLOAD_STUCK_AFTER_SECONDS)
    released = 0
    with transaction.atomic():
        for upload in MonthlyUpload.objects.select_for_update(skip_locked=True).filter(
                status=UploadStatus.APPLYING, started_at__lt=cutoff):
            released += 1
            if upload.attempts >= settings.MONTHLY_UPLOAD_MAX_ATTEMPTS:
                _finish_upload(upload, UploadStatus.FAILED, _("导入多次中断未能完成，请重新上传；如再次失败请联系管理员"))
                continue
            upload.status, upload.queued_at = UploadStatus.QUEUED, timezone.now()
            upload.save(update_fields=["status", "queued_at"])
            send_after_commit(tasks.apply_monthly_upload, upload.pk, on_failure=partial(
                monthly_upload_give_up, upload_id=upload.pk, message=_("导入中断，任务队列暂时不可用，请稍后重新上传")))
    return released


def _delete_uploads(uploads) -> int:
    paths = list(uploads.values_list("path", flat=True))
    count, _deleted = uploads.delete()
    for path in paths:
        transaction.on_commit(partial(default_storage.delete, path))
    return count


def monthly_uploads_clean_up(*, now: datetime.datetime | None = None) -> int:
    """Delete previews left unconfirmed for a day (with their files); fail imports no worker
    finished in a day, so their reports can be edited again. Returns how many uploads it touched."""
    cutoff = (now or timezone.now()) - ABANDONED_UPLOAD_AGE
    with transaction.atomic():
        abandoned = _delete_uploads(MonthlyUpload.objects.filter(status=UploadStatus.PREVIEW, created_at__lt=cutoff))
        stuck = 0
        for upload in MonthlyUpload.objects.select_for_update(skip_locked=True).filter(
                status__in=ACTIVE_UPLOAD_STATES, queued_at__lt=cutoff):
            _finish_upload(upload, UploadStatus.FAILED, _("导入超过一天仍未完成，已取消，请重新上传"))
            stuck += 1
    return abandoned + stuck
