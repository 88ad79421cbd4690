"""Move the areas onto the national division codes (统计用区划代码, districts/data/china_division).

An area whose name matches a division under the same parent takes that division's code; a street
under a functional zone is matched among the streets zones.csv says the zone administers. An area
that does not match but holds a code the data gives to another area moves to a portal-only code
(its old code with the suffix X), so no official code is ever kept by the wrong area. Every copy of
an area code follows: targets, published values and sums, the selection's audit of published
lists. The mapping is printed and kept in each area's history (its change reason).

Codes change in two passes through temporary values, since some swap (丰泽街道 ↔ 东湖街道).
"""
from django.db import migrations
from django.db.models import Case, F, Value, When
from django.db.models.functions import Substr
from django.utils import timezone

from districts import divisions

PORTAL_ONLY_SUFFIX = "X"
TEMPORARY = "~"
CHUNK = 500
# Tables that copy an area's code beside its level.
CODE_COPIES = [("metrics", "Target"), ("metrics", "IndicatorValue"), ("metrics", "AreaMonthSums"),
               ("metrics", "AreaMonthRecency")]
# Each level, its model and the field naming its parent, top down.
LEVELS = [("city", "districts", "City", None), ("district", "districts", "District", "city"),
          ("street", "districts", "Street", "district"), ("community", "communities", "Community", "street")]


def _official(prefixes):
    """Per level: (parent code, name) → code; and each official code's parent code."""
    by_name, parent_of = {}, {}
    for prefix in prefixes:
        for level, rows in divisions.divisions(prefix, exclude=()).items():
            for row in rows:
                by_name.setdefault(level, {}).setdefault((row.parent_code, row.name), row.code)
                parent_of[row.code] = row.parent_code
    streets = {row.code: row for row in divisions.divisions("35", exclude=())["street"]}
    for zone in divisions.zone_streets():
        if zone.street_code in streets:
            by_name["street"][(zone.zone_code, streets[zone.street_code].name)] = zone.street_code
    return by_name, parent_of


def code_mapping(apps) -> list[tuple[str, object, str, str]]:
    """(level, area, old code, new code) for every area whose code changes, top down."""
    City = apps.get_model("districts", "City")
    prefixes = sorted({divisions.data_prefix(code) for code in City.objects.values_list("code", flat=True)
                       if code.isdigit()})
    by_name, parent_of = _official(prefixes)
    zone_streets = {(row.zone_code, row.street_code) for row in divisions.zone_streets()}
    new_code_of: dict[int, str] = {}  # per level in turn: area pk → its new code
    changes = []
    for level, app_label, model_name, parent_field in LEVELS:
        areas = list(apps.get_model(app_label, model_name).objects.order_by("code"))
        parents = {area.pk: new_code_of[getattr(area, f"{parent_field}_id")] if parent_field else None
                   for area in areas}
        claimed, new_code_of = set(), {}
        for area in areas:
            match = by_name.get(level, {}).get((parents[area.pk], area.name))
            if match is not None and match not in claimed:
                claimed.add(match)
                new_code_of[area.pk] = match
        for area in areas:
            if area.pk in new_code_of:
                continue
            # Unmatched: it keeps its code unless the data gives that code to an area elsewhere
            # (or a matched area takes it); then the code would name the wrong area.
            own = area.code not in parent_of or (
                parent_of[area.code] == parents[area.pk] or (parents[area.pk], area.code) in zone_streets)
            keeps = own and area.code not in claimed
            new_code_of[area.pk] = area.code if keeps else area.code + PORTAL_ONLY_SUFFIX
        changes += [(level, area, area.code, new_code_of[area.pk]) for area in areas
                    if new_code_of[area.pk] != area.code]
    return changes


