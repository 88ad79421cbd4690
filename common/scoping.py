"""Which street a registry object belongs to, read from its model's `area_path`.

accounts.scope decides what a user may do with a street; this module only finds the street, so
the admin and the import resources ask the same question the same way.
"""
from __future__ import annotations

from django.db.models import Model

from districts.selectors import street_path


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
