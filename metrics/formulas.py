"""Which compound-month fact columns make each indicator's numerator and denominator.

The Chinese definitions staff read are in the Indicator rows (migration 0002); this module is
the same thing for the engine. Percent indicators are scaled ×100 when the value is computed.
"""
from dataclasses import dataclass

# How a fact column behaves over a quarter or a year (DOMAIN.md "Periods").
FLOW = "flow"  # summed over the months
STOCK = "stock"  # taken at the last month
ANY_MONTH = "any_month"  # 1 when true in any month, for the compounds counted at the last month
LATEST_SCORE = "latest_score"  # from the latest evaluation score in the period, weighted at the last month


@dataclass(frozen=True)
class Formula:
    numerator: str
    denominator: str
    # complaint_rate's denominator is thousands of households.
    denominator_divisor: int = 1
    # True when the figures come from monthly reports (so unapproved data can make it provisional).
    uses_monthly_data: bool = False


COMPOUND_FORMULAS: dict[str, Formula] = {
    "party_org_coverage": Formula("party_covered", "compounds"),
    "committee_formation_rate": Formula("committee_eligible_formed", "committee_eligible"),
    "consultation_coverage": Formula("consulted", "compounds", uses_monthly_data=True),
    "service_quality": Formula("score_weighted", "scored_households", uses_monthly_data=True),
    "complaint_rate": Formula("complaints", "households", denominator_divisor=1000, uses_monthly_data=True),
    "red_committee_share": Formula("red_committee", "committee_in_office"),
    "renewed_committee_party_ratio": Formula("renewed_party_members", "renewed_members"),
    "dual_role_share": Formula("dual_role", "committee_in_office"),
    "property_service_coverage": Formula("service_covered", "compounds"),
    "safety_standardisation_rate": Formula("safety_certified", "compounds"),
    "fee_collection_rate": Formula("fees_collected", "fees_due", uses_monthly_data=True),
    "hotline_resolution_rate": Formula("hotline_resolved", "hotline_received", uses_monthly_data=True),
    "hotline_satisfaction_rate": Formula("hotline_satisfied", "hotline_resolved", uses_monthly_data=True),
    "micro_matters_completion": Formula("micro_matters_completed", "micro_matters_planned", uses_monthly_data=True),
    "hazard_rectification_rate": Formula("hazards_rectified", "hazards_found", uses_monthly_data=True),
    "guard_certification_rate": Formula("guards_certified", "guards_employed", uses_monthly_data=True),
    "report_timeliness": Formula("reported_on_time", "report_expected"),
}

# Counted over firms by registered district, not over compounds.
FIRM_PARTY_ORG_COVERAGE = "firm_party_org_coverage"

# "compounds" is COUNT(*) of the facts; every other column is a SUM.
FACT_SUM_COLUMNS: dict[str, str] = {
    "households": STOCK,
    "party_covered": STOCK,
    "committee_eligible": STOCK,
    "committee_eligible_formed": STOCK,
    "consulted": ANY_MONTH,
    "scored_households": LATEST_SCORE,
    "score_weighted": LATEST_SCORE,
    "complaints": FLOW,
    "committee_in_office": STOCK,
    "red_committee": STOCK,
    "dual_role": STOCK,
    "renewed_members": STOCK,
    "renewed_party_members": STOCK,
    "service_covered": STOCK,
    "safety_certified": STOCK,
    "fees_due": FLOW,
    "fees_collected": FLOW,
    "hotline_received": FLOW,
    "hotline_resolved": FLOW,
    "hotline_satisfied": FLOW,
    "micro_matters_planned": FLOW,
    "micro_matters_completed": FLOW,
    "hazards_found": FLOW,
    "hazards_rectified": FLOW,
    "guards_employed": STOCK,
    "guards_certified": STOCK,
    "report_expected": FLOW,
    "reported_on_time": FLOW,
}
