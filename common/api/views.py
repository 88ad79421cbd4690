"""The base every API viewset builds on: area scope, cursor paging, ETags and streamed CSV."""
from __future__ import annotations

from itertools import islice

from rest_framework import permissions, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.views import APIView

from accounts.scope import AreaScope
from quanzhou_pm.db_router import ReplicaReadsMixin, reads_from

from .etags import ETagMixin
from .pagination import KeysetCursorPagination
from .renderers import streaming_csv_response

CSV_CHUNK_SIZE = 2000


class ScopedViewSetMixin(ETagMixin):
    # Every queryset an API caller reaches goes through the caller's area scope: objects outside
    # it are simply absent, so reading or changing them answers 404. (A comment, not a docstring:
    # drf-spectacular would publish a docstring as the operations' description.)

    pagination_class = KeysetCursorPagination
    cursor_ordering = "pk"

    def get_queryset(self):
        return self.scope_queryset(AreaScope.for_user(self.request.user), super().get_queryset())

    def get_object(self):
        # PostgreSQL refuses NUL characters in text: a key containing one cannot exist.
        if "\x00" in str(self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, "")):
            raise NotFound()
        return super().get_object()

    def scope_queryset(self, scope: AreaScope, queryset):
        """Models that reach their area by foreign keys declare `area_path`; others override this."""
        return scope.filter(queryset)

    def list(self, request, *args, **kwargs):
        if getattr(request.accepted_renderer, "format", None) == "csv":
            # CSV streams every row, but a wrong page_size is still the caller's mistake to hear about.
            self.paginator.get_page_size(request)
            queryset = self.filter_queryset(self.get_queryset()).order_by(self.cursor_ordering)
            # The rows are read while the response streams, after the view has returned: fix the
            # database now (a replica when this view allows replica reads).
            queryset = queryset.using(queryset.db)
            return streaming_csv_response(self._serialized_rows(queryset), filename=self.basename)
        return super().list(request, *args, **kwargs)

    def _serialized_rows(self, queryset):
        # Serialize a chunk at a time: memory stays flat however many rows the filter selects.
        # What the serializer reads beside the rows (a page's history) comes from the rows' database;
        # the scope is held per chunk, never across a yield to the server.
        rows = queryset.iterator(chunk_size=CSV_CHUNK_SIZE)
        while True:
            with reads_from(queryset.db):
                chunk = list(islice(rows, CSV_CHUNK_SIZE))
                data = self.get_serializer(chunk, many=True).data if chunk else None
            if not chunk:
                return
            yield from data


# The registry lists and indicator feeds only read, so they may read from a replica (which can be a
# little behind the primary). Viewsets that write (monthly reports) build on ScopedViewSetMixin and
# stay on the primary.
class ScopedReadOnlyViewSet(ReplicaReadsMixin, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """只返回调用方区域范围内的记录；范围外的记录视为不存在（404）。

    Only rows inside the caller's area scope are visible; anything outside it answers 404.
    """


class ApiNotFoundView(APIView):
    permission_classes = [permissions.AllowAny]
    schema = None

    def initial(self, request, *args, **kwargs):
        raise NotFound()
