"""Property-service firms with valid credit codes, their contracts, red/black listings and dismissals."""
import datetime
import math
import random
from collections import Counter
from dataclasses import dataclass

from communities.models import FirmListing, ManagementMode, PropertyFirm, ServiceContract
from communities.validators import CREDIT_CODE_ALPHABET, credit_code_check_character
from districts.models import District

from . import names
from .bulk import insert, insert_count
from .calendar import CAMPAIGN_START, ONE_DAY, REGISTRY_START, add_years, random_day, term_end_after
from .registry import CompoundSeed

COMPOUNDS_PER_FIRM = 6
ZONE_DIVISION = "350500"  # functional zones register firms under the city's division code
RED_REASONS = ("年度物业服务质量考评优秀", "业主满意度测评名列前茅", "物业服务示范项目创建成效突出")
BLACK_REASONS = ("未按规定公示公共收益", "消防设施维护不到位被通报", "12345投诉集中且整改不力", "擅自提高收费标准")
DISMISSAL_REASONS = ("服务质量考评连续不合格，经业主大会表决解聘", "严重违反服务合同约定，被依法清退")


@dataclass(slots=True)
class FirmSeed:
    pk: int
    name: str
    credit_code: str
    district_id: int
    staff: int
    state_owned: bool
    sanyou: bool
    in_business: bool


def _credit_code(rng: random.Random, district: District, taken: set[str]) -> str:
    division = district.code if district.code.isdigit() else ZONE_DIVISION
    while True:
        # Codes issued since 2015 carry an organisation code starting with "MA".
        org = ("MA" + "".join(rng.choices(CREDIT_CODE_ALPHABET, k=7)) if rng.random() < 0.7
               else "".join(rng.choices("0123456789", k=8)) + rng.choice(CREDIT_CODE_ALPHABET))
        body = f"91{division}{org}"
        code = body + credit_code_check_character(body)
        if code not in taken:
            taken.add(code)
            return code


