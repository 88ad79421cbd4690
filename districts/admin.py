from django.contrib import admin

from common.admin import DistrictListFilter, RegistryAdmin

from .models import City, District, Street
from .resources import CityResource, DistrictResource, StreetResource


@admin.register(City)
class CityAdmin(RegistryAdmin):
    resource_classes = [CityResource]
    list_display = ("code", "name")
    search_fields = ("=code", "name")


@admin.register(District)
class DistrictAdmin(RegistryAdmin):
    resource_classes = [DistrictResource]
    list_display = ("code", "name", "kind", "city")
    list_filter = ("kind",)
    list_select_related = ("city",)
    search_fields = ("=code", "name")


@admin.register(Street)
class StreetAdmin(RegistryAdmin):
    resource_classes = [StreetResource]
    list_display = ("code", "name", "kind", "district")
    list_filter = (DistrictListFilter, "kind")
    list_select_related = ("district",)
    search_fields = ("=code", "name")
    autocomplete_fields = ("district",)
