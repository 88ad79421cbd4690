"""Reads over users: who serves an area (the people a notice about that area goes to)."""
from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from .models import Role, User


def street_officers(street_ids: Iterable[int]) -> QuerySet[User]:
    """Active officers of the given streets."""
    return User.objects.filter(is_active=True, role=Role.STREET_OFFICER, street_id__in=list(street_ids))


def district_staff(district_ids: Iterable[int]) -> QuerySet[User]:
    """Active staff of the given county-level units (not their streets' officers)."""
    return User.objects.filter(is_active=True, role=Role.DISTRICT_STAFF, district_id__in=list(district_ids))
