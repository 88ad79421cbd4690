"""Party organisations (党组织) and what they cover, growing from 2024 towards full coverage.

Compounds are covered by their own branch (小区党支部), by a joint branch of neighbouring
compounds (联合党支部) or by the community's 大党委; the campaign reaches every compound by
2025-05-31. Firms are covered by their own party organisation or a joint one per district: 三有
firms go from about 38% at the start of 2024 to all of them by the end of 2025-03.
"""
import datetime
import random
from dataclasses import dataclass, field

from committees.models import PartyOrganisation, PartyOrganisationCompound, PartyOrganisationFirm
from communities.models import Community
from districts.models import District, Street

from .areas import StreetSeed
from .bulk import insert, insert_count
from .calendar import CAMPAIGN_START, ONE_DAY, REGISTRY_START, random_day
from .firms import FirmSeed
from .registry import CompoundSeed

COMPOUNDS_FULLY_COVERED = datetime.date(2025, 5, 31)
FIRMS_FULLY_COVERED = datetime.date(2025, 3, 31)
Kind, Form = PartyOrganisation.Kind, PartyOrganisation.Form


@dataclass
class _Org:
    organisation: PartyOrganisation
    links: list[tuple[object, datetime.date, datetime.date | None]] = field(default_factory=list)


def _compound_covered_from(rng: random.Random, seed: CompoundSeed, today) -> datetime.date | None:
    if seed.active_from < CAMPAIGN_START:
        covered = (random_day(rng, seed.active_from, CAMPAIGN_START - ONE_DAY) if rng.random() < 0.55
                   else random_day(rng, CAMPAIGN_START, COMPOUNDS_FULLY_COVERED))
    else:
        covered = seed.active_from + datetime.timedelta(days=rng.randint(0, 75))
        if seed.active_from <= COMPOUNDS_FULLY_COVERED:
            covered = min(covered, COMPOUNDS_FULLY_COVERED)
    if covered > today or (seed.closed_on and covered >= seed.closed_on):
        return None
    return covered


def _compound_organisations(rng, seeds: list[CompoundSeed], streets: list[StreetSeed], today) -> list[_Org]:
    communities: dict[int, tuple[Community, Street]] = {
        c.pk: (c, s.street) for s in streets for c in s.communities
    }
    orgs: list[_Org] = []
    joint: dict[int, list[tuple[CompoundSeed, datetime.date]]] = {}
    grand: dict[int, list[tuple[CompoundSeed, datetime.date]]] = {}
    for seed in seeds:
        covered = _compound_covered_from(rng, seed, today)
        if covered is None:
            continue
        u = rng.random()
        if u < (0.7 if seed.households >= 300 else 0.15):
            form = Form.FORMAL if rng.random() < 0.75 else Form.FUNCTIONAL
            org = PartyOrganisation(code=f"DZB{seed.code[2:]}", name=f"中共{seed.name}支部委员会", kind=Kind.COMPOUND_BRANCH,
                                    form=form, district_id=seed.street.parent_id, street=seed.street,
                                    established_on=covered)
            orgs.append(_Org(org, [(seed, covered, seed.closed_on)]))
        elif u < 0.75:
            joint.setdefault(seed.community_id, []).append((seed, covered))
        else:
            grand.setdefault(seed.community_id, []).append((seed, covered))

    for community_id, members in joint.items():
        community, street = communities[community_id]
        members.sort(key=lambda m: m[1])
        number = 0
        while members:
            size = rng.randint(2, 4)
            group, members = members[:size], members[size:]
            number += 1
            org = PartyOrganisation(
                code=f"LH{community.code}{number:02d}", name=f"中共{community.name}{group[0][0].name}等{len(group)}个小区联合支部委员会",
                kind=Kind.COMPOUND_BRANCH, form=Form.JOINT, district_id=street.parent_id, street=street,
                established_on=group[0][1])
            orgs.append(_Org(org, [(seed, covered, seed.closed_on) for seed, covered in group]))

    # Every community with compounds has its 大党委; it covers those without a branch of their own.
    for community_id in sorted({s.community_id for s in seeds}):
        community, street = communities[community_id]
        members = grand.get(community_id, [])
        established = random_day(rng, REGISTRY_START, datetime.date(2022, 12, 31))
        established = min([established, *(covered for _, covered in members)])
        org = PartyOrganisation(code=f"DW{community.code}", name=f"中共{community.name}委员会（大党委）",
                                kind=Kind.COMMUNITY_GRAND, form=Form.FORMAL, district_id=street.parent_id,
                                street=street, established_on=established)
        orgs.append(_Org(org, [(seed, covered, seed.closed_on) for seed, covered in members]))
    return orgs


def _firm_covered_from(rng: random.Random, firm: FirmSeed, today) -> datetime.date | None:
    if firm.sanyou:
        return (random_day(rng, REGISTRY_START, CAMPAIGN_START - ONE_DAY) if rng.random() < 0.38
                else random_day(rng, CAMPAIGN_START, FIRMS_FULLY_COVERED))
    if firm.in_business and rng.random() < 0.3:
        return random_day(rng, REGISTRY_START, today)
    return None


def _firm_organisations(rng, firms: list[FirmSeed], today) -> list[_Org]:
    districts = District.objects.in_bulk()
    orgs: list[_Org] = []
    pooled: dict[int, list[tuple[FirmSeed, datetime.date]]] = {}
    for firm in firms:
        covered = _firm_covered_from(rng, firm, today)
        if covered is None:
            continue
        if firm.staff >= 80:
            org = PartyOrganisation(code=f"QY{firm.credit_code}", name=f"中共{firm.name}支部委员会", kind=Kind.FIRM,
                                    form=Form.FORMAL, district_id=firm.district_id, established_on=covered)
            orgs.append(_Org(org, [(firm, covered, None)]))
        else:
            pooled.setdefault(firm.district_id, []).append((firm, covered))
    for district_id, members in sorted(pooled.items()):
        members.sort(key=lambda m: m[1])
        number = 0
        while members:
            size = rng.randint(3, 8)
            group, members = members[:size], members[size:]
            number += 1
            district = districts[district_id]
            org = PartyOrganisation(code=f"QL{district.code}{number:03d}",
                                    name=f"中共{district.name}物业服务行业第{number}联合支部委员会", kind=Kind.FIRM,
                                    form=Form.JOINT, district_id=district_id, established_on=group[0][1])
            orgs.append(_Org(org, [(firm, covered, None) for firm, covered in group]))
    return orgs


def create_party_organisations(rng: random.Random, seeds, streets, firms, *, today, log) -> tuple[int, int]:
    compound_orgs = _compound_organisations(rng, seeds, streets, today)
    firm_orgs = _firm_organisations(rng, firms, today)
    organisations = sum(1 for _ in insert(PartyOrganisation, (o.organisation for o in compound_orgs + firm_orgs)))
    links = insert_count(PartyOrganisationCompound, (
        PartyOrganisationCompound(organisation_id=o.organisation.pk, compound_id=seed.pk, covered_from=start, covered_to=end)
        for o in compound_orgs for seed, start, end in o.links
    ))
    links += insert_count(PartyOrganisationFirm, (
        PartyOrganisationFirm(organisation_id=o.organisation.pk, firm_id=firm.pk, covered_from=start, covered_to=end)
        for o in firm_orgs for firm, start, end in o.links
    ))
    log(f"党组织：{organisations} 个（覆盖关系 {links} 条）")
    return organisations, links
