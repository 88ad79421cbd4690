"""The API's filter backend: django-filter's, strict about the query string as the schema is.

The list pages share the FilterSets and send every field of their forms, blank or not; an API
caller that sends `updated_since=` or `period=2024-05&period=2024-06` has made a mistake and is
told so, instead of getting an unfiltered list.
"""
from django.utils.translation import gettext as _
from django_filters import filters
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError


BOOLEANS = ("true", "false")


def takes_several(filter_field) -> bool:
    """A filter documented as a repeatable parameter (`state=draft&state=submitted`)."""
    return isinstance(filter_field, filters.MultipleChoiceFilter)


def takes_empty(filter_field) -> bool:
    """A filter whose empty value is one of its documented type: free text, or an empty list."""
    return isinstance(filter_field, (filters.CharFilter, filters.BaseCSVFilter))


def query_errors(filterset, query) -> dict:
    errors = {}
    for name, filter_field in filterset.filters.items():
        values = query.getlist(name)
        if len(values) > 1 and not takes_several(filter_field):
            errors[name] = [_("参数 %(name)s 只能给出一次。") % {"name": name}]
        elif any("\x00" in value for value in values):
            errors[name] = [_("参数 %(name)s 不能包含空字符（NUL）。") % {"name": name}]
        elif "" in values and not takes_empty(filter_field):
            errors[name] = [_("参数 %(name)s 不能为空；不按它筛选时请省略。") % {"name": name}]
        elif isinstance(filter_field, filters.BooleanFilter) and values and values[0] not in BOOLEANS:
            # django-filter reads anything but true/false as "not given".
            errors[name] = [_("参数 %(name)s 应为 true 或 false。") % {"name": name}]
    return errors


class FilterBackend(DjangoFilterBackend):
    def get_filterset(self, request, queryset, view):
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None and (errors := query_errors(filterset, request.query_params)):
            raise ValidationError(errors)
        return filterset