def create_firms(rng: random.Random, seeds: list[CompoundSeed], log) -> list[FirmSeed]:
    districts = list(District.objects.order_by("code"))
    per_district = Counter(s.street.parent_id for s in seeds)
    total = max(2 * len(districts), len(seeds) // COMPOUNDS_PER_FIRM)
    # Every district gets two firms, the first state-owned, so each has someone to take over compounds.
    homes = [d for d in districts for _ in range(2)]
    homes += rng.choices(districts, weights=[per_district[d.pk] + 1 for d in districts], k=total - len(homes))
    codes: set[str] = set()
    rows = []
    for index, district in enumerate(homes):
        forced_state = index < 2 * len(districts) and index % 2 == 0
        staff = min(2000, max(3, round(rng.lognormvariate(math.log(45), 0.9))))
        stars = rng.choices((None, 1, 2, 3, 4, 5), weights=(40, 3, 9, 24, 18, 6 if staff < 100 else 12))[0]
        rows.append(PropertyFirm(
            credit_code=_credit_code(rng, district, codes),
            name=names.firm_name(rng, district.name[:2]),
            registered_district=district,
            staff_count=staff,
            has_fixed_premises=rng.random() < 0.9,
            in_business=forced_state or rng.random() < 0.96,
            is_state_owned=forced_state or rng.random() < 0.08,
            star_rating=stars,
        ))
    firms = [
        FirmSeed(pk=f.pk, name=f.name, credit_code=f.credit_code, district_id=f.registered_district_id,
                 staff=f.staff_count, state_owned=f.is_state_owned, sanyou=f.is_sanyou, in_business=f.in_business)
        for f in insert(PropertyFirm, rows)
    ]
    log(f"物业服务企业：{len(firms)} 家（三有 {sum(f.sanyou for f in firms)} 家）")
    return firms


class _FirmPicker:
    """Picks a firm in the compound's district, bigger firms more often; state-owned for trusteeship."""

    def __init__(self, rng: random.Random, firms: list[FirmSeed]):
        self.rng = rng
        self.pools: dict[tuple[int, bool], tuple[list[FirmSeed], list[float]]] = {}
        for firm in firms:
            if not firm.in_business:
                continue
            for state_only in {False, firm.state_owned}:
                pool, cumulative = self.pools.setdefault((firm.district_id, state_only), ([], []))
                pool.append(firm)
                cumulative.append((cumulative[-1] if cumulative else 0) + firm.staff ** 0.8)

    def __call__(self, district_id: int, mode: str, other_than: FirmSeed | None = None) -> FirmSeed:
        pool, cumulative = self.pools[(district_id, mode == ManagementMode.STATE_TRUSTEESHIP)]
        for _ in range(5):
            # Cumulative weights: choices() then bisects instead of summing the pool on every call.
            firm = self.rng.choices(pool, cum_weights=cumulative)[0]
            if firm is not other_than:
                return firm
        return firm


def _chain(rng, pick, seed: CompoundSeed, mode, start, end_limit, today) -> list[list]:
    """Successive contracts of one management period: renewals, sometimes with another firm."""
    firm = pick(seed.street.parent_id, mode)
    contracts = []
    while True:
        if end_limit and start >= end_limit:
            return contracts
        ends_on = None if rng.random() < 0.3 else term_end_after(start, rng.choice((2, 3, 3, 5)))
        if end_limit and (ends_on is None or ends_on >= end_limit):
            contracts.append([firm, start, end_limit - ONE_DAY, None, ""])
            return contracts
        contracts.append([firm, start, ends_on, None, ""])
        if ends_on is None or ends_on >= today:
            return contracts
        start = ends_on + ONE_DAY
        if rng.random() < 0.15:
            firm = pick(seed.street.parent_id, mode, other_than=firm)


def create_contracts(rng: random.Random, seeds: list[CompoundSeed], firms: list[FirmSeed], *, today, log) -> int:
    pick = _FirmPicker(rng, firms)
    chains = []
    for seed in seeds:
        for index, (mode, start, end) in enumerate(seed.periods):
            if mode not in (ManagementMode.PROFESSIONAL, ManagementMode.STATE_TRUSTEESHIP):
                continue
            if index == 0 and seed.active_from == REGISTRY_START:
                # Compounds older than the registry had their firm before it was set up.
                start = random_day(rng, add_years(REGISTRY_START, -5), REGISTRY_START)
            chains.append((seed, mode, _chain(rng, pick, seed, mode, start, end, today)))

    # A few dismissals (清退): the current firm is removed and another one takes over.
    dismissed = []
    candidates = [c for c in chains if c[1] == ManagementMode.PROFESSIONAL and c[2][-1][1] < CAMPAIGN_START
                  and (c[2][-1][2] is None or c[2][-1][2] > datetime.date(2024, 9, 1))]
    for seed, mode, contracts in rng.sample(candidates, min(len(candidates), max(3, len(seeds) // 250))):
        last = contracts[-1]
        terminated = random_day(rng, datetime.date(2024, 7, 1), min(today, last[2] or today))
        last[3], last[4] = terminated, rng.choice(DISMISSAL_REASONS)
        successor = pick(seed.street.parent_id, mode, other_than=last[0])
        contracts.append([successor, terminated, term_end_after(terminated, 3), None, ""])
        dismissed.append((last[0], terminated))

    count = insert_count(ServiceContract, (
        ServiceContract(firm_id=firm.pk, compound_id=seed.pk, starts_on=start, ends_on=ends_on,
                        terminated_on=terminated, termination_reason=reason)
        for seed, _, contracts in chains for firm, start, ends_on, terminated, reason in contracts
    ))
    log(f"物业服务合同：{count} 份（清退 {len(dismissed)} 起）")
    _create_listings(rng, firms, dismissed, today, log)
    return count


def _create_listings(rng, firms: list[FirmSeed], dismissed, today, log) -> None:
    rows = []
    for firm, terminated in dismissed:
        rows.append(FirmListing(firm_id=firm.pk, kind=FirmListing.Kind.BLACK, reason=rng.choice(BLACK_REASONS),
                                listed_on=min(today, terminated + datetime.timedelta(days=rng.randint(3, 30)))))
    red_count = max(1, len(firms) // 25)
    for firm in rng.sample(firms, min(len(firms), red_count)):
        listed = random_day(rng, CAMPAIGN_START, today)
        # The red list is published yearly: an entry lasts a year.
        delisted = add_years(listed, 1)
        rows.append(FirmListing(firm_id=firm.pk, kind=FirmListing.Kind.RED, reason=rng.choice(RED_REASONS),
                                listed_on=listed, delisted_on=delisted if delisted <= today else None))
    for firm in rng.sample(firms, min(len(firms), max(1, len(firms) // 60))):
        listed = random_day(rng, CAMPAIGN_START, today)
        delisted = listed + datetime.timedelta(days=rng.randint(180, 365))
        rows.append(FirmListing(firm_id=firm.pk, kind=FirmListing.Kind.BLACK, reason=rng.choice(BLACK_REASONS),
                                listed_on=listed, delisted_on=delisted if delisted <= today and rng.random() < 0.5 else None))
    log(f"红黑榜：{insert_count(FirmListing, rows)} 条")
