"""One hand-written SQL pass: a month's numerators and denominators of every indicator at every level.

The reference the engine is measured against (benchmarks/engine_vs_hand_sql.py). It reads the
engine's own source tables (registry, committees, party organisations, monthly records) with the
rules of DOMAIN.md, the registry as on the month's last day (dated facts: the row in force then, else
the recorded value), and owes nothing to the engine's code:
one statement computes each active compound's facts, sums them to every level at once with
GROUPING SETS and turns the sums into one row per area and indicator; a second counts the 三有
firms by registered district and city. Both write into a temporary table `hand_values`
(area_level, area_code, indicator, numerator, denominator, value).

PostgreSQL only, counted reports approved or locked (the engine's default).
"""
import datetime

HOUSING_ELIGIBLE_DEFAULT = ("commodity",)

# (indicator, numerator, denominator, scale): the value is ROUND(scale × numerator / denominator, 4).
INDICATORS = [
    ("party_org_coverage", "party_covered", "compounds", 100),
    ("committee_formation_rate", "eligible_formed", "eligible", 100),
    ("consultation_coverage", "consulted", "compounds", 100),
    ("service_quality", "score_weighted", "scored_households", 1),
    ("complaint_rate", "complaints", "households / 1000.0", 1),
    ("red_committee_share", "red", "in_office", 100),
    ("renewed_committee_party_ratio", "renewed_party", "renewed_members", 100),
    ("dual_role_share", "dual_role", "in_office", 100),
    ("property_service_coverage", "served", "compounds", 100),
    ("safety_standardisation_rate", "certified", "compounds", 100),
    ("fee_collection_rate", "fees_collected", "fees_due", 100),
    ("hotline_resolution_rate", "hotline_resolved", "hotline_received", 100),
    ("hotline_satisfaction_rate", "hotline_satisfied", "hotline_resolved", 100),
    ("micro_matters_completion", "micro_completed", "micro_planned", 100),
    ("hazard_rectification_rate", "hazards_rectified", "hazards_found", 100),
    ("guard_certification_rate", "guards_certified", "guards_employed", 100),
    ("report_timeliness", "on_time", "expected", 100),
]

