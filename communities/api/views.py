from drf_spectacular.utils import extend_schema, extend_schema_view

from common.api.views import ScopedReadOnlyViewSet
from communities.filtersets import (
    CommunityFilterSet,
    CompoundFilterSet,
    PropertyFirmFilterSet,
    ServiceContractFilterSet,
)
from communities.models import Community, Compound, PropertyFirm, ServiceContract

from .serializers import CommunitySerializer, CompoundSerializer, PropertyFirmSerializer, ServiceContractSerializer


@extend_schema_view(
    list=extend_schema(summary="社区(村)列表 / List communities and villages"),
    retrieve=extend_schema(summary="社区(村)详情 / One community by code"),
)
class CommunityViewSet(ScopedReadOnlyViewSet):
    queryset = Community.objects.select_related("street")
    serializer_class = CommunitySerializer
    filterset_class = CommunityFilterSet
    lookup_field = "code"
    cursor_ordering = "code"


@extend_schema_view(
    list=extend_schema(
        summary="住宅小区列表 / List residential compounds",
        description="调用方区域范围内的住宅小区（物业管理区域）。`as_of` 重建过去某日的登记状态，"
                    "`updated_since` 用于增量同步。 / Compounds (property-management areas) in the caller's scope; "
                    "`as_of` rebuilds a past day's registry, `updated_since` drives incremental sync."),
    retrieve=extend_schema(summary="住宅小区详情 / One compound by code"),
)
class CompoundViewSet(ScopedReadOnlyViewSet):
    queryset = Compound.objects.select_related("community__street__district", "merged_into")
    serializer_class = CompoundSerializer
    filterset_class = CompoundFilterSet
    lookup_field = "code"
    cursor_ordering = "code"

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.action != "list":
            return queryset
        # A page of 500 as plain rows of exactly the serializer's sources: building five model
        # instances per compound would cost more than the query itself.
        fields = CompoundSerializer().fields.values()
        return queryset.values(*{"__".join(field.source_attrs) for field in fields})


@extend_schema_view(
    list=extend_schema(summary="物业服务企业列表 / List property-service firms",
                       description="按统一社会信用代码标识。 / Identified by unified social credit code."),
    retrieve=extend_schema(summary="物业服务企业详情 / One firm by credit code"),
)
class PropertyFirmViewSet(ScopedReadOnlyViewSet):
    queryset = PropertyFirm.objects.select_related("registered_district")
    serializer_class = PropertyFirmSerializer
    filterset_class = PropertyFirmFilterSet
    lookup_field = "credit_code"
    cursor_ordering = "credit_code"


@extend_schema_view(
    list=extend_schema(summary="物业服务合同列表 / List service contracts",
                       description="企业与小区之间的物业服务合同，含清退记录。 / "
                                   "Service contracts between firms and compounds, with dismissals."),
    retrieve=extend_schema(summary="物业服务合同详情 / One service contract"),
)
class ServiceContractViewSet(ScopedReadOnlyViewSet):
    queryset = ServiceContract.objects.select_related("firm", "compound")
    serializer_class = ServiceContractSerializer
    filterset_class = ServiceContractFilterSet
