"""Every indicator of the hand-built city (see conftest.py) for March 2024, worked out by hand."""
from decimal import Decimal

import pytest

from metrics.models import IndicatorValue
from metrics.services import recompute_month

from .conftest import FEBRUARY, MARCH


def published(period, **filters):
    return {(v.indicator_id, v.area_code): v for v in IndicatorValue.objects.filter(period=period, **filters)}


def value_of(values, code, area):
    return values[(code, area)].value


# (indicator, area code, numerator, denominator, value); value None = denominator zero.
MARCH_EXPECTED = [
    # Covered A, E, G of the active A, B, E, F, G; the merged M no longer counts.
    ("party_org_coverage", "C1", 1, 2, "50"),
    ("party_org_coverage", "C2", 1, 1, "100"),
    ("party_org_coverage", "S1", 2, 3, "66.6667"),
    ("party_org_coverage", "S2", 0, 1, "0"),
    ("party_org_coverage", "S3", 1, 1, "100"),
    # D1 = 2/4 = 50%, not the mean of its streets (66.67% and 0% → 33.33%).
    ("party_org_coverage", "D1", 2, 4, "50"),
    ("party_org_coverage", "D2", 1, 1, "100"),
    ("party_org_coverage", "350500", 3, 5, "60"),
    # Eligible (commodity) A, B, F, G; E is resettlement housing. Formed: A, and F elected 10 March.
    ("committee_formation_rate", "C1", 1, 2, "50"),
    ("committee_formation_rate", "C2", 0, 0, None),
    ("committee_formation_rate", "S2", 1, 1, "100"),
    ("committee_formation_rate", "S3", 0, 1, "0"),
    ("committee_formation_rate", "D1", 2, 3, "66.6667"),
    ("committee_formation_rate", "350500", 2, 4, "50"),
    # A held weekly meetings, E a monthly one; G's report is not approved.
    ("consultation_coverage", "S1", 2, 3, "66.6667"),
    ("consultation_coverage", "S3", 0, 1, "0"),
    ("consultation_coverage", "350500", 2, 5, "40"),
    # Latest Q1 scores: A 90 (Mar, 100 hh), E 80 (Feb, 200 hh), F 70 (Mar, 1000 hh).
    ("service_quality", "S1", 25000, 300, "83.3333"),
    ("service_quality", "S2", 70000, 1000, "70"),
    ("service_quality", "S3", 0, 0, None),
    ("service_quality", "D1", 95000, 1300, "73.0769"),
    ("service_quality", "350500", 95000, 1300, "73.0769"),
    # Petitions + hotline received: A 5, B 2, E 2, F 8 per thousand households.
    ("complaint_rate", "S1", 9, "0.6", "15"),
    ("complaint_rate", "S2", 8, 1, "8"),
    ("complaint_rate", "S3", 0, "0.4", "0"),
    ("complaint_rate", "D1", 17, "1.6", "10.625"),
    ("complaint_rate", "350500", 17, 2, "8.5"),
    # In office: A (2 of 3 party: red), E (1 of 4), F (3 of 5: red); M's committee left with M.
    ("red_committee_share", "S1", 1, 2, "50"),
    ("red_committee_share", "S2", 1, 1, "100"),
    ("red_committee_share", "D1", 2, 3, "66.6667"),
    ("red_committee_share", "S3", 0, 0, None),
    # Elected in 2024 up to March: E (1 of 4 party), F (3 of 5).
    ("renewed_committee_party_ratio", "S1", 1, 4, "25"),
    ("renewed_committee_party_ratio", "S2", 3, 5, "60"),
    ("renewed_committee_party_ratio", "350500", 4, 9, "44.4444"),
    ("dual_role_share", "S1", 1, 2, "50"),
    ("dual_role_share", "S2", 0, 1, "0"),
    ("dual_role_share", "D1", 1, 3, "33.3333"),
    # 三有 firms by registered district: D1 firm1 covered, firm2 not; D2 firm4 covered only from April.
    ("firm_party_org_coverage", "D1", 1, 2, "50"),
    ("firm_party_org_coverage", "D2", 0, 1, "0"),
    ("firm_party_org_coverage", "350500", 1, 3, "33.3333"),
    # Served: A (contract live), E (community-led), G (self-managed); not B (失管), not F (contract ended).
    ("property_service_coverage", "S1", 2, 3, "66.6667"),
    ("property_service_coverage", "S2", 0, 1, "0"),
    ("property_service_coverage", "350500", 3, 5, "60"),
    # Only A is certified by 31 March (F from April).
    ("safety_standardisation_rate", "S1", 1, 3, "33.3333"),
    ("safety_standardisation_rate", "350500", 1, 5, "20"),
    ("fee_collection_rate", "S1", 11500, 15000, "76.6667"),
    ("fee_collection_rate", "D1", 31500, 35000, "90"),
    ("fee_collection_rate", "S3", 0, 0, None),
    ("hotline_resolution_rate", "S1", 5, 6, "83.3333"),
    ("hotline_resolution_rate", "350500", 10, 11, "90.9091"),
    ("hotline_satisfaction_rate", "S1", 3, 5, "60"),
    ("hotline_satisfaction_rate", "350500", 8, 10, "80"),
    ("micro_matters_completion", "S1", 2, 3, "66.6667"),
    ("micro_matters_completion", "S2", 0, 0, None),
    ("hazard_rectification_rate", "S1", 5, 6, "83.3333"),
    ("hazard_rectification_rate", "S2", 0, 1, "0"),
    ("hazard_rectification_rate", "350500", 5, 7, "71.4286"),
    ("guard_certification_rate", "S1", 4, 7, "57.1429"),
    ("guard_certification_rate", "350500", 14, 17, "82.3529"),
    # S1 on the due day (Beijing time), S2 a day late, S3 submitted on time (not yet approved).
    ("report_timeliness", "S1", 3, 3, "100"),
    ("report_timeliness", "S2", 0, 1, "0"),
    ("report_timeliness", "S3", 1, 1, "100"),
    ("report_timeliness", "D1", 3, 4, "75"),
    ("report_timeliness", "350500", 4, 5, "80"),
]


