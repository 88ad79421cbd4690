from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from common.admin import PersonalFieldsAdminMixin
from common.forms import NUMBER_FORMFIELD_OVERRIDES

from .models import Indicator, IndicatorValue, RecomputeJob, StaleStreetMonth, Target
from .services import recompute_job_start


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0
    formfield_overrides = NUMBER_FORMFIELD_OVERRIDES
    fields = ["area_level", "area_code", "comparison", "threshold", "deadline", "note"]


@admin.register(Indicator)
class IndicatorAdmin(PersonalFieldsAdminMixin, admin.ModelAdmin):
    formfield_overrides = NUMBER_FORMFIELD_OVERRIDES
    list_display = ["display_order", "code", "name", "is_core", "direction", "unit"]
    list_display_links = ["code", "name"]
    list_filter = ["is_core", "direction", "unit"]
    search_fields = ["code", "name"]
    # Definitions are part of the engine (the formulas must match the code); staff read them here.
    readonly_fields = ["code", "name", "is_core", "direction", "unit", "numerator_description",
                       "denominator_description", "formula"]
    fields = readonly_fields + ["display_order"]
    inlines = [TargetInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Target)
class TargetAdmin(PersonalFieldsAdminMixin, admin.ModelAdmin):
    formfield_overrides = NUMBER_FORMFIELD_OVERRIDES
    list_display = ["indicator", "comparison", "threshold", "deadline", "area_level", "area_code", "note"]
    list_filter = ["indicator", "deadline"]
    search_fields = ["indicator__name", "area_code"]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(PersonalFieldsAdminMixin, admin.ModelAdmin):
    list_display = ["period", "area_level", "area_code", "indicator", "value", "numerator", "denominator",
                    "provisional", "computed_at"]
    list_filter = ["area_level", "indicator", "provisional", "period"]
    search_fields = ["area_code"]
    list_select_related = ["indicator"]
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(StaleStreetMonth)
class StaleStreetMonthAdmin(PersonalFieldsAdminMixin, admin.ModelAdmin):
    list_display = ["street", "period", "compound", "marked_at"]
    list_select_related = ["street", "compound"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(RecomputeJob)
class RecomputeJobAdmin(PersonalFieldsAdminMixin, admin.ModelAdmin):
    """Staff start a full recompute by adding a job; the list shows its progress."""

    list_display = ["pk", "period_from", "period_to", "status", "progress", "created_by", "started_at",
                    "finished_at"]
    list_filter = ["status"]
    fields = ["period_from", "period_to", "include_submitted"]
    readonly_fields = ["status", "total", "done", "created_by", "started_at", "finished_at", "error"]

    @admin.display(description=_("进度"))
    def progress(self, job):
        return f"{job.done}/{job.total}"

    def get_fields(self, request, obj=None):
        return self.fields + self.readonly_fields if obj else self.fields

    def get_readonly_fields(self, request, obj=None):
        return self.fields + self.readonly_fields if obj else []

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
            recompute_job_start(job=obj)

    def has_delete_permission(self, request, obj=None):
        # The model permission first: without it anyone with admin access could delete jobs.
        return super().has_delete_permission(request, obj) and (
            obj is None or obj.status != RecomputeJob.Status.RUNNING)
