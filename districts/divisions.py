"""The vendored national division codes (统计用区划代码) and the city's functional zones, as data.

`data/china_division/` is a subset of the `china-division` package (its PROVENANCE.md says which);
`data/zones.csv` lists the functional zones and the streets they administer from a date. This
module only reads them; `districts.services.divisions_load` writes them into the area tables.
"""
from __future__ import annotations

import csv
import datetime
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from communities.models import Community

from .models import AreaLevel, District, Street

DATA_DIR = Path(__file__).resolve().parent / "data"
DIVISIONS_DIR = DATA_DIR / "china_division"

# 金门县 is listed in the national data but not administered by 泉州市.
DEFAULT_EXCLUDE = ("350527",)

# The package's file per level, and the column naming each row's parent.
_FILES = {
    AreaLevel.CITY: ("cities.csv", None),
    AreaLevel.DISTRICT: ("areas.csv", "cityCode"),
    AreaLevel.STREET: ("streets.csv", "areaCode"),
    AreaLevel.COMMUNITY: ("villages.csv", "streetCode"),
}
# The data names a village by its committee (新峰社区居委会, 后坑村委会); the portal names the area.
_COMMITTEE_SUFFIX = re.compile(r"(.*(?:社区|村))(?:居民居委会|居民委员会|居委会|委员会|居民会|民委员会|委会|委|会)")


@dataclass(frozen=True, slots=True)
class Division:
    level: str
    code: str
    name: str
    parent_code: str | None
    kind: str | None


def portal_code(code: str) -> str:
    """The data writes a city with 4 digits (3505); GB/T 2260 and the portal write 350500."""
    return code + "00" if len(code) == 4 else code


def data_prefix(prefix: str) -> str:
    """A prefix as the data's codes start: 350500 (a city written as GB/T 2260 does) is 3505."""
    prefix = prefix.strip()
    if not prefix.isdigit() or len(prefix) < 2:
        raise ValueError(f"区划代码前缀须为至少两位数字：{prefix!r}")
    while len(prefix) in (4, 6) and prefix.endswith("00"):
        prefix = prefix[:-2]
    return prefix


def area_name(level: str, name: str) -> str:
    if level == AreaLevel.COMMUNITY:
        match = _COMMITTEE_SUFFIX.fullmatch(name)
        return match.group(1) if match else name
    return name


def area_kind(level: str, name: str) -> str | None:
    """The kind a division's name says it is: 区 / 县级市 / 县; 街道 / 镇 / 乡; 社区 / 村."""
    if level == AreaLevel.DISTRICT:
        return {"区": District.Kind.DISTRICT, "市": District.Kind.COUNTY_CITY,
                "县": District.Kind.COUNTY}.get(name[-1], District.Kind.DISTRICT)
    if level == AreaLevel.STREET:
        for suffix, kind in (("街道", Street.Kind.STREET), ("镇", Street.Kind.TOWN), ("乡", Street.Kind.TOWNSHIP)):
            if name.endswith(suffix):
                return kind
        return Street.Kind.OTHER  # 开发区, 工业区, 农场...: 类似乡级单位 in the statistical codes
    if level == AreaLevel.COMMUNITY:
        return Community.Kind.VILLAGE if name.endswith("村") else Community.Kind.COMMUNITY
    return None


@cache
def _rows(level: str) -> tuple[Division, ...]:
    filename, parent_column = _FILES[level]
    with open(DIVISIONS_DIR / filename, encoding="utf-8", newline="") as handle:
        rows = []
        for row in csv.DictReader(handle):
            name = area_name(level, row["name"])
            rows.append(Division(level=level, code=portal_code(row["code"]), name=name,
                                 parent_code=portal_code(row[parent_column]) if parent_column else None,
                                 kind=area_kind(level, name)))
    return tuple(rows)


def divisions(prefix: str, *, exclude=DEFAULT_EXCLUDE) -> dict[str, list[Division]]:
    """The divisions under `prefix` (and the city and county above it), by level, top down.

    `exclude` lists data codes (such as 350527) left out with everything under them.
    """
    wanted = data_prefix(prefix)
    excluded = tuple(data_prefix(code) for code in exclude)
    by_level = {}
    for level in _FILES:
        kept = []
        for division in _rows(level):
            raw = division.code[:4] if level == AreaLevel.CITY else division.code
            if (raw.startswith(wanted) or wanted.startswith(raw)) and not raw.startswith(excluded):
                kept.append(division)
        by_level[level] = kept
    if not any(by_level.values()):
        raise ValueError(f"区划数据中没有代码以 {prefix} 开头的区域（随项目提供的数据为福建省，代码以 35 开头）。")
    return by_level


@dataclass(frozen=True, slots=True)
class ZoneStreet:
    zone_code: str
    zone_name: str
    city_code: str
    street_code: str | None
    valid_from: datetime.date | None


def zone_streets() -> list[ZoneStreet]:
    """The rows of zones.csv: every zone, with each street it administers from a date."""
    with open(DATA_DIR / "zones.csv", encoding="utf-8", newline="") as handle:
        return [ZoneStreet(zone_code=row["zone_code"], zone_name=row["zone_name"], city_code=row["city_code"],
                           street_code=row["street_code"] or None,
                           valid_from=datetime.date.fromisoformat(row["valid_from"]) if row["valid_from"] else None)
                for row in csv.DictReader(handle)]
