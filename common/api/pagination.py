"""Cursor pagination for every list: stable under inserts, no COUNT(*), cheap at any depth.

The ordering must be unique, indexed and immutable: each view names it in `cursor_ordering`
(an area's or firm's code, or the primary key).
"""
from django.utils.translation import gettext_lazy as _
from rest_framework.pagination import CursorPagination


class KeysetCursorPagination(CursorPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    page_size_query_description = _("每页条数（最大 1000）。 / Rows per page (at most 1000).")
    cursor_query_description = _("上一页响应中 next 链接里的游标。 / The cursor from the previous page's `next` link.")
    ordering = "pk"

    def get_ordering(self, request, queryset, view):
        return (getattr(view, "cursor_ordering", self.ordering),)
