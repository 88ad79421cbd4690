"""Import/export of communities, compounds, firms and service contracts, referenced by code."""
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export.fields import Field
from import_export.instance_loaders import ModelInstanceLoader

from common.resources import OfficerDateWidget, RegistryResource

from .models import Community, Compound, PropertyFirm, ServiceContract
from .services import (
    COMPOUND_DATED_FIELDS,
    compound_change_fact,
    compound_correct_fact,
    compound_create,
    compound_set_management_mode,
)


class CommunityResource(RegistryResource):
    class Meta:
        model = Community
        fields = ("code", "name", "street", "kind")
        import_id_fields = ("code",)


class CompoundResource(RegistryResource):
    """Compounds; their dated facts follow the file through the services.

    A new compound opens its first management period at `active_from`. In a changed row, the
    变更生效日期 column says when the change took effect: households, housing type, community and
    management mode then change from that day (earlier months keep their values). Without it, a
    new households, housing type or community value is a correction (every month it covers), and a
    new management mode takes effect today. The column is read on import only, so an exported file
    re-imported unchanged changes nothing.
    """

    changes_from = Field(attribute="changes_from", column_name=str(_("变更生效日期")), widget=OfficerDateWidget())

    class Meta:
        model = Compound
        fields = ("code", "name", "community", "address", "households", "buildings", "year_built", "housing_type",
                  "is_old_compound", "management_mode", "changes_from", "safety_certified_on", "active_from",
                  "closed_on", "merged_into")
        import_id_fields = ("code",)

    def do_instance_save(self, instance, is_create):
        if is_create:
            created = compound_create(**{f.attname: getattr(instance, f.attname) for f in Compound._meta.concrete_fields})
            # The import goes on with its own instance (row results, history): make it the saved row.
            instance.__dict__.update(created.__dict__)
            return
        stored = Compound.objects.get(pk=instance.pk)
        on = getattr(instance, "changes_from", None)
        for name in COMPOUND_DATED_FIELDS:
            value = getattr(instance, name)
            if value != getattr(stored, name):
                setattr(instance, name, getattr(stored, name))
                if on:
                    compound_change_fact(compound=instance, field=name, value=value, on=on)
                else:
                    compound_correct_fact(compound=instance, field=name, value=value)
        instance.save()

    def after_save_instance(self, instance, row, **kwargs):
        on = getattr(instance, "changes_from", None) or timezone.localdate()
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
