"""Streets/townships beyond the 15 named ones, and communities (社区/村) under every street.

The 13 county-level units and the 15 named streets come from districts migration 0002 and are
reused. Further street-level units are listed here per county (about 160 in all, as in Quanzhou);
communities are generated.
"""
import random
from dataclasses import dataclass, field

from communities.models import Community
from districts.models import District, Street

from . import names
from .bulk import insert

# The streets named in the campaign (DOMAIN.md), by official code.
CAMPAIGN_STREETS = {
    "350502003": "鲤中街道", "350502006": "江南街道", "350503002": "丰泽街道", "350503001": "东湖街道",
    "350504001": "万安街道", "350505001": "山腰街道", "350582107": "池店镇", "350582001": "青阳街道",
    "350581100": "灵秀镇", "350583003": "美林街道", "350521107": "崇武镇", "350524100": "凤城镇",
    "350525100": "桃城镇", "350526101": "龙浔镇", "350521105": "东园镇",
}
# Street-level units per county-level unit besides those loaded by migration.
EXTRA_STREETS = {
    "350502": "开元街道 海滨街道 临江街道 浮桥街道 金龙街道 常泰街道",
    "350503": "东海街道 城东街道 华大街道 泉秀街道 清源街道 北峰街道",
    "350504": "双阳街道 河市镇 马甲镇 罗溪镇 虹山乡",
    "350505": "南埔镇 界山镇 后龙镇 峰尾镇 前黄镇 涂岭镇",
    "350521": "螺城镇 螺阳镇 黄塘镇 紫山镇 东岭镇 涂寨镇 东桥镇 净峰镇 小岞镇 山霞镇 辋川镇",
    "350524": "城厢镇 参内镇 魁斗镇 蓬莱镇 金谷镇 湖头镇 官桥镇 龙门镇 虎邱镇 西坪镇 感德镇 剑斗镇 "
              "芦田镇 长坑乡 祥华乡 蓝田乡 桃舟乡 福田乡 尚卿乡 大坪乡 龙涓乡 白濑乡 湖上乡",
    "350525": "五里街镇 石鼓镇 东平镇 东关镇 湖洋镇 蓬壶镇 达埔镇 吾峰镇 岵山镇 下洋镇 一都镇 坑仔口镇 "
              "玉斗镇 桂洋镇 锦斗镇 苏坑镇 仙夹镇 介福乡 外山乡 呈祥乡 横口乡",
    "350526": "浔中镇 三班镇 盖德镇 雷峰镇 水口镇 赤水镇 上涌镇 葛坑镇 美湖镇 南埕镇 龙门滩镇 "
              "国宝乡 大铭乡 春美乡 汤头乡 桂阳乡 杨梅乡",
    "350581": "湖滨街道 凤里街道 宝盖镇 蚶江镇 祥芝镇 鸿山镇 锦尚镇 永宁镇",
    "350582": "梅岭街道 西园街道 罗山街道 灵源街道 新塘街道 安海镇 磁灶镇 陈埭镇 东石镇 深沪镇 "
              "金井镇 龙湖镇 英林镇 内坑镇 紫帽镇 西滨镇 永和镇",
    "350583": "溪美街道 柳城街道 省新镇 仑苍镇 东田镇 英都镇 翔云镇 金淘镇 诗山镇 蓬华镇 码头镇 "
              "九都镇 乐峰镇 罗东镇 梅山镇 洪濑镇 洪梅镇 康美镇 丰州镇 霞美镇 官桥镇 水头镇 石井镇 眉山乡 向阳乡",
    "350500TZ": "洛阳镇 百崎回族乡 张坂镇",
    "350500KF": "清濛街道 乌屿街道",
}
# Code blocks of the 9-digit township format: streets 0xx, towns 1xx, townships 2xx.
KIND_BLOCK = {Street.Kind.STREET: 0, Street.Kind.TOWN: 100, Street.Kind.TOWNSHIP: 200}
# How many compounds a street draws relative to others: urban streets far more than townships.
KIND_WEIGHT = {Street.Kind.STREET: 6.0, Street.Kind.TOWN: 1.5, Street.Kind.TOWNSHIP: 0.3}
URBAN_DISTRICTS = {"350502", "350503", "350581", "350582"}


@dataclass
class StreetSeed:
    street: Street
    weight: float
    communities: list[Community] = field(default_factory=list)


def _kind_of(name: str) -> str:
    if name.endswith("街道"):
        return Street.Kind.STREET
    if name.endswith("乡"):
        return Street.Kind.TOWNSHIP
    return Street.Kind.TOWN


def _missing_streets(districts: dict[str, District], existing: dict[str, Street]) -> list[Street]:
    taken = set(existing)
    names_taken = {(s.district_id, s.name) for s in existing.values()}
    new = []
    for district_code, listed in EXTRA_STREETS.items():
        district = districts[district_code]
        for name in listed.split():
            if (district.pk, name) in names_taken:
                continue
            kind = _kind_of(name)
            number = KIND_BLOCK[kind] + 1
            while f"{district_code}{number:03d}" in taken:
                number += 1
            code = f"{district_code}{number:03d}"
            taken.add(code)
            new.append(Street(code=code, name=name, kind=kind, district=district))
    return new


def _street_weight(rng: random.Random, street: Street) -> float:
    urban = 1.8 if street.district.code in URBAN_DISTRICTS else 1.0
    return KIND_WEIGHT[street.kind] * urban * rng.uniform(0.5, 1.5)


def ensure_areas(rng: random.Random, *, compounds: int, log) -> list[StreetSeed]:
    """Create missing streets and communities; return every street with its communities."""
    districts = {d.code: d for d in District.objects.all()}
    existing = {s.code: s for s in Street.objects.select_related("district")}
    new_streets = list(insert(Street, _missing_streets(districts, existing)))
    streets = sorted([*existing.values(), *new_streets], key=lambda s: s.code)
    log(f"街道(乡镇)：{len(streets)} 个（新建 {len(new_streets)} 个）")

    # More compounds need more communities, but far fewer than proportionally more.
    scale = max(1.0, (compounds / 3000) ** 0.5)
    communities_by_street: dict[int, list[Community]] = {}
    for community in Community.objects.all():
        communities_by_street.setdefault(community.street_id, []).append(community)
    new_communities = []
    for street in streets:
        if street.pk in communities_by_street:
            continue
        kind = "community" if street.kind == Street.Kind.STREET else "village"
        count = round(rng.randint(3, 15) * scale)
        taken: set[str] = set()
        for number in range(1, count + 1):
            # Towns have a few urban communities around the town centre; the rest are villages.
            this_kind = kind if kind == "community" or number > 2 else "community"
            name = names.unique_name(names.place_word(rng) + names.COMMUNITY_SUFFIX[this_kind], taken)
            new_communities.append(
                Community(code=f"{street.code}{number:03d}", name=name, kind=this_kind, street=street)
            )
    for community in insert(Community, new_communities):
        communities_by_street.setdefault(community.street_id, []).append(community)
    log(f"社区(村)：{sum(map(len, communities_by_street.values()))} 个（新建 {len(new_communities)} 个）")

    return [
        StreetSeed(street=s, weight=_street_weight(rng, s),
                   communities=sorted(communities_by_street.get(s.pk, []), key=lambda c: c.code))
        for s in streets
    ]
