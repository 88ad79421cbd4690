from django.contrib import admin
from accounts.scope import scope_for
from common.admin import GuardedHistoryAdmin, PersonalFieldsAdminMixin
from common.forms import NUMBER_FORMFIELD_OVERRIDES

from .models import (
    CandidateResult,
    Criterion,
    JudgeAssignment,
    Nomination,
    NominationMaterial,
    RoundAuditEntry,
    RoundStage,
    SelectionRound,
    Vote,
)


class RoundStageInline(admin.TabularInline):
    model = RoundStage
    extra = 0


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0
    formfield_overrides = NUMBER_FORMFIELD_OVERRIDES


@admin.register(SelectionRound)
class SelectionRoundAdmin(PersonalFieldsAdminMixin, GuardedHistoryAdmin):
    formfield_overrides = NUMBER_FORMFIELD_OVERRIDES
    list_display = ["year", "title", "quota", "state", "scores_known", "published_at"]
    list_filter = ["state", "year"]
    # State changes go through the services (audited); the admin edits only descriptive fields.
    readonly_fields = ["state", "published_at", "scores_known"]
    inlines = [RoundStageInline, CriterionInline]


class NominationMaterialInline(admin.TabularInline):
    model = NominationMaterial
    extra = 0
    fields = ["original_name", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    can_delete = False


@admin.register(Nomination)
class NominationAdmin(PersonalFieldsAdminMixin, GuardedHistoryAdmin):
    list_display = ["round", "street", "district", "nominated_by", "nominated_at"]
    list_filter = ["round", "district"]
    list_select_related = ["round", "street", "district", "nominated_by"]
    search_fields = ["street__name", "street__code"]
    raw_id_fields = ["street", "district", "nominated_by"]
    inlines = [NominationMaterialInline]

    def get_queryset(self, request):
        return scope_for(request.user).filter(super().get_queryset(request))


@admin.register(JudgeAssignment)
class JudgeAssignmentAdmin(PersonalFieldsAdminMixin, GuardedHistoryAdmin):
    list_display = ["criterion", "judge", "assigned_by", "assigned_at"]
    list_select_related = ["criterion__round", "judge", "assigned_by"]
    list_filter = ["criterion__round"]


@admin.register(CandidateResult)
class CandidateResultAdmin(PersonalFieldsAdminMixin, admin.ModelAdmin):
    list_display = ["round", "nomination", "total", "rank", "selected"]
    list_filter = ["round", "selected"]
    list_select_related = ["round", "nomination__street", "nomination__round"]

    # Results come only from a scoring run.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Vote)
class VoteAdmin(PersonalFieldsAdminMixin, admin.ModelAdmin):
    list_display = ["round", "nomination", "cast_at", "ip", "device_id", "voided_by"]
    list_filter = ["round"]
    list_select_related = ["round", "nomination__street", "nomination__round", "voided_by__round"]
    search_fields = ["ip", "device_id"]

    # The vote record is evidence: read-only; voiding goes through the audited service.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RoundAuditEntry)
class RoundAuditEntryAdmin(PersonalFieldsAdminMixin, admin.ModelAdmin):
    list_display = ["at", "round", "action", "actor", "reason"]
    list_filter = ["action", "round"]
    list_select_related = ["round", "actor"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
