"""Reads over the area hierarchy: find an area by code, list areas under an area.

The rest of the code asks the tree through the generic functions here: rows of a model in an area
(`in_area_q`), an area's parent, children and ancestors. A scoped model declares `area_path`, the
ORM path from it to the area it belongs to ("" for an area itself; a tuple when the first area
may be empty and the next one stands in, e.g. a party organisation's street, else its district).
"""
from __future__ import annotations

import datetime
import operator
from functools import reduce

from django.db.models import Model, Prefetch, Q

from common.dated import in_force_q

from .models import PATH_SEPARATOR, City, District, Street, ZoneAdministration


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


def _area_q(model: type[Model], lookup: str, value, through: str) -> Q:
    """`lookup` on the path of the area each row of `model` (reached via `through`) belongs to."""
    paths = model.area_path if isinstance(model.area_path, tuple) else (model.area_path,)
    conditions = []
    for i, hop in enumerate(paths):
        earlier_empty = {f"{through}{earlier}__isnull": True for earlier in paths[:i]}
        conditions.append(Q(**{f"{through}{hop}__path__{lookup}" if hop else f"{through}path__{lookup}": value},
                            **earlier_empty))
    return reduce(operator.or_, conditions)


def in_area_q(model: type[Model], area, *, through: str = "") -> Q:
    """Rows of `model` (or rows reaching one via `through`, e.g. "compound__") in `area` or under it:
    one prefix condition on their area's path. No area: every row."""
    if area is None:
        return Q()
    return _area_q(model, "startswith", area.path, through)


def at_areas_q(model: type[Model], paths, *, through: str = "") -> Q:
    """Rows of `model` that belong to one of the areas with these paths (not to areas under them)."""
    return _area_q(model, "in", list(paths), through)


def is_scoped(model: type[Model]) -> bool:
    return hasattr(model, "area_path")


def area_model_of(model: type[Model], path: str) -> type[Model]:
    """The model at the end of an ORM path of foreign keys from `model`."""
    for hop in filter(None, path.split("__")):
        model = model._meta.get_field(hop).related_model
    return model


def street_path(model: type[Model]) -> str | None:
    """The ORM path from `model` to the one street a row belongs to, or None when its area is a
    district or above (area-wide rows, and an area's own row down to a street, which the city keeps)."""
    if not is_scoped(model):
        return None
    path = model.area_path[0] if isinstance(model.area_path, tuple) else model.area_path
    area = area_model_of(model, path)
    if area is Street and path:
        return path
    if area.parent_field and area._meta.get_field(area.parent_field).related_model is Street:
        return f"{path}__{area.parent_field}" if path else area.parent_field
    return None


def ancestor_paths(path: str) -> list[str]:
    """The paths of the areas above the one with `path`, top down: no query."""
    codes = path.split(PATH_SEPARATOR)[:-1]
    return [PATH_SEPARATOR.join(codes[:depth]) + PATH_SEPARATOR for depth in range(1, len(codes))]


def top_area():
    """The area at the top of the tree (the city): one query."""
    return area_models()[0].objects.order_by("code").first()


def area_levels() -> list[str]:
    """The tree's levels, top down."""
    return [model.level for model in area_models()]


def child_level(level: str) -> str | None:
    """The level of the areas one below those of `level`, None at the bottom."""
    levels = area_levels()
    below = levels.index(level) + 1
    return levels[below] if below < len(levels) else None


def level_model(level: str) -> type[Model]:
    return next(model for model in area_models() if model.level == level)


def parent_level(level: str) -> str | None:
    """The level of the areas one above those of `level`, None at the top."""
    model = level_model(level)
    return model._meta.get_field(model.parent_field).related_model.level if model.parent_field else None


def lowest_level(area) -> bool:
    """Whether `area` is of the tree's lowest level (a community or village), where compounds are."""
    return type(area) is area_models()[-1]


def area_children(area):
    """The areas one level below `area`, in code order."""
    level = child_level(area.level)
    if level is None:
        return area_models()[-1].objects.none()
    child = level_model(level)
    return child.objects.filter(**{child.parent_field: area}).order_by("code")


def area_ancestors(area) -> list:
    """The areas above `area`, top down: one query per level above it."""
    models = area_models()
    codes = area.path.split(PATH_SEPARATOR)[:-2]
    return [models[depth].objects.get(code=code) for depth, code in enumerate(codes)]


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
