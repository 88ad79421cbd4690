"""City staff's targets page: the campaign's targets listed, one added, edited or deleted through
metrics.services. AreaScope.can_set_targets decides who may use it, for every method."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.scope import scope_for
from communities.views import saved
from districts.selectors import area_names

from .forms import TargetForm, target_fields
from .models import Target
from .services import target_create, target_delete, target_update


def _refuse_unless_allowed(request) -> None:
    if not scope_for(request.user).can_set_targets:
        raise PermissionDenied


def _page(request, form, editing: Target | None = None):
    targets = list(Target.objects.select_related("indicator").order_by("indicator__display_order", "area_level",
                                                                       "area_code", "deadline"))
    names = area_names((target.area_level, target.area_code) for target in targets if target.area_level)
    for target in targets:
        target.area_name = names.get((target.area_level, target.area_code)) if target.area_level else _("全市")
    return render(request, "metrics/targets.html", {"targets": targets, "form": form, "editing": editing})


@login_required
@require_http_methods(["GET", "POST"])
def targets(request):
    _refuse_unless_allowed(request)
    form = TargetForm(request.POST or None)
    if request.method == "POST" and saved(request, form, lambda data: target_create(**target_fields(data)),
                                          _("已添加目标。")):
        return redirect("metrics:targets")
    return _page(request, form)


@login_required
@require_http_methods(["GET", "POST"])
def target_edit(request, pk: int):
    _refuse_unless_allowed(request)
    target = get_object_or_404(Target, pk=pk)
    form = TargetForm(request.POST or None, target=target)
    if request.method == "POST" and saved(
            request, form, lambda data: target_update(target=target, **target_fields(data)), _("已修改目标。")):
        return redirect("metrics:targets")
    return _page(request, form, editing=target)


@login_required
@require_POST
def target_remove(request, pk: int):
    _refuse_unless_allowed(request)
    target_delete(target=get_object_or_404(Target, pk=pk))
    messages.success(request, _("已删除目标。"))
    return redirect("metrics:targets")
