"""A small hand-built city whose every indicator for March 2024 is worked out by hand in the tests.

District D1 has streets S1 (communities C1, C2) and S2 (community C3); district D2 has street S3
(community C4). Compounds, all active on 2024-03-31 unless said:

  A  S1/C1 commodity     100 hh  firm-served with a live contract, party-covered, committee (2023,
                                 3 members, 2 party, chair is branch secretary), safety certified
  B  S1/C1 commodity     300 hh  unmanaged (失管), nothing else
  E  S1/C2 resettlement  200 hh  community-led, party-covered, committee elected 2024-02-15
                                 (4 members, 1 party); evaluated 80 in February
  F  S2/C3 commodity    1000 hh  firm-served but its contract ended 2024-02-29, committee elected
                                 2024-03-10 (5 members, 3 party); certified only in April
  G  S3/C4 commodity     400 hh  self-managed, party-covered; its March report is only submitted
  M  S1/C1 commodity      50 hh  merged into A on 2024-03-01: no longer counted in March

S1's March report is approved and was submitted on the due day (Beijing evening); S2's is
approved but was submitted a day late; S3's is submitted (not approved) on time.
"""
import datetime
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from committees.models import CommitteeMember, PartyOrganisation, PartyOrganisationCompound, PartyOrganisationFirm
from communities.models import HousingType, ManagementMode
from districts.models import City
from metrics.models import StaleStreetMonth
from metrics.services import recompute_range
from reporting.models import MonthlyRecord, MonthlyReport, ReportState
from tests.factories import (
    CommunityFactory,
    CompoundFactory,
    DistrictFactory,
    OwnersCommitteeFactory,
    PartyOrganisationFactory,
    PropertyFirmFactory,
    ServiceContractFactory,
    StreetFactory,
)

MARCH = datetime.date(2024, 3, 1)
FEBRUARY = datetime.date(2024, 2, 1)
JANUARY = datetime.date(2024, 1, 1)
BEIJING = ZoneInfo("Asia/Shanghai")


@dataclass
class World:
    city: City
    areas: dict
    compounds: dict
    reports: dict


def committee(compound, *, elected_on, members, party, chair_is_branch_secretary=False):
    term_end = elected_on.replace(year=elected_on.year + 5) - datetime.timedelta(days=1)
    owners_committee = OwnersCommitteeFactory(compound=compound, elected_on=elected_on, term_start=elected_on,
                                              term_end=term_end, chair_is_branch_secretary=chair_is_branch_secretary)
    for n in range(members):
        CommitteeMember.objects.create(committee=owners_committee, name=f"成员{n}", is_party_member=n < party,
                                       role=CommitteeMember.Role.CHAIR if n == 0 else CommitteeMember.Role.MEMBER)
    return owners_committee


