"""The straightforward way, for comparison only: a few ORM queries per compound, summed in Python.

It computes the same compound facts as metrics.selectors.compound_month_fact_source, one compound
at a time with the registry's per-object helpers. The benchmark times it on a sample.
"""
import datetime

from django.conf import settings

from committees.selectors import committee_in_office_for_compound, compounds_covered_by_party_org_on
from communities.models import Compound, ManagementMode
from communities.selectors import firm_under_contract_for_compound, management_mode_on
from metrics.periods import month_end, quarter_start
from metrics.selectors import counted_report_states
from reporting.models import MonthlyRecord


def naive_month_facts(compound_ids: list[int], period: datetime.date) -> list[dict]:
    end = month_end(period)
    states = counted_report_states(False)
    facts = []
    for compound in Compound.objects.filter(pk__in=compound_ids).select_related("community__street__district"):
        if not compound.is_active_on(end):
            continue
        committee = committee_in_office_for_compound(compound, end)
        members = list(committee.members.all()) if committee else []
        mode = management_mode_on(compound, end)
        record = MonthlyRecord.objects.filter(compound=compound, period=period, report__state__in=states).first()
        score = (MonthlyRecord.objects.filter(compound=compound, period__range=(quarter_start(period), period),
                                              report__state__in=states, evaluation_score__isnull=False)
                 .order_by("-period").values_list("evaluation_score", flat=True).first())
        facts.append({
            "households": compound.households,
            "party_covered": compounds_covered_by_party_org_on(end, Compound.objects.filter(pk=compound.pk)).exists(),
            "committee_eligible": compound.housing_type in settings.COMMITTEE_ELIGIBLE_HOUSING_TYPES,
            "committee_in_office": committee is not None,
            "red_committee": bool(members) and 2 * sum(m.is_party_member for m in members) > len(members),
            "service_covered": mode not in (None, ManagementMode.UNMANAGED) and (
                mode != ManagementMode.PROFESSIONAL or firm_under_contract_for_compound(compound, end) is not None),
            "consulted": bool(record and (record.weekly_meetings or record.monthly_meetings)),
            "complaints": record.petitions + record.hotline_received if record else 0,
            "score": score,
        })
    return facts
