"""Quanzhou's real streets/townships and communities/villages, with their official codes.

They are loaded from the vendored division codes (districts.services.divisions_load, as
`manage.py load_divisions 3505` does): 174 township-level units and 2,572 communities and villages,
金门县 left out; the functional zones administer the streets zones.csv lists. Only compounds are
synthetic.
"""
import random
from dataclasses import dataclass, field

from communities.models import Community
from districts.models import Street
from districts.services import divisions_load

CITY_PREFIX = "3505"

# The streets named in the campaign (DOMAIN.md), by official code.
CAMPAIGN_STREETS = {
    "350502003": "鲤中街道", "350502006": "江南街道", "350503002": "丰泽街道", "350503001": "东湖街道",
    "350504001": "万安街道", "350505001": "山腰街道", "350582107": "池店镇", "350582001": "青阳街道",
    "350581100": "灵秀镇", "350583003": "美林街道", "350521107": "崇武镇", "350524100": "凤城镇",
    "350525100": "桃城镇", "350526101": "龙浔镇", "350521105": "东园镇",
}
# How many compounds a street draws relative to others: urban streets far more than townships.
KIND_WEIGHT = {Street.Kind.STREET: 6.0, Street.Kind.TOWN: 1.5, Street.Kind.TOWNSHIP: 0.3, Street.Kind.OTHER: 0.2}
URBAN_DISTRICTS = {"350502", "350503", "350581", "350582"}


@dataclass
class StreetSeed:
    street: Street
    weight: float
    communities: list[Community] = field(default_factory=list)


def _street_weight(rng: random.Random, street: Street) -> float:
    urban = 1.8 if street.parent.code in URBAN_DISTRICTS else 1.0
    return KIND_WEIGHT[street.kind] * urban * rng.uniform(0.5, 1.5)


def ensure_areas(rng: random.Random, *, log) -> list[StreetSeed]:
    """Load the city's divisions where missing; return every street with its communities."""
    loaded = divisions_load(prefix=CITY_PREFIX)
    streets = list(Street.objects.select_related("district").order_by("code"))
    log(f"街道(乡镇)：{len(streets)} 个（新建 {loaded.created['street']} 个）")
    communities_by_street: dict[int, list[Community]] = {}
    for community in Community.objects.order_by("code"):
        communities_by_street.setdefault(community.parent_id, []).append(community)
    log(f"社区(村)：{sum(map(len, communities_by_street.values()))} 个（新建 {loaded.created['community']} 个）")
    # A street with no community in the data (none in Quanzhou) cannot hold a compound.
    return [StreetSeed(street=s, weight=_street_weight(rng, s), communities=communities_by_street[s.pk])
            for s in streets if s.pk in communities_by_street]
