"""Owners' committees (业委会) with five-year terms, renewals, dissolutions, and their members.

Formation among commodity compounds follows the campaign's published trend: about 40% in office
at the start of 2024, over 80% a year later, about 90% by late 2026.
"""
import datetime
import random
from itertools import islice

from committees.models import CommitteeMember, OwnersCommittee
from communities.models import HousingType

from . import names
from .bulk import BATCH_SIZE, insert, insert_count
from .calendar import CAMPAIGN_START, ONE_DAY, REGISTRY_START, random_day, term_end_after
from .registry import CompoundSeed

TERM_YEARS = 5
HALF_YEAR = datetime.timedelta(days=180)
# Renewal (换届) starts a few months before a term ends.
RENEWAL_LEAD = datetime.timedelta(days=120)
# Share of non-commodity compounds that form a committee at some point.
OTHER_FORMATION = {HousingType.RESETTLEMENT: 0.3, HousingType.AFFORDABLE: 0.15}


def _days(rng, low, high) -> datetime.timedelta:
    return datetime.timedelta(days=rng.randint(low, high))


def _first_term_start(rng: random.Random, seed: CompoundSeed, today: datetime.date) -> datetime.date | None:
    u = rng.random()
    if seed.housing_type == HousingType.COMMODITY:
        if u < 0.43:
            start = random_day(rng, datetime.date(2014, 1, 1), CAMPAIGN_START - ONE_DAY)
        elif u < 0.875:
            start = random_day(rng, CAMPAIGN_START, datetime.date(2024, 12, 31))
        elif u < 0.965:
            start = random_day(rng, datetime.date(2025, 1, 1), today)
        else:
            return None
    elif u < OTHER_FORMATION.get(seed.housing_type, 0.05):
        start = random_day(rng, datetime.date(2016, 1, 1), today)
    else:
        return None
    # Owners elect a committee once the compound is lived in: not before a year after completion.
    start = max(start, datetime.date(seed.year_built + 1, 6, 1))
    if seed.active_from > REGISTRY_START:
        start = max(start, seed.active_from + _days(rng, 120, 540))
    if seed.closed_on and start >= seed.closed_on:
        return None
    return start if start <= today else None


def _terms(rng: random.Random, seed: CompoundSeed, today: datetime.date) -> list[OwnersCommittee]:
    start = _first_term_start(rng, seed, today)
    if start is None:
        if seed.housing_type == HousingType.COMMODITY and rng.random() < 0.35:
            return [OwnersCommittee(compound_id=seed.pk, preparation_started_on=random_day(
                rng, datetime.date(2025, 1, 1), today))]
        return []
    committees = []
    while start is not None and start <= today:
        end = term_end_after(start, TERM_YEARS)
        elected = start - _days(rng, 0, 10)
        committee = OwnersCommittee(compound_id=seed.pk, preparation_started_on=elected - _days(rng, 60, 200),
                                    elected_on=elected, term_start=start, term_end=end)
        next_start = None
        latest_dissolution = min(end, today)
        if rng.random() < 0.02 and start + HALF_YEAR < latest_dissolution:
            committee.dissolved_on = random_day(rng, start + HALF_YEAR, latest_dissolution)
            if rng.random() < 0.5:
                next_start = committee.dissolved_on + _days(rng, 180, 540)
        elif end < today + RENEWAL_LEAD:
            renewal = end - _days(rng, 30, 150)
            committee.renewal_started_on = renewal if renewal <= today else None
            if rng.random() < 0.9:
                # Most renew on time; some stay 到期未换届 for a while.
                next_start = end + ONE_DAY + (_days(rng, 20, 240) if rng.random() < 0.4 else datetime.timedelta())
        committees.append(committee)
        start = next_start
    return committees


def _members(rng: random.Random, committee: OwnersCommittee) -> list[CommitteeMember]:
    """Members of an elected committee; also sets the committee's 一肩挑 flag, which needs a party chair."""
    recent = committee.term_start >= CAMPAIGN_START
    size = rng.choice((5, 5, 6, 7, 7, 7, 8, 9))
    party_share = 0.58 if recent else 0.35
    vice_chairs = 1 if size <= 6 else 2
    members = []
    for index in range(size):
        role = (CommitteeMember.Role.CHAIR if index == 0 else
                CommitteeMember.Role.VICE_CHAIR if index <= vice_chairs else CommitteeMember.Role.MEMBER)
        # The campaign pushes for party members as chairs.
        party = rng.random() < (party_share + 0.2 if index == 0 else party_share)
        members.append(CommitteeMember(name=names.person_name(rng), role=role,
                                       is_party_member=party, phone=names.mobile_number(rng)))
    if members[0].is_party_member and rng.random() < (0.45 if recent else 0.15):
        committee.chair_is_branch_secretary = True
    return members


def create_committees(rng: random.Random, seeds: list[CompoundSeed], *, today, log) -> tuple[int, int]:
    committees = members = 0
    iterator = iter(seeds)
    while chunk := list(islice(iterator, BATCH_SIZE)):
        rows = [committee for seed in chunk for committee in _terms(rng, seed, today)]
        rosters = [(c, _members(rng, c)) for c in rows if c.term_start]
        committees += sum(1 for _ in insert(OwnersCommittee, rows))
        for committee, roster in rosters:
            for member in roster:
                member.committee_id = committee.pk
        members += insert_count(CommitteeMember, (m for _, roster in rosters for m in roster))
    log(f"业委会：{committees} 个（成员 {members} 人）")
    return committees, members
