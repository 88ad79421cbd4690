"""Wipe the registry and monthly data so the demo can be generated again.

Whole tables are emptied with one DELETE each, children first: going through the ORM would load
every row to run signals, which takes hours at benchmark scale. Historical (audit) rows stay.
Rows of other apps that point at these tables follow their own on_delete rule. The areas are the
city's real divisions (loaded from the division codes) and stay.
"""
from django.db import connection, models, transaction

from committees.models import (
    CommitteeMember,
    OwnersCommittee,
    PartyOrganisation,
    PartyOrganisationCompound,
    PartyOrganisationFirm,
)
from communities.models import Compound, CompoundManagementPeriod, FirmListing, PropertyFirm, ServiceContract
from reporting.models import MonthlyRecord, MonthlyReport, ReportTransition

TABLES_CHILDREN_FIRST = (
    MonthlyRecord, ReportTransition, MonthlyReport,
    PartyOrganisationCompound, PartyOrganisationFirm, PartyOrganisation,
    CommitteeMember, OwnersCommittee,
    FirmListing, ServiceContract, PropertyFirm,
    CompoundManagementPeriod, Compound,
)


class FlushRefused(Exception):
    pass


def _clear_dependants() -> None:
    """Apply on_delete of other models' foreign keys to the wiped tables (history has none)."""
    for model in TABLES_CHILDREN_FIRST:
        for relation in model._meta.related_objects:
            dependant = relation.related_model
            if dependant in TABLES_CHILDREN_FIRST or not relation.field.db_constraint:
                continue
            rows = dependant._base_manager.filter(**{f"{relation.field.name}__isnull": False})
            if relation.on_delete is models.SET_NULL:
                rows.update(**{relation.field.name: None})
            elif relation.on_delete is models.CASCADE:
                rows.delete()
            elif rows.exists():
                raise FlushRefused(f"{dependant._meta.verbose_name} 仍引用 {model._meta.verbose_name}，请先处理。")


@transaction.atomic
def flush_demo_data() -> None:
    _clear_dependants()
    with connection.cursor() as cursor:
        for model in TABLES_CHILDREN_FIRST:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
