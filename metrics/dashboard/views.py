"""Dashboard pages. Thin: the user's area scope decides what is visible (404 otherwise), the
selectors build every figure and table, and `?export=<table>&format=xlsx|csv` downloads a table.
They only read published figures, so they may read from a replica (quanzhou_pm.db_router).
"""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import EmptyPage
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.scope import AreaScope
from communities.models import Community, Compound
from districts.models import AreaLevel, District, Street
from districts.selectors import top_area
from quanzhou_pm.db_router import allow_replica_reads
from reporting.periods import current_reporting_period

from . import exports, selectors
from .selectors import with_params

# The levels a laggards list can be drawn at: never wider than the user's own area.
def _laggard_levels(scope: AreaScope) -> list[str]:
    if scope.city_wide:
        return [AreaLevel.STREET, AreaLevel.DISTRICT, AreaLevel.COMMUNITY]
    if scope.street_id:
        return [AreaLevel.COMMUNITY]
    return [AreaLevel.STREET, AreaLevel.COMMUNITY]


def _scope_area_name(user, scope: AreaScope) -> str:
    if scope.city_wide:
        city = top_area()
        return city.name if city else ""
    return (user.street or user.district).name


def _period(request) -> selectors.PeriodContext:
    return selectors.period_context(request.GET.get("period"), run_from=request.GET.get("period_from"),
                                    run_to=request.GET.get("period_to"))


def _respond(request, template: str, context: dict, tables: list, filename_stem: str, *, area: str, period: str):
    """Render the page, or download one of its tables when asked to (an .xlsx headed by the table's
    title, the area and the period)."""
    params = request.GET.dict()
    key, fmt = params.get("export"), params.get("format", exports.XLSX)
    if key:
        table = next((t for t in tables if t.key == key), None)
        if table is None or fmt not in exports.FORMATS:
            raise Http404
        return exports.table_response(table, fmt, f"{filename_stem}-{table.key}",
                                      exports.heading(table.title, area=area, period=period))
    for table in tables:
        table.export_urls = {fmt: with_params(params, export=table.key, format=fmt) for fmt in exports.FORMATS}
    return render(request, template, context)


def _area_view(request, area):
    period = _period(request)
    context = {"area": area, "level": area.level, "period": period,
               "breadcrumb": selectors.breadcrumb(area), "params": request.GET.dict()}
    # The work that brings each role here: this month's report for a street, the review queue for a district.
    if area.level == AreaLevel.STREET:
        context["report_period"] = current_reporting_period()
    if area.level == AreaLevel.DISTRICT:
        context["review_link"] = AreaScope.for_user(request.user).can_review_street(area.pk)
    if period.choice is None or period.not_due:
        return render(request, "metrics/dashboard/area.html", context)
    order = request.GET.get("order")
    page = selectors.area_page(area, period.choice, indicator_code=request.GET.get("indicator"),
                               descending={"asc": False, "desc": True}.get(order), params=request.GET.dict())
    context["page"] = page
    return _respond(request, "metrics/dashboard/area.html", context, page.tables,
                    f"{area.code}-{period.choice.param}", area=area.name, period=period.choice.label)


@login_required
@allow_replica_reads
def overview(request):
    """City staff see the city; everyone else is taken to their own area."""
    scope = AreaScope.for_user(request.user)
    if scope.city_wide:
        city = top_area()
        if city is None:
            raise Http404
        return _area_view(request, city)
    if scope.street_id:
        return redirect("dashboard:street", code=request.user.street.code)
    if scope.district_id:
        return redirect("dashboard:district", code=request.user.district.code)
    raise Http404


@login_required
@allow_replica_reads
def district(request, code):
    area = get_object_or_404(District.objects.select_related("city"), code=code)
    if not AreaScope.for_user(request.user).can_see_district(area.pk):
        raise Http404
    return _area_view(request, area)


@login_required
@allow_replica_reads
def street(request, code):
    visible = AreaScope.for_user(request.user).filter(Street.objects.select_related("district__city"))
    return _area_view(request, get_object_or_404(visible, code=code))


@login_required
@allow_replica_reads
def community(request, code):
    visible = AreaScope.for_user(request.user).filter(Community.objects.select_related("street__district__city"))
    return _area_view(request, get_object_or_404(visible, code=code))


@login_required
@allow_replica_reads
def compound(request, code):
    visible = AreaScope.for_user(request.user).filter(
        Compound.objects.select_related("community__street__district__city"))
    compound = get_object_or_404(visible, code=code)
    page = selectors.compound_page(compound, personal_data=AreaScope.for_user(request.user).sees_personal_data(
        compound.community.parent_id))
    context = {"compound": compound, "page": page, "params": request.GET.dict(),
               "breadcrumb": selectors.breadcrumb(compound.community, last_linked=True)}
    return _respond(request, "metrics/dashboard/compound.html", context, page.tables, compound.code,
                    area=f"{compound.community.parent.name} {compound.name}",
                    period=_("截至 %(day)s") % {"day": f"{timezone.localdate():%Y-%m-%d}"})


@login_required
@allow_replica_reads
def laggards(request):
    scope = AreaScope.for_user(request.user)
    if scope.sees_nothing:
        raise Http404
    levels = _laggard_levels(scope)
    level = request.GET.get("level") if request.GET.get("level") in levels else levels[0]
    period = _period(request)
    context = {"period": period, "levels": [(value, AreaLevel(value).label) for value in levels], "level": level,
               "params": request.GET.dict()}
    if period.choice is None or period.not_due:
        return render(request, "metrics/dashboard/laggards.html", context)
    # The codes the user may see, as a subquery of the laggards' query.
    visible = None if scope.city_wide else scope.filter(selectors.LEVEL_MODELS[level].objects.all()).values("code")
    try:
        page = selectors.laggards_page(level, visible, period.choice, params=request.GET.dict())
    except EmptyPage:
        raise Http404 from None
    context["page"], context["forecast_rule"] = page, selectors.forecast_rule()
    return _respond(request, "metrics/dashboard/laggards.html", context, page.tables,
                    f"laggards-{level}-{period.choice.param}", area=_scope_area_name(request.user, scope),
                    period=period.choice.label)
