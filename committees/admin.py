from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from common.admin import (
    AreaScopedInlineMixin,
    DistrictListFilter,
    RegistryAdmin,
    StreetListFilter,
)

from .models import (
    CommitteeMember,
    OwnersCommittee,
    PartyOrganisation,
    PartyOrganisationCompound,
    PartyOrganisationFirm,
)
from .resources import CommitteeMemberResource, OwnersCommitteeResource, PartyOrganisationResource


class MemberPersonalDataMixin:
    """Members' names and numbers (PIPL) masked and read-only: the admin's users, superusers, are
    outside every street (AreaScope.sees_personal_data). Members join, change and leave through the
    committee's page or the street's election file, where the owning officer sees them in full."""

    @admin.display(description=_("姓名"))
    def name_masked(self, member):
        return member.masked_name

    @admin.display(description=_("联系电话"))
    def phone_masked(self, member):
        return member.masked_phone

    def get_fields(self, request, obj=None):
        fields = [f for f in super().get_fields(request, obj) if f not in ("name", "phone", "name_masked", "phone_masked")]
        return ["name_masked", *fields, "phone_masked"]

    def get_readonly_fields(self, request, obj=None):
        return (*super().get_readonly_fields(request, obj), "name_masked", "phone_masked")

    def has_add_permission(self, request, *args):
        return False


class CommitteeMemberInline(MemberPersonalDataMixin, AreaScopedInlineMixin, admin.TabularInline):
    model = CommitteeMember
    fields = ("role", "is_party_member")
    extra = 0


@admin.register(OwnersCommittee)
class OwnersCommitteeAdmin(RegistryAdmin):
    resource_classes = [OwnersCommitteeResource]
    list_display = ("__str__", "compound", "elected_on", "term_start", "term_end", "status_display",
                    "chair_is_branch_secretary")
    list_filter = (DistrictListFilter, StreetListFilter, "chair_is_branch_secretary")
    list_select_related = ("compound",)
    search_fields = ("=compound__code", "compound__name")
    autocomplete_fields = ("compound",)
    readonly_fields = ("status_display",)
    inlines = (CommitteeMemberInline,)

    @admin.display(description=_("状态"))
    def status_display(self, committee):
        return committee.get_status_display()


@admin.register(CommitteeMember)
class CommitteeMemberAdmin(MemberPersonalDataMixin, RegistryAdmin):
    resource_classes = [CommitteeMemberResource]
    list_display = ("name_masked", "role", "is_party_member", "committee")
    # Not the model's (committee, role, name): a list in name order would tell masked names apart.
    ordering = ("committee", "role", "pk")
    fields = ("committee", "role", "is_party_member")
    list_filter = (DistrictListFilter, StreetListFilter, "role", "is_party_member")
    list_select_related = ("committee__compound",)
    # Not by name: members' names and numbers are personal data (common.privacy).
    search_fields = ("=committee__compound__code", "committee__compound__name")
    autocomplete_fields = ("committee",)


class PartyOrganisationCompoundInline(AreaScopedInlineMixin, admin.TabularInline):
    model = PartyOrganisationCompound
    fields = ("compound", "covered_from", "covered_to")
    autocomplete_fields = ("compound",)
    extra = 0


class PartyOrganisationFirmInline(AreaScopedInlineMixin, admin.TabularInline):
    model = PartyOrganisationFirm
    fields = ("firm", "covered_from", "covered_to")
    autocomplete_fields = ("firm",)
    # Firm party organisations cover firms wherever they are registered.
    unscoped_foreign_keys = ("firm",)
    extra = 0


@admin.register(PartyOrganisation)
class PartyOrganisationAdmin(RegistryAdmin):
    resource_classes = [PartyOrganisationResource]
    list_display = ("code", "name", "kind", "form", "district", "street", "established_on", "dissolved_on")
    list_filter = (DistrictListFilter, StreetListFilter, "kind", "form")
    list_select_related = ("district", "street")
    search_fields = ("=code", "name")
    autocomplete_fields = ("district", "street")
    inlines = (PartyOrganisationCompoundInline, PartyOrganisationFirmInline)
