from rest_framework import viewsets
from rest_framework.permissions import AllowAny

from ..filtersets import SelectionRoundFilterSet
from ..selectors import published_rounds
from .serializers import SelectionRoundSerializer


class SelectionRoundViewSet(viewsets.ReadOnlyModelViewSet):
    """Published selection rounds (榜单) with every candidate's scores where known, rank and selection.

    Public: the published list is public information. Filter by `?year=YYYY`.
    """

    serializer_class = SelectionRoundSerializer
    permission_classes = [AllowAny]
    filterset_class = SelectionRoundFilterSet
    # One round a year: a short list needs no pagination.
    pagination_class = None

    def get_queryset(self):
        return published_rounds()
