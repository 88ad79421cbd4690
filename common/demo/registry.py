"""Residential compounds with their management-mode history, safety certification and merges."""
import datetime
import math
import random
from dataclasses import dataclass
from itertools import accumulate

from communities.models import Compound, CompoundManagementPeriod, HousingType, ManagementMode
from districts.models import Street

from . import names
from .areas import StreetSeed
from .bulk import BATCH_SIZE, insert, insert_count
from .calendar import CAMPAIGN_START, REGISTRY_START, add_months, random_day

HOUSING_MIX = {  # share of housing types, urban streets / towns and townships
    "urban": {HousingType.COMMODITY: 64, HousingType.RESETTLEMENT: 14, HousingType.REFORMED_PUBLIC: 9,
              HousingType.WORK_UNIT: 7, HousingType.AFFORDABLE: 6},
    "rural": {HousingType.COMMODITY: 45, HousingType.RESETTLEMENT: 35, HousingType.REFORMED_PUBLIC: 5,
              HousingType.WORK_UNIT: 8, HousingType.AFFORDABLE: 7},
}
# (median households, spread) of the log-normal household count per housing type.
HOUSEHOLDS = {
    HousingType.COMMODITY: (420, 0.75), HousingType.RESETTLEMENT: (560, 0.6),
    HousingType.REFORMED_PUBLIC: (90, 0.6), HousingType.WORK_UNIT: (70, 0.6), HousingType.AFFORDABLE: (480, 0.5),
}
# Management mode a compound starts with, per housing type.
INITIAL_MODE = {
    HousingType.COMMODITY: {ManagementMode.PROFESSIONAL: 88, ManagementMode.STATE_TRUSTEESHIP: 3,
                            ManagementMode.COMMUNITY_LED: 2, ManagementMode.SELF_MANAGED: 3, ManagementMode.UNMANAGED: 4},
    HousingType.RESETTLEMENT: {ManagementMode.PROFESSIONAL: 45, ManagementMode.STATE_TRUSTEESHIP: 20,
                               ManagementMode.COMMUNITY_LED: 15, ManagementMode.SELF_MANAGED: 5, ManagementMode.UNMANAGED: 15},
    HousingType.REFORMED_PUBLIC: {ManagementMode.PROFESSIONAL: 15, ManagementMode.STATE_TRUSTEESHIP: 15,
                                  ManagementMode.COMMUNITY_LED: 20, ManagementMode.SELF_MANAGED: 15, ManagementMode.UNMANAGED: 35},
    HousingType.WORK_UNIT: {ManagementMode.PROFESSIONAL: 10, ManagementMode.STATE_TRUSTEESHIP: 20,
                            ManagementMode.COMMUNITY_LED: 20, ManagementMode.SELF_MANAGED: 15, ManagementMode.UNMANAGED: 35},
    HousingType.AFFORDABLE: {ManagementMode.PROFESSIONAL: 50, ManagementMode.STATE_TRUSTEESHIP: 40,
                             ManagementMode.COMMUNITY_LED: 5, ManagementMode.UNMANAGED: 5},
}
# Where an unmanaged compound ends up once the campaign finds it a manager.
TAKEN_OVER_BY = {ManagementMode.STATE_TRUSTEESHIP: 45, ManagementMode.COMMUNITY_LED: 35, ManagementMode.PROFESSIONAL: 20}
MERGE_DISTRICT = "350502"  # 鲤城区: the old town, where small old compounds are merged
MERGE_STREET = "350502003"  # 鲤中街道 merged almost all of them (139 into 76)


