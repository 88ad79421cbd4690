"""The one place that decides which areas a user may see and change.

Every queryset that reaches a user (pages, admin, API, exports) goes through `AreaScope.filter`.
Models opt in by declaring `area_path`: the ORM path from the model to the area it belongs to.
A user sees the rows of their area and everything under it; of the rows of the areas above it, only
those of models that declare `shared_below` (the areas themselves, their district's firms), not,
say, their district's own party organisations.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.db.models import Model, Q, QuerySet

from .models import Role


@dataclass(frozen=True)
class AreaScope:
    city_wide: bool = False
    district_id: int | None = None
    street_id: int | None = None
    # A person of the street's own office (not a system holding a token scoped to the street).
    street_officer: bool = False
    # A person of the city bureau (city staff, a superuser): keeps the area tree. A city-wide token does not.
    city_staff: bool = False
    # A person of a district's office (not a system holding a token scoped to the district).
    district_staff: bool = False
    # A user with no area at all and no city-wide right (e.g. a judge) sees no registry data.

    @classmethod
    def for_user(cls, user) -> AreaScope:
        scope = cls._for_user(user)
        # Fill the `area` cache from the user's own foreign key, which Django keeps on the user
        # object: a request asks for its scope many times and reads the area once.
        if scope.street_id or scope.district_id:
            scope.__dict__["area"] = user.street if scope.street_id else user.district
        return scope

    @classmethod
    def _for_user(cls, user) -> AreaScope:
        if not user or not user.is_authenticated or not user.is_active:
            return cls()
        if user.is_superuser or user.role in (Role.CITY_STAFF,):
            return cls(city_wide=True, city_staff=True)
        if user.role == Role.DISTRICT_STAFF:
            return cls(district_id=user.district_id, district_staff=True)
        if user.role == Role.STREET_OFFICER:
            return cls(street_id=user.street_id, street_officer=True)
        if user.role == Role.API_CLIENT:
            if user.street_id:
                return cls(street_id=user.street_id)
            if user.district_id:
                return cls(district_id=user.district_id)
            return cls(city_wide=True)
        return cls()

    @property
    def sees_nothing(self) -> bool:
        return not (self.city_wide or self.district_id or self.street_id)

    @cached_property
    def area(self):
        """The user's street or district (for its tree path): one query, once per scope."""
        from districts.models import District, Street

        if self.street_id:
            return Street.objects.filter(pk=self.street_id).only("pk", "code", "path").first()
        if self.district_id:
            return District.objects.filter(pk=self.district_id).only("pk", "code", "path").first()
        return None

    def q(self, model: type[Model]) -> Q | None:
        """The filter for `model`, or None when everything is visible."""
        if self.city_wide:
            return None
        if self.sees_nothing or self.area is None:
            return Q(pk__in=[])
        from districts.selectors import ancestor_paths, at_areas_q, in_area_q

        condition = in_area_q(model, self.area)
        if getattr(model, "shared_below", False):
            condition |= at_areas_q(model, ancestor_paths(self.area.path))
        return condition

    def filter(self, queryset: QuerySet) -> QuerySet:
        condition = self.q(queryset.model)
        return queryset if condition is None else queryset.filter(condition)

    def sees_whole(self, area) -> bool:
        """Whether `area` and everything under it lie in the user's area."""
        return self.city_wide or (self.area is not None and area.path.startswith(self.area.path))

    def filter_by_area_code(self, queryset: QuerySet, *, level_field: str = "area_level",
                            code_field: str = "area_code") -> QuerySet:
        """For rows that name their area by level and code (published indicator values, targets):
        the rows of every area the user may see in the registry."""
        if self.city_wide:
            return queryset
        from districts.selectors import area_models

        visible = Q(pk__in=[])
        for model in area_models():
            codes = self.filter(model.objects.all()).values("code")
            visible |= Q(**{level_field: model.level, f"{code_field}__in": codes})
        return queryset.filter(visible)

    # Registry writes: the owning street's officers and city staff; district staff review only.
    def can_change_street(self, street_id: int) -> bool:
        return self.city_wide or (self.street_id is not None and self.street_id == street_id)

    # The area tree (which streets a functional zone administers, from a date): the city bureau's
    # own staff only. Districts, streets, judges and API clients (even city-wide ones) read it at most.
    @property
    def can_change_area_tree(self) -> bool:
        return self.city_staff

    # The campaign's targets (an indicator's threshold and deadline, city-wide or for one area): set by
    # the city bureau's own staff, like the area tree. Everyone else reads them on the dashboards.
    @property
    def can_set_targets(self) -> bool:
        return self.city_staff

    # The monthly bulletin sent to the districts: issued by the city bureau's own staff. A city-wide
    # system account signed in to the portal reads it at most.
    @property
    def can_issue_bulletins(self) -> bool:
        return self.city_staff

    # The bulletin ranks every district: the bureau sends it to the districts' own staff. A system
    # limited to a district reads that district's figures through the API, not every district's.
    @property
    def can_read_bulletins(self) -> bool:
        return self.city_staff or (self.district_staff and self.district_id is not None)

    # Committee members' names and numbers (PIPL): the owning street's own officers only. District
    # and city staff, superusers and API clients (even one scoped to that street) are outside it.
    def sees_personal_data(self, street_id: int) -> bool:
        return self.street_officer and self.street_id is not None and self.street_id == street_id

    # The firm register and its red/black list: staff of the firm's registered district, and city staff.
    def can_keep_firms(self, district_id: int) -> bool:
        return self.can_see_district(district_id)

    # Reviewing a street's monthly report: its district's staff, and city staff as an override.
    def can_review_street(self, district_id: int) -> bool:
        return self.city_wide or (self.street_id is None and self.district_id is not None
                                  and self.district_id == district_id)

    # A district's own pages show all its streets: city staff and that district's staff, not its street officers.
    def can_see_district(self, district_id: int) -> bool:
        return self.city_wide or (self.street_id is None and self.district_id is not None
                                  and self.district_id == district_id)

    def can_see_street(self, street_id: int, district_id: int) -> bool:
        if self.city_wide:
            return True
        if self.street_id:
            return self.street_id == street_id
        return self.district_id is not None and self.district_id == district_id


def scope_for(user) -> AreaScope:
    return AreaScope.for_user(user)