def _recode_areas(apps, changes, now) -> None:
    for level, app_label, model_name, _parent in LEVELS:
        model = apps.get_model(app_label, model_name)
        rows = [(area, old, new) for lvl, area, old, new in changes if lvl == level]
        if not rows:
            continue
        for area, _old, _new in rows:
            area.code = f"{TEMPORARY}{area.pk}"
        model.objects.bulk_update([area for area, _, _ in rows], ["code"], batch_size=CHUNK)
        for area, _old, new in rows:
            area.code, area.updated_at = new, now
        model.objects.bulk_update([area for area, _, _ in rows], ["code", "updated_at"], batch_size=CHUNK)
        history = apps.get_model(app_label, f"Historical{model_name}")
        fields = [f.attname for f in model._meta.concrete_fields]
        history.objects.bulk_create([
            history(**{name: getattr(area, name) for name in fields}, history_date=now, history_type="~",
                    history_change_reason=f"区划代码 {old} → {new}（统计用区划代码）")
            for area, old, new in rows], batch_size=CHUNK)


def _recode_copies(apps, changes) -> None:
    """Two statements per table and level (and chunk): codes to ~new, then the ~ dropped."""
    for level in {lvl for lvl, *_ in changes}:
        pairs = [(old, new) for lvl, _area, old, new in changes if lvl == level]
        for app_label, model_name in CODE_COPIES:
            model = apps.get_model(app_label, model_name)
            for start in range(0, len(pairs), CHUNK):
                chunk = pairs[start:start + CHUNK]
                model.objects.filter(area_level=level, area_code__in=[old for old, _ in chunk]).update(
                    area_code=Case(*[When(area_code=old, then=Value(TEMPORARY + new)) for old, new in chunk]))
            model.objects.filter(area_level=level, area_code__startswith=TEMPORARY).update(
                area_code=Substr(F("area_code"), 2))
    streets = {old: new for lvl, _area, old, new in changes if lvl == "street"}
    if not streets:
        return
    entries = apps.get_model("selection", "RoundAuditEntry").objects.filter(details__has_key="published_results")
    changed = []
    for entry in entries:
        for result in entry.details["published_results"]:
            result["street"] = streets.get(result.get("street"), result.get("street"))
        changed.append(entry)
    apps.get_model("selection", "RoundAuditEntry").objects.bulk_update(changed, ["details"], batch_size=CHUNK)


def _zone_administrations(apps, now) -> None:
    """Streets under a zone that zones.csv lists get their dated administration record."""
    Street = apps.get_model("districts", "Street")
    ZoneAdministration = apps.get_model("districts", "ZoneAdministration")
    listed = {(row.zone_code, row.street_code): row.valid_from for row in divisions.zone_streets() if row.street_code}
    recorded = set(ZoneAdministration.objects.values_list("street_id", flat=True))
    new = [ZoneAdministration(street_id=street.pk, zone_id=street.district_id,
                              valid_from=listed[(street.district.code, street.code)])
           for street in Street.objects.select_related("district").filter(district__kind="zone")
           if (street.district.code, street.code) in listed and street.pk not in recorded]
    ZoneAdministration.objects.bulk_create(new)
    history = apps.get_model("districts", "HistoricalZoneAdministration")
    history.objects.bulk_create([
        history(id=row.pk, street_id=row.street_id, zone_id=row.zone_id, valid_from=row.valid_from,
                valid_to=row.valid_to, history_date=now, history_type="+",
                history_change_reason="统计用区划代码：功能区托管街道") for row in new])


def recode(apps, schema_editor):
    now = timezone.now()
    changes = code_mapping(apps)
    _recode_areas(apps, changes, now)
    _recode_copies(apps, changes)
    _zone_administrations(apps, now)
    if changes:
        print("\n  区划代码变更（统计用区划代码）：")
    for level, area, old, new in changes:
        print(f"    {level} {area.name}: {old} → {new}")


class Migration(migrations.Migration):
    dependencies = [
        ("districts", "0003_zone_administration"),
        ("communities", "0003_constraint_messages"),
        ("metrics", "0013_run_sums_replace_span_values"),
        ("selection", "0005_round_2024_published_in_2025"),
    ]

    # Backwards leaves the official codes: they are right for the older schema too.
    operations = [migrations.RunPython(recode, migrations.RunPython.noop)]
