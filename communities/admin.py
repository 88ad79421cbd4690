from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.admin import (
    AreaScopedInlineMixin,
    DistrictListFilter,
    RegistryAdmin,
    ScopedHistoryAdmin,
    StreetListFilter,
)

from .models import Community, Compound, CompoundManagementPeriod, FirmListing, PropertyFirm, ServiceContract
from .resources import CommunityResource, CompoundResource, PropertyFirmResource, ServiceContractResource
from .services import compound_create, compound_set_management_mode


@admin.register(Community)
class CommunityAdmin(RegistryAdmin):
    resource_classes = [CommunityResource]
    list_display = ("code", "name", "kind", "street")
    list_filter = (DistrictListFilter, StreetListFilter, "kind")
    list_select_related = ("street",)
    search_fields = ("=code", "name")
    autocomplete_fields = ("street",)


class CompoundManagementPeriodInline(AreaScopedInlineMixin, admin.TabularInline):
    """Read-only: periods follow from changes of the compound's management mode."""

    model = CompoundManagementPeriod
    fields = readonly_fields = ("mode", "valid_from", "valid_to")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ServiceContractInline(AreaScopedInlineMixin, admin.TabularInline):
    model = ServiceContract
    fields = ("firm", "starts_on", "ends_on", "terminated_on", "termination_reason")
    autocomplete_fields = ("firm",)
    # Any firm of the city may serve a compound, wherever it is registered.
    unscoped_foreign_keys = ("firm",)
    extra = 0


@admin.register(Compound)
class CompoundAdmin(RegistryAdmin):
    resource_classes = [CompoundResource]
    list_display = ("code", "name", "community", "households", "housing_type", "management_mode", "is_old_compound",
                    "active_from", "closed_on")
    list_filter = (DistrictListFilter, StreetListFilter, "housing_type", "management_mode", "is_old_compound")
    list_select_related = ("community", "merged_into")
    search_fields = ("=code", "name")
    autocomplete_fields = ("community", "merged_into")
    inlines = (CompoundManagementPeriodInline, ServiceContractInline)

    def save_model(self, request, obj, form, change):
        # The mode's dated history is kept by the services, as for imports.
        obj._history_user = request.user
        if change:
            obj.save()
            compound_set_management_mode(compound=obj, mode=obj.management_mode, on=timezone.localdate())
            return
        created = compound_create(**{f.attname: getattr(obj, f.attname) for f in Compound._meta.concrete_fields})
        # The admin goes on with its own instance (inlines, messages): make it the saved row.
        obj.__dict__.update(created.__dict__)


class FirmListingInline(AreaScopedInlineMixin, admin.TabularInline):
    model = FirmListing
    fields = ("kind", "listed_on", "delisted_on", "reason")
    extra = 0


@admin.register(PropertyFirm)
class PropertyFirmAdmin(RegistryAdmin):
    resource_classes = [PropertyFirmResource]
    list_display = ("credit_code", "name", "registered_district", "staff_count", "has_fixed_premises", "in_business",
                    "is_state_owned", "star_rating", "sanyou")
    list_filter = (DistrictListFilter, "in_business", "is_state_owned", "has_fixed_premises", "star_rating")
    list_select_related = ("registered_district",)
    search_fields = ("=credit_code", "name")
    inlines = (FirmListingInline,)

    @admin.display(boolean=True, description=_("“三有”企业"))
    def sanyou(self, firm):
        return firm.is_sanyou


@admin.register(ServiceContract)
class ServiceContractAdmin(RegistryAdmin):
    resource_classes = [ServiceContractResource]
    list_display = ("compound", "firm", "starts_on", "ends_on", "terminated_on")
    list_filter = (DistrictListFilter, StreetListFilter)
    list_select_related = ("compound", "firm")
    search_fields = ("=compound__code", "compound__name", "=firm__credit_code", "firm__name")
    autocomplete_fields = ("compound", "firm")
    unscoped_foreign_keys = ("firm",)


@admin.register(FirmListing)
class FirmListingAdmin(ScopedHistoryAdmin):
    list_display = ("firm", "kind", "listed_on", "delisted_on", "reason")
    list_filter = (DistrictListFilter, "kind")
    list_select_related = ("firm",)
    search_fields = ("=firm__credit_code", "firm__name")
    autocomplete_fields = ("firm",)