COMPOUND_PASS = """
CREATE TEMPORARY TABLE hand_values AS
WITH active AS (
    SELECT cp.id, COALESCE(hh.households, cp.households) AS households,
           COALESCE(ht.housing_type, cp.housing_type) = ANY(%(eligible)s) AS eligible,
           cp.safety_certified_on IS NOT NULL AND cp.safety_certified_on <= %(end)s AS certified,
           cm.code AS community, st.code AS street, d.code AS district, ci.code AS city
    FROM communities_compound cp
    LEFT JOIN communities_compoundhouseholdsperiod hh ON hh.compound_id = cp.id {in_force_hh}
    LEFT JOIN communities_compoundhousingtypeperiod ht ON ht.compound_id = cp.id {in_force_ht}
    LEFT JOIN communities_compoundcommunityperiod cc ON cc.compound_id = cp.id {in_force_cc}
    JOIN communities_community cm ON cm.id = COALESCE(cc.community_id, cp.community_id)
    JOIN districts_street st ON st.id = cm.street_id
    JOIN districts_district d ON d.id = st.district_id
    JOIN districts_city ci ON ci.id = d.city_id
    WHERE cp.active_from <= %(end)s AND (cp.closed_on IS NULL OR cp.closed_on > %(end)s)
),
party AS (
    SELECT DISTINCT l.compound_id
    FROM committees_partyorganisationcompound l
    JOIN committees_partyorganisation o ON o.id = l.organisation_id
    WHERE o.established_on <= %(end)s AND (o.dissolved_on IS NULL OR o.dissolved_on > %(end)s)
      AND (l.covered_from IS NULL OR l.covered_from <= %(end)s) AND (l.covered_to IS NULL OR l.covered_to > %(end)s)
),
members AS (
    -- Members on the last day: their dated row then, or, without any dated row, their recorded values.
    SELECT m.committee_id, COUNT(*) AS n,
           COUNT(*) FILTER (WHERE COALESCE(mp.is_party_member, m.is_party_member)) AS party
    FROM committees_committeemember m
    LEFT JOIN committees_committeememberperiod mp ON mp.member_id = m.id {in_force_mp}
    WHERE mp.id IS NOT NULL OR NOT EXISTS (SELECT 1 FROM committees_committeememberperiod x WHERE x.member_id = m.id)
    GROUP BY m.committee_id
),
in_office AS (
    SELECT c.compound_id, c.chair_is_branch_secretary AS dual_role,
           COALESCE(2 * m.party > m.n, false) AS red
    FROM committees_ownerscommittee c LEFT JOIN members m ON m.committee_id = c.id
    WHERE c.term_start <= %(end)s AND c.term_end >= %(end)s AND (c.dissolved_on IS NULL OR c.dissolved_on > %(end)s)
),
renewed AS (
    SELECT c.compound_id, SUM(m.n) AS members, SUM(m.party) AS party
    FROM committees_ownerscommittee c JOIN members m ON m.committee_id = c.id
    WHERE c.elected_on BETWEEN %(year_start)s AND %(end)s
    GROUP BY c.compound_id
),
managed AS (
    SELECT compound_id, bool_or(mode <> 'unmanaged') AS managed, bool_or(mode = 'professional') AS by_firm
    FROM communities_compoundmanagementperiod
    WHERE valid_from <= %(end)s AND (valid_to IS NULL OR valid_to > %(end)s)
    GROUP BY compound_id
),
contracted AS (
    SELECT DISTINCT compound_id FROM communities_servicecontract
    WHERE starts_on <= %(end)s AND (ends_on IS NULL OR ends_on >= %(end)s)
      AND (terminated_on IS NULL OR terminated_on > %(end)s)
),
record AS (
    SELECT r.*, rep.state IN ('approved', 'locked') AS counted,
           rep.state IN ('submitted', 'approved', 'locked')
           AND (rep.submitted_at AT TIME ZONE 'Asia/Shanghai')::date <= rep.due_on AS on_time
    FROM reporting_monthlyrecord r JOIN reporting_monthlyreport rep ON rep.id = r.report_id
    WHERE r.period = %(period)s
),
score AS (
    SELECT DISTINCT ON (r.compound_id) r.compound_id, r.evaluation_score
    FROM reporting_monthlyrecord r JOIN reporting_monthlyreport rep ON rep.id = r.report_id
    WHERE r.period BETWEEN %(quarter_start)s AND %(period)s AND r.evaluation_score IS NOT NULL
      AND rep.state IN ('approved', 'locked')
    ORDER BY r.compound_id, r.period DESC
),
fact AS (
    SELECT a.community, a.street, a.district, a.city, a.households,
           (p.compound_id IS NOT NULL)::int AS party_covered,
           a.eligible::int AS eligible,
           (a.eligible AND o.compound_id IS NOT NULL)::int AS eligible_formed,
           (o.compound_id IS NOT NULL)::int AS in_office,
           COALESCE(o.red, false)::int AS red,
           COALESCE(o.dual_role, false)::int AS dual_role,
           COALESCE(rn.members, 0) AS renewed_members, COALESCE(rn.party, 0) AS renewed_party,
           (COALESCE(mg.managed, false) AND (NOT mg.by_firm OR ct.compound_id IS NOT NULL))::int AS served,
           a.certified::int AS certified,
           s.evaluation_score AS score,
           COALESCE(r.counted AND (r.weekly_meetings > 0 OR r.monthly_meetings > 0), false)::int AS consulted,
           CASE WHEN r.counted THEN r.petitions + r.hotline_received ELSE 0 END AS complaints,
           CASE WHEN r.counted THEN r.fees_due ELSE 0 END AS fees_due,
           CASE WHEN r.counted THEN r.fees_collected ELSE 0 END AS fees_collected,
           CASE WHEN r.counted THEN r.hotline_received ELSE 0 END AS hotline_received,
           CASE WHEN r.counted THEN r.hotline_resolved ELSE 0 END AS hotline_resolved,
           CASE WHEN r.counted THEN r.hotline_satisfied ELSE 0 END AS hotline_satisfied,
           CASE WHEN r.counted THEN r.micro_matters_planned ELSE 0 END AS micro_planned,
           CASE WHEN r.counted THEN r.micro_matters_completed ELSE 0 END AS micro_completed,
           CASE WHEN r.counted THEN r.hazards_found ELSE 0 END AS hazards_found,
           CASE WHEN r.counted THEN r.hazards_rectified ELSE 0 END AS hazards_rectified,
           CASE WHEN r.counted THEN r.guards_employed ELSE 0 END AS guards_employed,
           CASE WHEN r.counted THEN r.guards_certified ELSE 0 END AS guards_certified,
           COALESCE(r.on_time, false)::int AS on_time
    FROM active a
    LEFT JOIN party p ON p.compound_id = a.id
    LEFT JOIN in_office o ON o.compound_id = a.id
    LEFT JOIN renewed rn ON rn.compound_id = a.id
    LEFT JOIN managed mg ON mg.compound_id = a.id
    LEFT JOIN contracted ct ON ct.compound_id = a.id
    LEFT JOIN record r ON r.compound_id = a.id
    LEFT JOIN score s ON s.compound_id = a.id
),
sums AS (
    SELECT CASE WHEN GROUPING(community) = 0 THEN 'community' WHEN GROUPING(street) = 0 THEN 'street'
                WHEN GROUPING(district) = 0 THEN 'district' ELSE 'city' END AS area_level,
           COALESCE(community, street, district, city) AS area_code,
           COUNT(*) AS compounds, SUM(households) AS households, SUM(party_covered) AS party_covered,
           SUM(eligible) AS eligible, SUM(eligible_formed) AS eligible_formed, SUM(in_office) AS in_office,
           SUM(red) AS red, SUM(dual_role) AS dual_role, SUM(renewed_members) AS renewed_members,
           SUM(renewed_party) AS renewed_party, SUM(served) AS served, SUM(certified) AS certified,
           COALESCE(SUM(score * households), 0) AS score_weighted,
           COALESCE(SUM(households) FILTER (WHERE score IS NOT NULL), 0) AS scored_households,
           SUM(consulted) AS consulted, SUM(complaints) AS complaints, SUM(fees_due) AS fees_due,
           SUM(fees_collected) AS fees_collected, SUM(hotline_received) AS hotline_received,
           SUM(hotline_resolved) AS hotline_resolved, SUM(hotline_satisfied) AS hotline_satisfied,
           SUM(micro_planned) AS micro_planned, SUM(micro_completed) AS micro_completed,
           SUM(hazards_found) AS hazards_found, SUM(hazards_rectified) AS hazards_rectified,
           SUM(guards_employed) AS guards_employed, SUM(guards_certified) AS guards_certified,
           SUM(on_time) AS on_time, COUNT(*) AS expected
    FROM fact
    GROUP BY GROUPING SETS ((community), (street), (district), (city))
)
SELECT s.area_level, s.area_code, v.indicator, v.numerator::numeric AS numerator, v.denominator::numeric AS denominator,
       CASE WHEN v.denominator = 0 THEN NULL ELSE ROUND(v.scale * v.numerator / v.denominator, 4) END AS value
FROM sums s CROSS JOIN LATERAL (VALUES {values}) AS v(indicator, numerator, denominator, scale)
"""

