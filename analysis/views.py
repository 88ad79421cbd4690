"""Pages of the analysis app. Thin: the scope decides who may see, the bulletin module builds every
figure, the services write."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.scope import AreaScope
from districts.selectors import area_by_code, top_area
from metrics.dashboard import exports
from metrics.dashboard import selectors as dashboard
from metrics.dashboard.periods import MONTH
from metrics.models import Indicator
from quanzhou_pm.db_router import allow_replica_reads
from reporting.periods import parse_period

from . import services
from .bulletin import bulletin_content
from .forms import PivotForm, area_choices, default_params, home_area
from .models import Bulletin, SavedPivot
from .pivot import build_pivot
from .selectors import pivot_values

FILE_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _bulletin_reader(request) -> AreaScope:
    """City and district staff read the bulletin (the bureau sends it to the districts)."""
    scope = AreaScope.for_user(request.user)
    if not scope.can_read_bulletins:
        raise Http404
    return scope


def _month_param(text: str | None) -> str | None:
    try:
        return f"{parse_period(text):%Y-%m}" if text else None
    except ValueError:
        return None


@login_required
@allow_replica_reads
def bulletin(request):
    scope = _bulletin_reader(request)
    period = dashboard.period_context(_month_param(request.GET.get("period")))
    period.options = [group for group in period.options[:1]]  # months only: a bulletin is monthly
    context = {"period": period, "can_generate": scope.can_issue_bulletins}
    city = top_area()
    if city is None or period.choice is None or period.not_due or period.choice.kind != MONTH:
        return render(request, "analysis/bulletin.html", context)
    context["content"] = bulletin_content(city, period.choice.first)
    context["bulletins"] = list(Bulletin.objects.filter(period=period.choice.first)
                                .select_related("requested_by")[:10])
    return render(request, "analysis/bulletin.html", context)


@login_required
@require_POST
def bulletin_generate(request):
    if not _bulletin_reader(request).can_issue_bulletins:
        raise PermissionDenied
    month = _month_param(request.POST.get("period"))
    if month is None:
        messages.error(request, _("请选择要生成通报的月份。"))
        return redirect("analysis:bulletin")
    try:
        services.bulletin_request(period=parse_period(month), user=request.user)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, _("已开始生成通报文件，完成后刷新本页即可下载。"))
    return redirect(f"{reverse('analysis:bulletin')}?{urlencode({'period': month})}")


@login_required
def bulletin_file(request, pk: int, kind: str):
    _bulletin_reader(request)
    if kind not in FILE_TYPES:
        raise Http404
    bulletin = get_object_or_404(Bulletin, pk=pk, status=Bulletin.Status.DONE)
    stored = getattr(bulletin, kind)
    if not stored:
        raise Http404
    response = FileResponse(stored.open("rb"), content_type=FILE_TYPES[kind])
    response["Content-Disposition"] = content_disposition_header(True, stored.name.rsplit("/", 1)[-1])
    return response


# --- Pivot tables (数据透视) ---------------------------------------------------------------------


def _pivot_user(request) -> AreaScope:
    """Staff with an area (city, district, street) build pivots over it; others have nothing to pivot."""
    scope = AreaScope.for_user(request.user)
    if scope.sees_nothing:
        raise Http404
    return scope


def _pivot_form(request, scope: AreaScope, params) -> PivotForm:
    periods = dashboard.published_periods()
    return PivotForm(params, user=request.user, scope=scope, indicators=list(Indicator.objects.all()),
                     latest=periods[0] if periods else None)


def _pivot_params(request, scope: AreaScope):
    """The selection asked for in the link. A link that names only part of one (a dashboard's: its
    area and indicator) gets the rest from the page's default for that area; the form sends it whole."""
    if "kind" in request.GET:
        return request.GET
    periods = dashboard.published_periods()
    start = area_by_code(request.GET["area"]) if request.GET.get("area") else None
    start = start or home_area(scope)
    if not periods or start is None:
        return None
    params = default_params(start, periods[0], dashboard.DEFAULT_INDICATOR)
    for key in request.GET:
        params[key] = request.GET.getlist(key) if key == "indicator" else request.GET[key]
    return params


