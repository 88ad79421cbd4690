"""Writes to the area hierarchy: load the national division codes, change a zone's streets."""
from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, OuterRef, Subquery, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from common.dated import CHANGE, change_reason, check_not_future, save_validated
from communities.models import Community

from . import divisions
from .models import PATH_SEPARATOR, AreaLevel, City, District, Street, ZoneAdministration

BATCH_SIZE = 2000


@dataclass
class DivisionsLoaded:
    """How many areas of each level a load created and renamed."""

    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    zone_streets: int = 0
    # Areas holding an official code under another parent than the data's: left untouched.
    conflicts: list[str] = field(default_factory=list)


def _area_models():
    # Each level's model and the field naming its parent, top down.
    return [(AreaLevel.CITY, City, None), (AreaLevel.DISTRICT, District, "city"),
            (AreaLevel.STREET, Street, "district"), (AreaLevel.COMMUNITY, Community, "street")]


@transaction.atomic
def divisions_load(*, prefix: str, exclude=divisions.DEFAULT_EXCLUDE) -> DivisionsLoaded:
    """Load the official divisions under `prefix` into the area tables: create the missing ones by
    code, update the names (and kinds) of the others. Idempotent, and a few queries per level.

    A street a functional zone administers (zones.csv) is created under the zone; a street that
    exists keeps its parent, so a zone's street is never moved back under its county.
    """
    by_level = divisions.divisions(prefix, exclude=exclude)
    loaded = DivisionsLoaded()
    now = timezone.now()
    reason = _("导入统计用区划代码")
    zones: dict[str, District] = {}
    zone_of_street: dict[str, District] = {}
    parents: dict[str, object] = {}
    for level, model, parent_field in _area_models():
        rows = by_level[level]
        existing = model.objects.select_related(*[parent_field] if parent_field else []).in_bulk(
            [d.code for d in rows], field_name="code")
        new, changed = [], []
        for division in rows:
            values = {"name": division.name, **({"kind": division.kind} if division.kind else {})}
            area = existing.get(division.code)
            parent = (zone_of_street.get(division.code) or parents[division.parent_code]) if parent_field else None
            if area is None:
                new.append(_with_path(model(code=division.code, **values,
                                            **({parent_field: parent} if parent_field else {}))))
            elif parent_field and getattr(area, parent_field).code not in {division.parent_code, parent.code}:
                loaded.conflicts.append(f"{division.code} {area.name}（区划数据：{division.name}，"
                                        f"上级 {division.parent_code}）")
            elif any(getattr(area, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(area, name, value)
                area.updated_at = now
                changed.append(area)
        bulk_create_with_history(new, model, batch_size=BATCH_SIZE, default_change_reason=reason, default_date=now)
        if changed:
            fields = ["name", "updated_at"] if level == AreaLevel.CITY else ["name", "kind", "updated_at"]
            bulk_update_with_history(changed, model, fields, batch_size=BATCH_SIZE, default_change_reason=reason,
                                     default_date=now)
        loaded.created[level], loaded.updated[level] = len(new), len(changed)
        parents = model.objects.in_bulk([d.code for d in rows], field_name="code")
        if level == AreaLevel.CITY:
            zones = _zones_load(parents, now=now, reason=reason)
            zone_of_street = {row.street_code: zones[row.zone_code] for row in divisions.zone_streets()
                              if row.street_code and row.zone_code in zones}
    loaded.zone_streets = _zone_administrations_load(zones, reason=reason)
    return loaded


def _zones_load(cities: dict[str, City], *, now, reason: str) -> dict[str, District]:
    """The functional zones of the loaded cities (zones.csv), created where missing, by code."""
    listed = {row.zone_code: row for row in divisions.zone_streets() if row.city_code in cities}
    zones = District.objects.in_bulk(list(listed), field_name="code")
    new = [_with_path(District(code=code, name=row.zone_name, kind=District.Kind.FUNCTIONAL_ZONE,
                               city=cities[row.city_code]))
           for code, row in listed.items() if code not in zones]
    if new:
        bulk_create_with_history(new, District, default_change_reason=reason, default_date=now)
        zones = District.objects.in_bulk(list(listed), field_name="code")
    return zones


def _zone_administrations_load(zones: dict[str, District], *, reason: str) -> int:
    """Record zones.csv's administrations for streets with no recorded administration yet, and
    make the zone their parent. Streets with a record are the city's data now: left as they are."""
    rows = [row for row in divisions.zone_streets() if row.street_code and row.zone_code in zones]
    streets = Street.objects.in_bulk([row.street_code for row in rows], field_name="code")
    recorded = set(ZoneAdministration.objects.filter(street__in=streets.values()).values_list("street_id", flat=True))
    new = [ZoneAdministration(street=streets[row.street_code], zone=zones[row.zone_code], valid_from=row.valid_from)
           for row in rows if row.street_code in streets and streets[row.street_code].pk not in recorded]
    bulk_create_with_history(new, ZoneAdministration, default_change_reason=reason)
    moved = []
    for administration in new:
        street = administration.street
        if street.district_id != administration.zone.pk:
            street.district = administration.zone
            moved.append(_with_path(street))
    if moved:
        bulk_update_with_history(moved, Street, ["district", "path"], default_change_reason=reason)
        _children_paths_follow(Community, [street.pk for street in moved])
    return len(new)


def _with_path(area):
    """The area, its path set from its parent (for bulk writes, which skip save())."""
    area.path = area.tree_path()
    return area


def _children_paths_follow(model, parent_ids) -> None:
    """The areas of `model` under these parents take their parents' paths: one UPDATE."""
    parent_field = model.parent_field
    parents = model._meta.get_field(parent_field).related_model.objects.filter(pk=OuterRef(f"{parent_field}_id"))
    model.objects.filter(**{f"{parent_field}_id__in": parent_ids}).update(
        path=Concat(Subquery(parents.values("path")), F("code"), Value(PATH_SEPARATOR), output_field=models.CharField()))


def area_path_sync(area) -> None:
    """Give `area` the path its parent and code make (before it is saved). An area that moves takes
    everything under it along: one UPDATE per area table rewrites the old path prefix."""
    old, area.path = area.path, area.tree_path()
    if area.pk is None or not old or old == area.path:
        return
    from .selectors import area_models

    for model in area_models():
        model.objects.filter(path__startswith=old).update(
            path=Concat(Value(area.path), Substr("path", len(old) + 1), output_field=models.CharField()))


def _division_county(street: Street) -> District:
    """The county-level unit the division code lists the street under (its first six digits)."""
    county = District.objects.filter(code=street.code[:6]).first()
    if county is None or not street.code.isdigit():
        raise ValidationError({"zone": _("街道 %(code)s 不在区划代码所列的区县之下，无法确定其所属区县。")
                                       % {"code": street.code}})
    return county


@transaction.atomic
def street_zone_change(*, street: Street, zone: District | None, on: datetime.date) -> Street:
    """From day `on` the street is administered by functional zone `zone`, or, with None, by the
    county its division code lists it under. Earlier days keep their record; the street's parent
    (the administering unit today) follows."""
    check_not_future(on)
    if zone is not None and zone.kind != District.Kind.FUNCTIONAL_ZONE:
        raise ValidationError({"zone": _("托管单位必须是功能区。")})
    rows = list(ZoneAdministration.objects.select_for_update().filter(street=street))
    if any((row.valid_from and row.valid_from > on) or (row.valid_to and row.valid_to > on) for row in rows):
        raise ValidationError({"on": _("该街道在 %(on)s 之后已有托管变更，请从最近一次变更之后的日期起变更。")
                                     % {"on": on.isoformat()}})
    current = next((row for row in rows if row.in_force_on(on)), None)
    if (current.zone_id if current else None) == (zone.pk if zone else None):
        return street
    reason = change_reason(CHANGE, on)
    if current is not None and current.valid_from == on:
        current.delete()
    elif current is not None:
        current.valid_to = on
        save_validated(current, reason)
    if zone is not None:
        save_validated(ZoneAdministration(street=street, zone=zone, valid_from=on), reason)
    street.district = zone if zone is not None else _division_county(street)
    save_validated(street, reason)
    # The street's figures roll up to its new parent from that month on.
    from metrics.services import mark_street_months_stale, periods_since

    mark_street_months_stale(street_ids=[street.pk], periods=periods_since(on))
    return street