FIRM_PASS = """
INSERT INTO hand_values
SELECT area_level, area_code, 'firm_party_org_coverage', covered, firms,
       CASE WHEN firms = 0 THEN NULL ELSE ROUND(100.0 * covered / firms, 4) END
FROM (
    SELECT CASE WHEN GROUPING(d.code) = 0 THEN 'district' ELSE 'city' END AS area_level,
           COALESCE(d.code, ci.code) AS area_code, COUNT(*) AS firms,
           COUNT(*) FILTER (WHERE f.id IN (
               SELECT l.firm_id FROM committees_partyorganisationfirm l
               JOIN committees_partyorganisation o ON o.id = l.organisation_id
               WHERE o.established_on <= %(end)s AND (o.dissolved_on IS NULL OR o.dissolved_on > %(end)s)
                 AND (l.covered_from IS NULL OR l.covered_from <= %(end)s)
                 AND (l.covered_to IS NULL OR l.covered_to > %(end)s))) AS covered
    FROM communities_propertyfirm f
    LEFT JOIN communities_propertyfirmfactsperiod fp ON fp.firm_id = f.id {in_force_fp}
    JOIN districts_district d ON d.id = f.registered_district_id
    JOIN districts_city ci ON ci.id = d.city_id
    WHERE CASE WHEN fp.id IS NOT NULL THEN fp.has_fixed_premises AND fp.staff_count >= 10 AND fp.in_business
               ELSE NOT EXISTS (SELECT 1 FROM communities_propertyfirmfactsperiod x WHERE x.firm_id = f.id)
                    AND f.has_fixed_premises AND f.staff_count >= 10 AND f.in_business END
    GROUP BY GROUPING SETS ((ci.code, d.code), (ci.code))
) firms
"""


def _month_end(period: datetime.date) -> datetime.date:
    following = datetime.date(period.year + period.month // 12, period.month % 12 + 1, 1)
    return following - datetime.timedelta(days=1)


def _in_force_on_end() -> dict[str, str]:
    """Join conditions for each dated-fact table (alias → its row in force on the month's last day)."""
    return {f"in_force_{alias}": f"AND ({alias}.valid_from IS NULL OR {alias}.valid_from <= %(end)s) "
                                 f"AND ({alias}.valid_to IS NULL OR {alias}.valid_to > %(end)s)"
            for alias in ("hh", "ht", "cc", "mp", "fp")}


def run_hand_pass(cursor, period: datetime.date, eligible=HOUSING_ELIGIBLE_DEFAULT) -> None:
    """Compute `period`'s figures into the temporary table hand_values (replaced if present)."""
    params = {"period": period, "end": _month_end(period), "eligible": list(eligible),
              "year_start": period.replace(month=1), "quarter_start": period.replace(month=(period.month - 1) // 3 * 3 + 1)}
    cursor.execute("DROP TABLE IF EXISTS hand_values")
    cursor.execute(COMPOUND_PASS.format(values=", ".join(
        f"('{c}', ({n})::numeric, ({d})::numeric, {s})" for c, n, d, s in INDICATORS), **_in_force_on_end()), params)
    cursor.execute(FIRM_PASS.format(**_in_force_on_end()), params)
