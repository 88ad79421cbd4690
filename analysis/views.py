"""Pages of the analysis app. Thin: the scope decides who may see, the bulletin module builds every
figure, the services write."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.scope import AreaScope
from districts.models import City
from metrics.dashboard import selectors as dashboard
from metrics.dashboard.periods import MONTH
from quanzhou_pm.db_router import allow_replica_reads
from reporting.periods import parse_period

from . import services
from .bulletin import bulletin_content
from .models import Bulletin

FILE_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _bulletin_reader(request) -> AreaScope:
    """City and district staff read the bulletin (the bureau sends it to the districts)."""
    scope = AreaScope.for_user(request.user)
    if not (scope.city_wide or (scope.district_id and not scope.street_id)):
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
    context = {"period": period, "can_generate": scope.city_wide}
    city = City.objects.order_by("code").first()
    if city is None or period.choice is None or period.not_due or period.choice.kind != MONTH:
        return render(request, "analysis/bulletin.html", context)
    context["content"] = bulletin_content(city, period.choice.first)
    context["bulletins"] = list(Bulletin.objects.filter(period=period.choice.first)
                                .select_related("requested_by")[:10])
    return render(request, "analysis/bulletin.html", context)


@login_required
@require_POST
def bulletin_generate(request):
    if not _bulletin_reader(request).city_wide:
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