@dataclass(slots=True)
class CompoundSeed:
    code: str
    name: str
    street: Street
    community_id: int
    housing_type: str
    households: int
    buildings: int
    year_built: int
    is_old: bool
    active_from: datetime.date
    address: str
    periods: list[tuple[str, datetime.date, datetime.date | None]]
    safety_certified_on: datetime.date | None
    closed_on: datetime.date | None = None
    merged_into: "CompoundSeed | None" = None
    pk: int | None = None

    @property
    def mode(self) -> str:
        return self.periods[-1][0]

    def mode_on(self, day: datetime.date) -> str | None:
        for mode, start, end in self.periods:
            if start <= day and (end is None or day < end):
                return mode
        return None

    def is_active_on(self, day: datetime.date) -> bool:
        return self.active_from <= day and (self.closed_on is None or day < self.closed_on)


def _pick(rng: random.Random, weights: dict) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _year_built(rng: random.Random, housing_type: str, today: datetime.date) -> int:
    r = rng.random()
    if housing_type == HousingType.REFORMED_PUBLIC:
        return rng.randint(1980, 1999)
    if housing_type == HousingType.WORK_UNIT:
        return rng.randint(1975, 2002)
    if r > 0.955:  # completed during the campaign: the registry grows
        return rng.randint(CAMPAIGN_START.year, today.year)
    if housing_type == HousingType.COMMODITY:
        return rng.randint(1990, 1999) if r < 0.12 else rng.randint(2000, 2012) if r < 0.45 else rng.randint(2013, 2023)
    return rng.randint(2008 if housing_type == HousingType.AFFORDABLE else 2000, 2023)


def _periods(rng, housing_type, active_from, today):
    mode = _pick(rng, INITIAL_MODE[housing_type])
    if mode != ManagementMode.UNMANAGED or rng.random() > 0.85:
        return [(mode, active_from, None)]
    # The campaign finds unmanaged compounds a manager, mostly early on (the power skews dates earlier).
    span = (today - CAMPAIGN_START).days
    taken_over = CAMPAIGN_START + datetime.timedelta(days=int(span * rng.random() ** 1.5))
    if taken_over <= active_from:
        return [(_pick(rng, TAKEN_OVER_BY), active_from, None)]
    return [(ManagementMode.UNMANAGED, active_from, taken_over), (_pick(rng, TAKEN_OVER_BY), taken_over, None)]


def _safety_certified_on(rng, housing_type, active_from, today):
    if rng.random() > (0.8 if housing_type == HousingType.COMMODITY else 0.5):
        return None
    # More compounds certify every year: dates skewed towards today.
    start = datetime.date(2022, 1, 1)
    day = start + datetime.timedelta(days=int((today - start).days * rng.random() ** 0.6))
    day = max(day, active_from + datetime.timedelta(days=rng.randint(60, 400)))
    return day if day <= today else None


def _allocate(rng: random.Random, streets: list[StreetSeed], total: int) -> list[int]:
    """Compounds per street: one each first so every street reports, the rest by weight."""
    counts = [1 if total >= len(streets) else 0 for _ in streets]
    weights = [s.weight * (3 if s.street.code == MERGE_STREET else 1) for s in streets]
    for index in rng.choices(range(len(streets)), weights=weights, k=total - sum(counts)):
        counts[index] += 1
    return counts


