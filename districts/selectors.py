"""Reads over the area hierarchy: find an area by code, list areas under an area."""
from __future__ import annotations

import datetime

from django.db.models import Model, Prefetch, Q

from common.dated import in_force_q

from .models import City, District, Street, ZoneAdministration


def area_models() -> list[type[Model]]:
    from communities.models import Community

    return [City, District, Street, Community]


def area_by_code(code: str):
    """The city, district, street or community with this code, or None."""
    for model in area_models():
        area = model.objects.filter(code=code).first()
        if area is not None:
            return area
    return None


def area_code_taken(code: str, *, exclude=None) -> bool:
    """Codes identify areas across all levels, so a code may be used by one area only."""
    for model in area_models():
        qs = model.objects.filter(code=code)
        if exclude is not None and isinstance(exclude, model) and exclude.pk:
            qs = qs.exclude(pk=exclude.pk)
        if qs.exists():
            return True
    return False


def compounds_under_q(area, *, prefix: str = "") -> Q:
    """Filter selecting compounds (or rows reaching a compound via `prefix`) under `area`."""
    if area is None:
        return Q()
    return Q(**{f"{prefix}{area.compound_path}": area})


def area_names(level_codes) -> dict[tuple[str, str], str]:
    """Names of areas given as (level, code) pairs: one query per level present."""
    by_level: dict[str, set[str]] = {}
    for level, code in level_codes:
        by_level.setdefault(level, set()).add(code)
    models = {model.level: model for model in area_models()}
    return {
        (level, code): name
        for level, codes in by_level.items()
        for code, name in models[level].objects.filter(code__in=codes).values_list("code", "name")
    }


def zones_with_streets(on: datetime.date):
    """The functional zones, each with `administered` (the streets it administers on day `on`, with
    since when) and `past` (its earlier and later administrations): three queries."""
    rows = ZoneAdministration.objects.select_related("street").order_by("street__code", "valid_from")
    return District.objects.filter(kind=District.Kind.FUNCTIONAL_ZONE).order_by("code").prefetch_related(
        Prefetch("zone_administrations", queryset=rows.filter(in_force_q(on)), to_attr="administered"),
        Prefetch("zone_administrations", queryset=rows.exclude(in_force_q(on)), to_attr="past"))
