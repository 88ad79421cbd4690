"""Wipe the registry and monthly data so the demo can be generated again.

Whole tables are emptied with one DELETE each, children first: going through the ORM would load
every row to run signals, which takes hours at benchmark scale. Historical (audit) rows stay.
"""
from django.db import connection, transaction

from committees.models import (
    CommitteeMember,
    OwnersCommittee,
    PartyOrganisation,
    PartyOrganisationCompound,
    PartyOrganisationFirm,
)
from communities.models import Community, Compound, CompoundManagementPeriod, FirmListing, PropertyFirm, ServiceContract
from districts.models import Street
from reporting.models import MonthlyRecord, MonthlyReport, ReportTransition

from .users import NAMED_STREETS

TABLES_CHILDREN_FIRST = (
    MonthlyRecord, ReportTransition, MonthlyReport,
    PartyOrganisationCompound, PartyOrganisationFirm, PartyOrganisation,
    CommitteeMember, OwnersCommittee,
    FirmListing, ServiceContract, PropertyFirm,
    CompoundManagementPeriod, Compound, Community,
)


@transaction.atomic
def flush_demo_data() -> None:
    with connection.cursor() as cursor:
        for model in TABLES_CHILDREN_FIRST:
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")
    # Streets named in the campaign come from a migration and stay.
    Street.objects.exclude(code__in=NAMED_STREETS).delete()