def report(street, period, *, state, submitted_on_local):
    due_on = datetime.date(period.year + period.month // 12, period.month % 12 + 1, 10)
    return MonthlyReport.objects.create(street=street, period=period, state=state, due_on=due_on,
                                        submitted_at=submitted_on_local.replace(tzinfo=BEIJING))


def record(report_, compound, **figures):
    return MonthlyRecord.objects.create(report=report_, compound=compound, period=report_.period, **figures)


def cover(compound, organisation, **dates):
    PartyOrganisationCompound.objects.create(organisation=organisation, compound=compound, **dates)


@pytest.fixture
def world(db) -> World:
    city = City.objects.get(code="350500")
    d1, d2 = DistrictFactory(city=city, code="D1"), DistrictFactory(city=city, code="D2")
    s1, s2, s3 = StreetFactory(district=d1, code="S1"), StreetFactory(district=d1, code="S2"), StreetFactory(
        district=d2, code="S3")
    c1, c2 = CommunityFactory(street=s1, code="C1"), CommunityFactory(street=s1, code="C2")
    c3, c4 = CommunityFactory(street=s2, code="C3"), CommunityFactory(street=s3, code="C4")

    a = CompoundFactory(community=c1, code="A", households=100, management_mode=ManagementMode.PROFESSIONAL,
                        safety_certified_on=datetime.date(2023, 6, 1))
    b = CompoundFactory(community=c1, code="B", households=300, management_mode=ManagementMode.UNMANAGED)
    e = CompoundFactory(community=c2, code="E", households=200, housing_type=HousingType.RESETTLEMENT,
                        management_mode=ManagementMode.COMMUNITY_LED)
    f = CompoundFactory(community=c3, code="F", households=1000, management_mode=ManagementMode.PROFESSIONAL,
                        safety_certified_on=datetime.date(2024, 4, 1))
    g = CompoundFactory(community=c4, code="G", households=400, management_mode=ManagementMode.SELF_MANAGED)
    m = CompoundFactory(community=c1, code="M", households=50, closed_on=MARCH, merged_into=a)

    firm1 = PropertyFirmFactory(registered_district=d1)
    firm2 = PropertyFirmFactory(registered_district=d1)
    PropertyFirmFactory(registered_district=d1, staff_count=5)  # not 三有: outside the firm indicator
    firm4 = PropertyFirmFactory(registered_district=d2)
    firm_org = PartyOrganisationFactory(street=s1, kind=PartyOrganisation.Kind.FIRM)
    PartyOrganisationFirm.objects.create(organisation=firm_org, firm=firm1)
    PartyOrganisationFirm.objects.create(organisation=firm_org, firm=firm4, covered_from=datetime.date(2024, 4, 1))

    ServiceContractFactory(firm=firm1, compound=a, starts_on=datetime.date(2022, 1, 1))
    ServiceContractFactory(firm=firm2, compound=f, starts_on=datetime.date(2022, 1, 1),
                           ends_on=datetime.date(2024, 2, 29))

    branch = PartyOrganisationFactory(street=s1)
    for compound in (a, e, m):
        cover(compound, branch)
    cover(g, PartyOrganisationFactory(street=s3))

    committee(a, elected_on=datetime.date(2023, 5, 1), members=3, party=2, chair_is_branch_secretary=True)
    committee(e, elected_on=datetime.date(2024, 2, 15), members=4, party=1)
    committee(f, elected_on=datetime.date(2024, 3, 10), members=5, party=3)
    committee(m, elected_on=datetime.date(2023, 1, 1), members=3, party=3)

    feb_s1 = report(s1, FEBRUARY, state=ReportState.APPROVED, submitted_on_local=datetime.datetime(2024, 3, 5, 9))
    record(feb_s1, e, evaluation_score=Decimal("80"))
    feb_s2 = report(s2, FEBRUARY, state=ReportState.APPROVED, submitted_on_local=datetime.datetime(2024, 3, 5, 9))
    record(feb_s2, f)
    mar_s1 = report(s1, MARCH, state=ReportState.APPROVED, submitted_on_local=datetime.datetime(2024, 4, 10, 20))
    mar_s2 = report(s2, MARCH, state=ReportState.APPROVED, submitted_on_local=datetime.datetime(2024, 4, 11, 9))
    mar_s3 = report(s3, MARCH, state=ReportState.SUBMITTED, submitted_on_local=datetime.datetime(2024, 4, 5, 9))
    record(mar_s1, a, weekly_meetings=2, petitions=1, hotline_received=4, hotline_resolved=3, hotline_satisfied=2,
           fees_due=Decimal("10000"), fees_collected=Decimal("9000"), micro_matters_planned=2,
           micro_matters_completed=1, hazards_found=4, hazards_rectified=3, guards_employed=5, guards_certified=4,
           evaluation_score=Decimal("90"))
    record(mar_s1, b, petitions=2, fees_due=Decimal("5000"), fees_collected=Decimal("2500"), guards_employed=2)
    record(mar_s1, e, monthly_meetings=1, hotline_received=2, hotline_resolved=2, hotline_satisfied=1,
           micro_matters_planned=1, micro_matters_completed=1, hazards_found=2, hazards_rectified=2)
    record(mar_s2, f, petitions=3, hotline_received=5, hotline_resolved=5, hotline_satisfied=5,
           fees_due=Decimal("20000"), fees_collected=Decimal("20000"), hazards_found=1, guards_employed=10,
           guards_certified=10, evaluation_score=Decimal("70"))
    record(mar_s3, g, weekly_meetings=1, petitions=1, hotline_received=1, hotline_resolved=1, hotline_satisfied=1,
           fees_due=Decimal("4000"), fees_collected=Decimal("4000"), guards_employed=2, guards_certified=2,
           evaluation_score=Decimal("100"))

    # Building the city marked its street-months stale, as any registry edit does: start from none.
    StaleStreetMonth.objects.all().delete()
    return World(
        city=city,
        areas={"D1": d1, "D2": d2, "S1": s1, "S2": s2, "S3": s3, "C1": c1, "C2": c2, "C3": c3, "C4": c4},
        compounds={"A": a, "B": b, "E": e, "F": f, "G": g, "M": m},
        reports={"mar_s1": mar_s1, "mar_s2": mar_s2, "mar_s3": mar_s3},
    )


@pytest.fixture
def computed(world, settings):
    """The world's January to March computed, January as the baseline."""
    settings.METRICS_BASELINE_PERIOD = "2024-01"
    recompute_range(first=JANUARY, last=MARCH)
    return world