@pytest.fixture
def march_values(world):
    recompute_month(period=MARCH)
    return published(MARCH)


@pytest.mark.parametrize(("code", "area", "numerator", "denominator", "expected"), MARCH_EXPECTED)
def test_march_value_matches_the_hand_computation(march_values, code, area, numerator, denominator, expected):
    value = march_values[(code, area)]
    assert (value.numerator, value.denominator) == (Decimal(numerator), Decimal(denominator))
    assert value.value == (None if expected is None else Decimal(expected))
    assert value.provisional is False


def test_every_indicator_is_published_for_every_level(march_values):
    codes_by_level = {}
    for value in IndicatorValue.objects.filter(period=MARCH, area_code__in=["C1", "S1", "D1", "350500"]):
        codes_by_level.setdefault(value.area_level, set()).add(value.indicator_id)
    assert len(codes_by_level["district"]) == len(codes_by_level["city"]) == 18
    assert len(codes_by_level["street"]) == len(codes_by_level["community"]) == 17  # firms are not counted below districts


def test_firm_coverage_has_no_value_for_streets_and_communities(march_values):
    assert not IndicatorValue.objects.filter(indicator_id="firm_party_org_coverage",
                                             area_level__in=["street", "community"]).exists()


def test_committee_elected_in_march_counts_for_march_not_february(world):
    recompute_month(period=FEBRUARY)
    assert value_of(published(FEBRUARY), "committee_formation_rate", "S2") == Decimal("0")
    recompute_month(period=MARCH)
    assert value_of(published(MARCH), "committee_formation_rate", "S2") == Decimal("100")


def test_renewed_ratio_counts_only_committees_elected_so_far_this_year(world):
    recompute_month(period=FEBRUARY)
    assert value_of(published(FEBRUARY), "renewed_committee_party_ratio", "350500") == Decimal("25")


def test_merged_compound_counts_until_its_merge(world):
    recompute_month(period=FEBRUARY)
    # In February M (party-covered, 50 hh) is still its own compound: C1 = A, M covered of A, B, M.
    assert value_of(published(FEBRUARY), "party_org_coverage", "C1") == Decimal("66.6667")


def test_contract_end_stops_property_service_coverage(world):
    recompute_month(period=FEBRUARY)
    assert value_of(published(FEBRUARY), "property_service_coverage", "S2") == Decimal("100")


def test_submitted_reports_count_only_when_asked_and_are_marked_provisional(world):
    recompute_month(period=MARCH, include_submitted=True)
    values = published(MARCH)
    consultation = values[("consultation_coverage", "350500")]
    assert (consultation.value, consultation.provisional) == (Decimal("60"), True)
    assert values[("complaint_rate", "S3")].value == Decimal("5")
    assert values[("service_quality", "350500")].value == Decimal("79.4118")
    # Registry indicators do not depend on monthly reports and stay final.
    assert values[("party_org_coverage", "350500")].provisional is False
    # S1 and S2 have only approved data.
    assert values[("consultation_coverage", "S1")].provisional is False


def test_recomputing_a_month_again_gives_the_same_values(world):
    recompute_month(period=MARCH)
    first = {key: (v.numerator, v.denominator, v.value) for key, v in published(MARCH).items()}
    recompute_month(period=MARCH)
    again = {key: (v.numerator, v.denominator, v.value) for key, v in published(MARCH).items()}
    assert first == again
