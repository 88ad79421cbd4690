"""Import/export of owners' committees, their members and party organisations.

Members' phone numbers are personal information (PIPL) and never leave the system in a file.
"""
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export.fields import Field
from import_export.instance_loaders import ModelInstanceLoader

from common.resources import CodeForeignKeyWidget, CodeListWidget, OfficerDateWidget, RegistryResource, clean_code
from communities.models import Compound, PropertyFirm

from .models import CommitteeMember, OwnersCommittee, PartyOrganisation, PartyOrganisationCompound, PartyOrganisationFirm
from .services import coverage_current_q, party_organisation_set_coverage


class OwnersCommitteeResource(RegistryResource):
    # Computed from the dates on the day of export; ignored on import.
    status = Field(attribute="get_status_display", column_name=str(_("状态")), readonly=True)

    class Meta:
        model = OwnersCommittee
        fields = ("compound", "preparation_started_on", "elected_on", "term_start", "term_end", "renewal_started_on",
                  "dissolved_on", "chair_is_branch_secretary", "status")
        # A committee is one compound's term; a committee still preparing has no term start yet.
        import_id_fields = ("compound", "term_start")
        instance_loader_class = ModelInstanceLoader


TERM_START_COLUMN = str(_("业委会任期开始"))


class CommitteeWidget(CodeForeignKeyWidget):
    """A committee named by its compound's code and, in the next column, its term start."""

    def __init__(self, **kwargs):
        super().__init__(OwnersCommittee, field="compound__code", **kwargs)

    def get_lookup_kwargs(self, value, row, **kwargs):
        return {"compound__code": clean_code(value), "term_start": OfficerDateWidget().clean((row or {}).get(TERM_START_COLUMN))}


class CommitteeMemberResource(RegistryResource):
    committee = Field(attribute="committee", column_name=str(_("小区代码")), widget=CommitteeWidget())
    term_start = Field(attribute="committee__term_start", column_name=TERM_START_COLUMN, widget=OfficerDateWidget(),
                       readonly=True)

    class Meta:
        model = CommitteeMember
        # `phone` is deliberately absent: personal information stays in the system.
        fields = ("committee", "term_start", "name", "role", "is_party_member")
        import_id_fields = ("committee", "name")
        instance_loader_class = ModelInstanceLoader


class PartyOrganisationResource(RegistryResource):
    """Party organisations with what they cover now, as code lists.

    Importing a list makes it the coverage from the row's 覆盖变更日期 (today when empty): codes
    that left end that day, new codes start that day (or with the organisation when it is new and
    the column is empty), so the dated history stays true.
    """

    compounds = Field(attribute="compounds", column_name=str(_("覆盖小区代码")), widget=CodeListWidget(Compound))
    firms = Field(attribute="firms", column_name=str(_("覆盖企业统一社会信用代码")), widget=CodeListWidget(PropertyFirm))
    coverage_from = Field(attribute="coverage_from", column_name=str(_("覆盖变更日期")), widget=OfficerDateWidget())

    class Meta:
        model = PartyOrganisation
        fields = ("code", "name", "kind", "form", "district", "street", "established_on", "dissolved_on",
                  "compounds", "firms", "coverage_from")
        import_id_fields = ("code",)
        # The library would compare the code lists with every link ever made, closed ones included,
        # and skip a row that reopens one; coverage is about current links, so always apply the row.
        skip_unchanged = False

    def filter_export(self, queryset, **kwargs):
        current = coverage_current_q(timezone.localdate())
        return super().filter_export(queryset, **kwargs).prefetch_related(
            Prefetch("compound_links", PartyOrganisationCompound.objects.filter(current).select_related("compound"),
                     to_attr="current_compound_links"),
            Prefetch("firm_links", PartyOrganisationFirm.objects.filter(current).select_related("firm"),
                     to_attr="current_firm_links"),
        )

    def dehydrate_compounds(self, organisation):
        links = self._current_links(organisation, "compound_links")
        return ";".join(sorted(link.compound.code for link in links))

    def dehydrate_firms(self, organisation):
        links = self._current_links(organisation, "firm_links")
        return ";".join(sorted(link.firm.credit_code for link in links))

    @staticmethod
    def _current_links(organisation, name):
        # Exports prefetch the links; an import's preview reads them for one row at a time.
        prefetched = getattr(organisation, f"current_{name}", None)
        if prefetched is not None:
            return prefetched
        if organisation.pk is None:
            return []
        target = name.removesuffix("_links")
        return getattr(organisation, name).filter(coverage_current_q(timezone.localdate())).select_related(target)

    def after_init_instance(self, instance, new, row, **kwargs):
        self._row_is_new = new

    def import_instance(self, instance, row, **kwargs):
        # The code lists are checked with the row's other fields, so an unknown code is a row error.
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as e:
            errors = e.update_error_dict(errors)
        self._row_coverage = {}
        for name in ("compounds", "firms"):
            field = self.fields[name]
            if field.column_name in row:
                try:
                    self._row_coverage[name] = field.clean(row, **kwargs)
                except ValueError as e:
                    errors[name] = [str(e)]
        if errors:
            raise ValidationError(errors)

    def save_m2m(self, instance, row, **kwargs):
        on = getattr(instance, "coverage_from", None)
        party_organisation_set_coverage(organisation=instance, on=on or timezone.localdate(),
                                        new=self._row_is_new and on is None, **self._row_coverage)
