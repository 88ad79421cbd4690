"""Import/export of the area hierarchy; areas reference their parent by code."""
from common.resources import RegistryResource

from .models import City, District, Street


class CityResource(RegistryResource):
    class Meta:
        model = City
        fields = ("code", "name")
        import_id_fields = ("code",)


class DistrictResource(RegistryResource):
    class Meta:
        model = District
        fields = ("code", "name", "city", "kind")
        import_id_fields = ("code",)


class StreetResource(RegistryResource):
    class Meta:
        model = Street
        fields = ("code", "name", "district", "kind")
        import_id_fields = ("code",)
