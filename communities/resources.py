"""Import/export of communities, compounds, firms and service contracts, referenced by code."""
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export.fields import Field
from import_export.instance_loaders import ModelInstanceLoader
from import_export.widgets import DateWidget

from common.resources import RegistryResource

from .models import Community, Compound, PropertyFirm, ServiceContract
from .services import compound_create, compound_set_management_mode


class CommunityResource(RegistryResource):
    class Meta:
        model = Community
        fields = ("code", "name", "street", "kind")
        import_id_fields = ("code",)


class CompoundResource(RegistryResource):
    """Compounds; the management mode's dated history follows the file through the services.

    A new compound opens its first period at `active_from`; a changed mode closes the open period
    on the date in the 管理模式变更日期 column, or today when that is empty. The column is read on
    import only, so an exported file re-imported unchanged changes nothing.
    """

    mode_changed_on = Field(attribute="mode_changed_on", column_name=str(_("管理模式变更日期")), widget=DateWidget())

    class Meta:
        model = Compound
        fields = ("code", "name", "community", "address", "households", "buildings", "year_built", "housing_type",
                  "is_old_compound", "management_mode", "mode_changed_on", "safety_certified_on", "active_from",
                  "closed_on", "merged_into")
        import_id_fields = ("code",)

    def do_instance_save(self, instance, is_create):
        if not is_create:
            instance.save()
            return
        created = compound_create(**{f.attname: getattr(instance, f.attname) for f in Compound._meta.concrete_fields})
        # The import goes on with its own instance (row results, history): make it the saved row.
        instance.__dict__.update(created.__dict__)

    def after_save_instance(self, instance, row, **kwargs):
        on = getattr(instance, "mode_changed_on", None) or timezone.localdate()
        compound_set_management_mode(compound=instance, mode=instance.management_mode, on=on)


class PropertyFirmResource(RegistryResource):
    class Meta:
        model = PropertyFirm
        fields = ("credit_code", "name", "registered_district", "staff_count", "has_fixed_premises", "in_business",
                  "is_state_owned", "star_rating")
        import_id_fields = ("credit_code",)


class ServiceContractResource(RegistryResource):
    class Meta:
        model = ServiceContract
        fields = ("firm", "compound", "starts_on", "ends_on", "terminated_on", "termination_reason")
        # A contract is a firm, a compound and a start date; the cached loader needs a single key.
        import_id_fields = ("firm", "compound", "starts_on")
        instance_loader_class = ModelInstanceLoader
