from drf_spectacular.utils import extend_schema, extend_schema_view

from common.api.views import ScopedReadOnlyViewSet
from districts.filtersets import DistrictFilterSet, StreetFilterSet
from districts.models import District, Street

from .serializers import DistrictSerializer, StreetSerializer


@extend_schema_view(
    list=extend_schema(summary="区县列表 / List county-level units",
                       description="调用方区域范围内的区县（含县级市、县、功能区）。 / "
                                   "Districts, county-level cities, counties and functional zones in the caller's scope."),
    retrieve=extend_schema(summary="区县详情 / One county-level unit by code"),
)
class DistrictViewSet(ScopedReadOnlyViewSet):
    queryset = District.objects.select_related("city")
    serializer_class = DistrictSerializer
    filterset_class = DistrictFilterSet
    lookup_field = "code"
    cursor_ordering = "code"


@extend_schema_view(
    list=extend_schema(summary="街道(乡镇)列表 / List streets and townships",
                       description="调用方区域范围内的街道、镇、乡。 / Streets, towns and townships in the caller's scope."),
    retrieve=extend_schema(summary="街道(乡镇)详情 / One street by code"),
)
class StreetViewSet(ScopedReadOnlyViewSet):
    queryset = Street.objects.select_related("district")
    serializer_class = StreetSerializer
    filterset_class = StreetFilterSet
    lookup_field = "code"
    cursor_ordering = "code"
