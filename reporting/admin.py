"""Admin for monthly data: scoped, read-only views with history; workflow steps go through the services.

Records are never edited here: the grid and the Excel import validate whole reports, which a
one-row admin form could not do.
"""
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from common.admin import (
    AreaScopedAdminMixin,
    DistrictListFilter,
    PersonalFieldsAdminMixin,
    ScopedHistoryAdmin,
    StreetListFilter,
)

from . import services
from .models import MonthlyRecord, MonthlyReport, MonthlyUpload, ReportTransition


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReportTransitionInline(ReadOnlyMixin, admin.TabularInline):
    model = ReportTransition
    fields = readonly_fields = ("at", "actor", "from_state", "to_state", "reason")
    extra = 0


@admin.register(MonthlyReport)
class MonthlyReportAdmin(ReadOnlyMixin, ScopedHistoryAdmin):
    list_display = ("street", "period", "state", "is_late", "submitted_at", "approved_at", "portal_link")
    list_filter = (DistrictListFilter, StreetListFilter, "state", "is_late", "period")
    list_select_related = ("street",)
    search_fields = ("=street__code", "street__name")
    date_hierarchy = "period"
    inlines = (ReportTransitionInline,)
    actions = ("approve", "lock")
    # A version is shown, never saved back: the workflow's services write reports.
    history_revert_allowed = False

    @admin.display(description=_("门户页面"))
    def portal_link(self, obj):
        url = reverse("reporting:report", kwargs={"street_code": obj.street.code, "period": obj.period})
        return format_html('<a href="{}">{}</a>', url, _("查看"))

    def _run(self, request, queryset, service, done):
        count = 0
        for report in queryset.select_related("street__district"):
            try:
                service(report=report, actor=request.user)
            except services.ReportingError as exc:
                self.message_user(request, f"{report}：{exc.message}", messages.ERROR)
            else:
                count += 1
        if count:
            self.message_user(request, done % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("审核通过所选月报"))
    def approve(self, request, queryset):
        self._run(request, queryset, services.monthly_report_approve, _("已审核通过 %(count)d 份月报。"))

    @admin.action(description=_("锁定所选月报"))
    def lock(self, request, queryset):
        self._run(request, queryset, services.monthly_report_lock, _("已锁定 %(count)d 份月报。"))


@admin.register(MonthlyRecord)
class MonthlyRecordAdmin(ReadOnlyMixin, ScopedHistoryAdmin):
    list_display = ("compound", "period", "report", "petitions", "hotline_received", "fees_due", "fees_collected",
                    "has_flags")
    list_filter = (DistrictListFilter, StreetListFilter, "period")
    list_select_related = ("compound", "report__street")
    search_fields = ("=compound__code", "compound__name")
    date_hierarchy = "period"
    # The grid and the Excel import validate whole reports; a past version is shown, never saved back.
    history_revert_allowed = False

    @admin.display(description=_("异常提示"), boolean=True)
    def has_flags(self, obj):
        return bool(obj.flags)


@admin.register(MonthlyUpload)
class MonthlyUploadAdmin(PersonalFieldsAdminMixin, ReadOnlyMixin, AreaScopedAdminMixin, admin.ModelAdmin):
    """Who imported which file into which report, and how it ended; the files themselves are private."""

    list_display = ("report_street", "report_period", "status", "uploaded_by", "created_at", "finished_at",
                    "records_changed", "message")
    list_filter = (DistrictListFilter, StreetListFilter, "status")
    list_select_related = ("report__street", "uploaded_by")
    search_fields = ("=report__street__code", "report__street__name", "uploaded_by__username")
    date_hierarchy = "created_at"
    show_full_result_count = False
    list_per_page = 50
    fields = ("report", "uploaded_by", "file_name", "status", "message", "expected_version", "records_created",
              "records_updated", "records_deleted", "created_at", "queued_at", "started_at", "attempts", "finished_at")

    @admin.display(description=_("街道(乡镇)"), ordering="report__street__code")
    def report_street(self, obj):
        return obj.report.street

    @admin.display(description=_("月份"), ordering="report__period")
    def report_period(self, obj):
        return f"{obj.report.period:%Y-%m}"

    @admin.display(description=_("变化小区数"))
    def records_changed(self, obj):
        return obj.records_changed
