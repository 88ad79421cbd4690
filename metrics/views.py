from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Prefetch
from django.utils.decorators import method_decorator
from django.views.generic import ListView

from quanzhou_pm.db_router import allow_replica_reads

from .models import Indicator, Target


@method_decorator(allow_replica_reads, name="dispatch")
class IndicatorDefinitionsView(LoginRequiredMixin, ListView):
    """Every indicator's meaning, formula and city-wide targets, as staff read them."""

    template_name = "metrics/definitions.html"
    context_object_name = "indicators"

    def get_queryset(self):
        return Indicator.objects.prefetch_related(
            Prefetch("targets", queryset=Target.objects.filter(area_level="").order_by("deadline")))