def generate(rng: random.Random, streets: list[StreetSeed], *, total: int, today: datetime.date) -> list[CompoundSeed]:
    latest_completion = add_months(today.replace(day=1), -1)
    seeds = []
    for street_seed, count in zip(streets, _allocate(rng, streets, total)):
        street = street_seed.street
        communities = street_seed.communities
        community_weights = list(accumulate((3.0 if c.kind == "community" else 0.6) * rng.uniform(0.3, 1.7)
                                            for c in communities))
        mix = HOUSING_MIX["urban" if street.kind == Street.Kind.STREET else "rural"]
        taken: set[str] = set()
        for number in range(1, count + 1):
            community = rng.choices(communities, cum_weights=community_weights)[0]
            housing_type = _pick(rng, mix)
            year = _year_built(rng, housing_type, today)
            completion = min(datetime.date(year, rng.randint(1, 12), 1), latest_completion)
            active_from = max(completion, REGISTRY_START)
            median, spread = HOUSEHOLDS[housing_type]
            households = min(3000, max(50, round(rng.lognormvariate(math.log(median), spread))))
            old = year <= 2000 or (year <= 2005 and housing_type in (HousingType.REFORMED_PUBLIC, HousingType.WORK_UNIT))
            per_building = rng.uniform(12, 36) if old else rng.uniform(40, 150)
            place = community.name.removesuffix("社区").removesuffix("村")
            seeds.append(CompoundSeed(
                code=f"XQ{street.code}{number:05d}",
                name=names.unique_name(names.compound_name(rng, housing_type, place), taken),
                street=street,
                community_id=community.pk,
                housing_type=housing_type,
                households=households,
                buildings=max(1, round(households / per_building)),
                year_built=year,
                is_old=old and rng.random() < 0.92,
                active_from=active_from,
                address=f"{street.parent.name}{street.name}{names.road_address(rng)}",
                periods=_periods(rng, housing_type, active_from, today),
                safety_certified_on=_safety_certified_on(rng, housing_type, active_from, today),
            ))
    return seeds


def plan_merges(rng: random.Random, seeds: list[CompoundSeed]) -> int:
    """Merge small old neighbouring compounds into one management area, as 鲤中街道 did.

    Only non-commodity housing (old dormitories, reformed housing) is merged, so committees and
    contracts of merged compounds need no special ending. Returns the number of merged compounds.
    """
    groups: dict[int, list[CompoundSeed]] = {}
    for seed in seeds:
        in_scope = seed.street.code == MERGE_STREET or (seed.street.parent.code == MERGE_DISTRICT and rng.random() < 0.3)
        if (in_scope and seed.is_old and seed.households < 200 and seed.housing_type != HousingType.COMMODITY
                and seed.active_from < CAMPAIGN_START):
            groups.setdefault(seed.community_id, []).append(seed)
    merged = 0
    for candidates in groups.values():
        while len(candidates) >= 2:
            size = min(len(candidates), rng.randint(2, 3))
            group, candidates = candidates[:size], candidates[size:]
            target = max(group, key=lambda s: s.households)
            closed_on = random_day(rng, datetime.date(2024, 3, 1), datetime.date(2025, 6, 30))
            for seed in group:
                if seed is target:
                    continue
                seed.closed_on, seed.merged_into = closed_on, target
                target.households += seed.households
                target.buildings += seed.buildings
                seed.periods = [(m, s, e if e is not None and e < closed_on else closed_on)
                                for m, s, e in seed.periods if s < closed_on]
                if seed.safety_certified_on and seed.safety_certified_on >= closed_on:
                    seed.safety_certified_on = None
                merged += 1
    return merged


def save(seeds: list[CompoundSeed], log) -> int:
    """Insert compounds, link merged ones, insert their management periods; returns the periods count."""
    rows = (
        Compound(code=s.code, name=s.name, community_id=s.community_id, address=s.address, households=s.households,
                 buildings=s.buildings, year_built=s.year_built, housing_type=s.housing_type, is_old_compound=s.is_old,
                 management_mode=s.mode, safety_certified_on=s.safety_certified_on, active_from=s.active_from,
                 closed_on=s.closed_on)
        for s in seeds
    )
    for seed, compound in zip(seeds, insert(Compound, rows)):
        seed.pk = compound.pk
    log(f"小区：{len(seeds)} 个")
    merged = [Compound(pk=s.pk, merged_into_id=s.merged_into.pk) for s in seeds if s.merged_into]
    Compound.objects.bulk_update(merged, ["merged_into"], batch_size=BATCH_SIZE)
    return insert_count(CompoundManagementPeriod, (
        CompoundManagementPeriod(compound_id=s.pk, mode=mode, valid_from=start, valid_to=end)
        for s in seeds for mode, start, end in s.periods
    ))
