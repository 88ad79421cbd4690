"""Which street a registry object belongs to, read from its model's `scope_paths`.

accounts.scope decides what a user may do with a street; this module only finds the street, so
the admin and the import resources ask the same question the same way.
"""
from __future__ import annotations

from django.db.models import Model


def street_path(model: type[Model]) -> str | None:
    """The path to the model's one street, or None when the model is not tied to a single street.

    A path through a to-many relation (a district reaches many streets) does not tie a row to one
    street, and an area's own row (its code and name) is kept by the city: such rows are area-wide
    and only city-wide users may write them.
    """
    path = getattr(model, "scope_paths", {}).get("street")
    if path is None or path == "pk":
        return None
    current = model
    for hop in path.split("__"):
        field = current._meta.get_field(hop)
        if not (field.many_to_one or field.one_to_one) or field.auto_created:
            return None
        current = field.related_model
    return path


def street_id_of(obj: Model, path: str | None) -> int | None:
    if path is None:
        return None
    *hops, last = path.split("__")
    for hop in hops:
        obj = getattr(obj, hop, None)
        if obj is None:
            return None
    return getattr(obj, f"{last}_id")


def may_write_row(scope, obj: Model) -> bool:
    """Whether a user of `scope` (accounts.scope.AreaScope) may write `obj` as it stands: its street
    must be one they may change. Area-wide rows are the city's."""
    return scope.can_change_street(street_id_of(obj, street_path(type(obj))))