def _pivot_response(request, scope: AreaScope, params, *, saved: SavedPivot | None = None):
    """The pivot page for `params` (validated again, in the viewer's scope), or its download."""
    context = {"saved": saved, "my_saved": SavedPivot.objects.filter(owner=request.user).only("pk", "name"),
               "area_choices": area_choices(home_area(scope), scope)}
    form = None if params is None else _pivot_form(request, scope, params)
    context["form"] = form
    if form is None or not form.is_valid():
        return render(request, "analysis/pivot.html", context)
    selection = form.selection()
    values = pivot_values(areas=selection.areas, periods=selection.periods, indicators=selection.indicators,
                          every_area_of_level=scope.city_wide and selection.area.parent_id is None)
    params = selection.params()
    pivot = build_pivot(selection, values, page_params=params, page_url=reverse("analysis:pivot"))
    fmt = request.GET.get("format")
    if fmt:
        return _pivot_download(pivot, fmt)
    query = urlencode(params, doseq=True)
    pivot.table.export_urls = {fmt: f"{reverse('analysis:pivot')}?{query}&format={fmt}" for fmt in exports.FORMATS}
    context |= {"pivot": pivot, "params": params, "query": query}
    return render(request, "analysis/pivot.html", context)


def _pivot_download(pivot, fmt: str) -> HttpResponse:
    if fmt not in exports.FORMATS:
        raise Http404
    selection = pivot.selection
    heading = exports.heading(selection.title, area=selection.area_text, period=selection.period_text)
    heading[3:3] = pivot.heading[3:]  # the filters, after the period
    stem = f"数据透视-{selection.area.code}-{selection.first:%Y%m}-{selection.last:%Y%m}"
    if fmt == exports.XLSX:
        content = exports.tables_xlsx([pivot.table, pivot.detail()], heading)
    else:
        content = exports.table_csv(pivot.table)
    response = HttpResponse(content, content_type=exports.FORMATS[fmt])
    response["Content-Disposition"] = content_disposition_header(True, f"{stem}.{fmt}")
    return response


@login_required
@require_GET
@allow_replica_reads
def pivot(request):
    scope = _pivot_user(request)
    return _pivot_response(request, scope, _pivot_params(request, scope))


def _posted_selection(request, scope: AreaScope):
    """The selection posted with a save, validated as the page validates it; None (with the errors
    as messages) when it does not validate."""
    form = _pivot_form(request, scope, request.POST)
    if not form.is_valid():
        for line in form.error_lines():
            messages.error(request, line)
        return None
    return form.selection()


def _saved_link(saved: SavedPivot):
    return redirect("analysis:saved_pivot", pk=saved.pk)


@login_required
@require_POST
def pivot_save(request):
    scope = _pivot_user(request)
    selection = _posted_selection(request, scope)
    if selection is None:
        return redirect("analysis:pivot")
    try:
        saved = services.saved_pivot_create(owner=request.user, name=request.POST.get("name", ""),
                                            params=selection.params())
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, _("名称：%(message)s") % {"message": message})
        return redirect(f"{reverse('analysis:pivot')}?{urlencode(selection.params(), doseq=True)}")
    messages.success(request, _("已保存为“%(name)s”，可将本页链接分享给同事。") % {"name": saved.name})
    return _saved_link(saved)


@login_required
@require_http_methods(["GET", "POST"])
def saved_pivot(request, pk: int):
    """A saved pivot's link: anyone with a portal area opens it, over their own scope; its owner
    renames it or replaces its selection with the one posted."""
    scope = _pivot_user(request)
    saved = get_object_or_404(SavedPivot.objects.select_related("owner"), pk=pk)
    if request.method == "GET":
        return _pivot_response(request, scope, _as_query(saved.params), saved=saved)
    if saved.owner_id != request.user.pk:
        raise PermissionDenied
    selection = _posted_selection(request, scope)
    if selection is not None:
        try:
            services.saved_pivot_update(saved=saved, user=request.user, name=request.POST.get("name", saved.name),
                                        params=selection.params())
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, _("名称：%(message)s") % {"message": message})
        else:
            messages.success(request, _("已更新“%(name)s”。") % {"name": saved.name})
    return _saved_link(saved)


def _as_query(params) -> dict:
    """A saved selection as a form reads it; whatever was stored, only strings and lists of strings."""
    if not isinstance(params, dict):
        return {}
    return {str(key): [str(v) for v in value] if isinstance(value, list) else str(value)
            for key, value in params.items()}


@login_required
@require_POST
def saved_pivot_delete(request, pk: int):
    _pivot_user(request)
    saved = get_object_or_404(SavedPivot, pk=pk)
    services.saved_pivot_delete(saved=saved, user=request.user)
    messages.success(request, _("已删除“%(name)s”。") % {"name": saved.name})
    return redirect("analysis:pivot")
