"""Cursor pagination for every list: stable under inserts, no COUNT(*), cheap at any depth.

The ordering must be unique, indexed and immutable: each view names it in `cursor_ordering`
(an area's or firm's code, or the primary key).
"""
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination

from common.numbers import is_ascii_integer


class KeysetCursorPagination(CursorPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    page_size_query_description = gettext_lazy("每页条数，1 到 1000。 / Rows per page, 1 to 1000.")
    cursor_query_description = gettext_lazy(
        "上一页响应中 next 链接里的游标。 / The cursor from the previous page's `next` link.")
    ordering = "pk"

    def get_ordering(self, request, queryset, view):
        return (getattr(view, "cursor_ordering", self.ordering),)

    def get_page_size(self, request):
        """The page size asked for, or a 400: DRF's own quietly falls back to the default (or the
        maximum) when `page_size` is not a number in range."""
        values = request.query_params.getlist(self.page_size_query_param)
        if not values:
            return self.page_size
        text = values[0]
        if (len(values) > 1 or not is_ascii_integer(text) or len(text) > len(str(self.max_page_size))
                or not 1 <= int(text) <= self.max_page_size):
            raise ValidationError({self.page_size_query_param: [
                _("每页条数应为 1 到 %(max)s 之间的整数。") % {"max": self.max_page_size}]})
        return int(text)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"].update(minimum=1, maximum=self.max_page_size)
        return parameters
