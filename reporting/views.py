"""Monthly report pages. Thin: scope decides what is visible (404) and the services what is allowed (403)."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import Role
from accounts.scope import AreaScope
from common.numbers import NumberError, parse_integer
from districts.models import Street

from . import review, selectors, services
from .excel import ExcelLayoutError, monthly_template
from .forms import ReasonForm, UploadForm, grid_display, grid_messages, grid_rows_from_post
from .models import ReportState, UploadStatus
from .periods import add_months, current_reporting_period, format_period, is_future
from .preview import SHOWN_ERRORS, preview_of
from .permissions import may_close, may_edit, may_review, may_submit
from .validation import FIELDS

GRID_PAGE_SIZE = 40  # 40 compounds × 19 fields stays under Django's 1,000 posted fields.
FIGURES_PAGE_SIZE = 50
UPLOAD_STATUS_REFRESH_SECONDS = 3


def _street_or_404(request, street_code: str) -> Street:
    visible = AreaScope.for_user(request.user).filter(Street.objects.select_related("district"))
    return get_object_or_404(visible, code=street_code)


def _report_or_404(street, period):
    report = selectors.monthly_report_for(street=street, period=period)
    if report is None:
        raise Http404
    return report


def _posted_version(request) -> int:
    """The report version the posted page was rendered from; -1 (never current) when missing or garbled."""
    try:
        return parse_integer(request.POST.get("version", ""))
    except NumberError:
        return -1


def _posted_page(request, current: int) -> int:
    """The page the pager asked for with the save, else the page saved."""
    try:
        return parse_integer(request.POST.get("goto", ""))
    except NumberError:
        return current


def _report_url(street, period):
    return redirect("reporting:report", street_code=street.code, period=period)


@login_required
def home(request):
    """Street officers land on the month being reported; reviewers on their queue."""
    if request.user.role == Role.STREET_OFFICER and request.user.street_id:
        return redirect("reporting:report", street_code=request.user.street.code, period=current_reporting_period())
    return redirect("reporting:review_queue")


@login_required
def report_detail(request, street_code, period):
    street = _street_or_404(request, street_code)
    report = selectors.monthly_report_for(street=street, period=period)
    scope = AreaScope.for_user(request.user)
    state = report.state if report else ReportState.DRAFT
    may_change = scope.can_change_street(street.pk)
    importing = selectors.active_upload(report=report) if report and may_change else None
    editable = not is_future(period) and state == ReportState.DRAFT and may_change and importing is None
    missing = selectors.missing_compounds(street=street, period=period)
    figures = selectors.monthly_grid_page(street=street, period=period, number=request.GET.get("page"),
                                          per_page=FIGURES_PAGE_SIZE)
    context = {
        "street": street, "period": period, "report": report, "state_label": ReportState(state).label,
        "missing": missing[:50], "missing_count": missing.count(),
        "flagged": selectors.flagged_records(street=street, period=period),
        "fields": FIELDS, "figures": figures, "figures_rows": review.figures_rows(figures.object_list),
        "totals": review.totals_cells(selectors.monthly_totals(street=street, period=period), period=period,
                                      previous_period=add_months(period, -1)),
        "transitions": selectors.report_transitions(report=report) if report else [],
        "recent": selectors.street_recent_reports(street=street),
        "previous_period": add_months(period, -1),
        "next_period": None if is_future(add_months(period, 1)) else add_months(period, 1),
        "importing": importing,
        "can_edit": editable,
        "can_submit": editable and report is not None,
        "can_withdraw": report is not None and state == ReportState.SUBMITTED and may_submit(request.user, report),
        "can_review": report is not None and state == ReportState.SUBMITTED and may_review(request.user, report),
        "can_lock": report is not None and state == ReportState.APPROVED and may_close(request.user),
        "can_reopen": (report is not None and state in (ReportState.APPROVED, ReportState.LOCKED)
                       and may_close(request.user)),
        "reason_form": ReasonForm(),
    }
    return render(request, "reporting/report_detail.html", context)


@login_required
def report_grid(request, street_code, period):
    street = _street_or_404(request, street_code)
    scope = AreaScope.for_user(request.user)
    if not scope.can_change_street(street.pk):
        raise PermissionDenied
    try:
        report = services.monthly_report_get_or_create(street=street, period=period)
    except services.ReportingError as exc:
        messages.error(request, exc.message)
        return _report_url(street, period)
    page = selectors.monthly_grid_page(street=street, period=period, number=request.GET.get("page"),
                                       per_page=GRID_PAGE_SIZE)
    data, errors, version = None, None, report.version
    if request.method == "POST":
        version = _posted_version(request)
        try:
            plan = services.monthly_records_save(report=report, rows=grid_rows_from_post(page.object_list, request.POST),
                                                 actor=request.user, expected_version=version, source=_("网格填报"))
        except services.ReportPermissionError as exc:
            raise PermissionDenied(exc.message) from exc
        except services.ReportingError as exc:
            messages.error(request, exc.message)
            data = request.POST
        else:
            if plan.ok:
                flagged = sum(1 for change in plan.changed if change.flags)
                if plan.changed or "goto" not in request.POST:
                    messages.success(request, _("已保存 %(count)s 个小区的数据。") % {"count": len(plan.changed)} + (
                        _("其中 %(flagged)s 个小区有异常提示，请核实并在黄色单元格下方填写说明。") % {"flagged": flagged}
                        if flagged else ""))
                # Paging posts the page first (the pager's buttons are the form's), so nothing typed is lost.
                return redirect(f"{request.path}?page={_posted_page(request, page.number)}")
            data, errors = request.POST, plan.validation.errors_by_cell()
            messages.error(request, _("有 %(count)s 处错误，本次未保存任何数据；请修改标红的单元格后再保存。") % {"count": len(plan.errors)})
    editable = report.state == ReportState.DRAFT
    context = {
        "street": street, "period": period, "report": report, "page": page, "fields": FIELDS, "version": version,
        "rows": grid_display(page.object_list, editable=editable, data=data, errors=errors),
        "editable": editable, "messages_for_grid": grid_messages(),
    }
    return render(request, "reporting/grid.html", context, status=400 if errors else 200)


@login_required
def submit_check(request, street_code, period):
    """Before submitting: what the report leaves out (compounds without data, flagged values without an
    explanation), and the confirmation, which submits the version checked here."""
    street = _street_or_404(request, street_code)
    report = _report_or_404(street, period)
    if not may_submit(request.user, report):
        raise PermissionDenied
    if report.state != ReportState.DRAFT:
        messages.error(request, _("月报当前为“%(state)s”状态，不能上报") % {"state": ReportState(report.state).label})
        return _report_url(street, period)
    return render(request, "reporting/submit_check.html", {
        "street": street, "period": period, "report": report,
        "check": selectors.report_completeness(street=street, period=period),
    })


# action: (service, needs a reason, checks the version the page showed, message when done)
ACTIONS = {
    "submit": (services.monthly_report_submit, False, True, _("月报已上报，等待区县审核。")),
    "withdraw": (services.monthly_report_withdraw, False, False, _("月报已撤回，修改后可重新上报。")),
    "approve": (services.monthly_report_approve, False, True, _("月报已审核通过。")),
    "return": (services.monthly_report_return_to_draft, True, True, _("月报已退回街道修改。")),
    "lock": (services.monthly_report_lock, False, False, _("月报已锁定。")),
    "reopen": (services.monthly_report_reopen, True, False, _("月报已重新打开，退回草稿。")),
}


@login_required
@require_POST
def report_action(request, street_code, period, action):
    if action not in ACTIONS:
        raise Http404
    street = _street_or_404(request, street_code)
    report = _report_or_404(street, period)
    service, needs_reason, reviewed, done = ACTIONS[action]
    kwargs = {"report": report, "actor": request.user}
    if needs_reason:
        kwargs["reason"] = request.POST.get("reason", "")
    if reviewed:
        # A review (or a submission) decides on what was seen: the page posts the version it rendered.
        kwargs["expected_version"] = _posted_version(request)
    try:
        service(**kwargs)
    except services.ReportPermissionError as exc:
        raise PermissionDenied(exc.message) from exc
    except services.ReportingError as exc:
        # Back to the report as it is now: a reviewer refused for a stale version reviews it again there.
        messages.error(request, exc.message)
        return _report_url(street, period)
    messages.success(request, done)
    if action in ("approve", "return") and AreaScope.for_user(request.user).district_id:
        return redirect("reporting:review_queue")
    return _report_url(street, period)


def _require_reviewer_page(request) -> None:
    scope = AreaScope.for_user(request.user)
    if not (scope.city_wide or (scope.district_id and not scope.street_id)):
        raise PermissionDenied


@login_required
def review_queue(request):
    _require_reviewer_page(request)
    scope = AreaScope.for_user(request.user)
    context = {
        "submitted": selectors.review_queue(user=request.user),
        "approved": selectors.review_queue(user=request.user, states=(ReportState.APPROVED,)) if scope.city_wide else [],
    }
    return render(request, "reporting/review_queue.html", context)


@login_required
@require_POST
def review_approve_selected(request):
    """Approve the reports ticked in the queue, each at the version the queue showed."""
    _require_reviewer_page(request)
    versions = {}
    for value in request.POST.getlist("report"):
        try:
            report_id = parse_integer(value)
            versions[report_id] = parse_integer(request.POST.get(f"version_{report_id}", ""))
        except NumberError:
            continue
    if not versions:
        messages.error(request, _("请先勾选要审核通过的月报"))
        return redirect("reporting:review_queue")
    outcome = services.monthly_reports_approve(actor=request.user, versions=versions)
    if outcome.approved:
        messages.success(request, _("已审核通过 %(count)s 份月报。") % {"count": len(outcome.approved)})
    for report, reason in outcome.refused:
        messages.error(request, _("%(report)s：%(reason)s") % {"report": report, "reason": reason})
    return redirect("reporting:review_queue")


@login_required
def report_history(request, street_code, period):
    street = _street_or_404(request, street_code)
    report = _report_or_404(street, period)
    page = Paginator(selectors.monthly_report_history(report=report), 100).get_page(request.GET.get("page"))
    return render(request, "reporting/history.html", {"street": street, "period": period, "report": report, "page": page})


@login_required
def template_download(request, street_code, period):
    street = _street_or_404(request, street_code)
    response = HttpResponse(monthly_template(street=street, period=period),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = content_disposition_header(
        True, f"月报模板_{street.code}_{format_period(period)}.xlsx")
    return response


def _editable_report_or_403(request, street, period):
    if not AreaScope.for_user(request.user).can_change_street(street.pk):
        raise PermissionDenied
    report = services.monthly_report_get_or_create(street=street, period=period)
    if report.state != ReportState.DRAFT:
        raise services.ReportingError(_("月报当前为“%(state)s”状态，不能导入") % {"state": ReportState(report.state).label})
    return report


@login_required
def upload(request, street_code, period):
    """Step 1: upload → preview of every change (or of every error). Nothing is saved here."""
    street = _street_or_404(request, street_code)
    try:
        report = _editable_report_or_403(request, street, period)
    except services.ReportingError as exc:
        messages.error(request, exc.message)
        return _report_url(street, period)
    importing = selectors.active_upload(report=report)
    if importing is not None:
        messages.info(request, services.UploadInProgressError().message)
        return redirect("reporting:upload_status", street_code=street.code, period=period, upload_id=importing.pk)
    form = UploadForm(request.POST or None, request.FILES or None)
    context = {"street": street, "period": period, "report": report, "form": form}
    if request.method == "POST" and not form.is_valid():
        return render(request, "reporting/upload.html", context, status=400)
    if request.method == "POST":
        file = form.cleaned_data["file"]
        try:
            plan, pending = services.monthly_upload_preview(report=report, actor=request.user, content=file.read(),
                                                            file_name=file.name)
        except services.ReportPermissionError as exc:
            raise PermissionDenied(exc.message) from exc
        except ExcelLayoutError as exc:
            form.add_error("file", exc.message)
            return render(request, "reporting/upload.html", context, status=400)
        context.update(plan=plan, errors_shown=plan.errors[:SHOWN_ERRORS])
        if not plan.ok:
            return render(request, "reporting/upload.html", context, status=400)
        context.update(changes=plan.changed, pending=pending, preview=preview_of(plan))
    return render(request, "reporting/upload.html", context)


@login_required
@require_POST
def upload_confirm(request, street_code, period):
    """Step 2: apply the kept file, all or nothing, if the report is unchanged since the preview.

    With a broker a worker applies it and the officer follows it on the upload's page; without
    one (development) it is applied before this returns.
    """
    street = _street_or_404(request, street_code)
    pending = selectors.upload_for_confirmation(upload_id=request.POST.get("upload", ""), street=street,
                                                period=period, user=request.user)
    if pending is None:
        messages.error(request, _("没有待确认的上传，请重新上传文件"))
        return redirect("reporting:upload", street_code=street.code, period=period)
    try:
        pending = services.monthly_upload_queue(upload=pending, actor=request.user)
    except services.ReportPermissionError as exc:
        raise PermissionDenied(exc.message) from exc
    if pending.status == UploadStatus.DONE:
        messages.success(request, _("已导入 %(count)s 个小区的数据。") % {"count": pending.records_changed})
        return _report_url(street, period)
    if pending.status == UploadStatus.FAILED:
        messages.error(request, pending.message)
        return redirect("reporting:upload", street_code=street.code, period=period)
    return redirect("reporting:upload_status", street_code=street.code, period=period, upload_id=pending.pk)


@login_required
def upload_status(request, street_code, period, upload_id):
    """Where an officer follows a confirmed upload: in progress (the page refreshes itself), done or failed."""
    street = _street_or_404(request, street_code)
    report = _report_or_404(street, period)
    if not may_edit(request.user, report):
        raise PermissionDenied
    pending = get_object_or_404(report.uploads.select_related("uploaded_by"), pk=upload_id)
    return render(request, "reporting/upload_status.html", {
        "street": street, "period": period, "report": report, "upload": pending,
        "refresh_seconds": UPLOAD_STATUS_REFRESH_SECONDS if pending.is_active else None,
    })
