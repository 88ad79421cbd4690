"""Indicator definitions, targets and the published values feed."""
from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view

from common.api.views import ScopedReadOnlyViewSet
from metrics.filtersets import IndicatorValueFilterSet, TargetFilterSet
from metrics.models import Indicator, IndicatorValue, Target
from reporting.periods import latest_due_month

from .serializers import IndicatorSerializer, IndicatorValueSerializer, TargetSerializer

# The serializer's sources but "indicator.name", which prepare_page fills in (no join).
FEED_COLUMNS = ("id", "indicator_id", "area_level", "area_code", "period", "numerator", "denominator", "value",
                "provisional", "computed_at")

FEED_EXAMPLE = OpenApiExample(
    "一个街道一个月的业委会组建率 / One street's committee formation rate for one month",
    response_only=True,
    value={
        "next": "https://example.invalid/api/v1/indicator-values/?cursor=cD0xMjM0&indicator=committee_formation_rate",
        "previous": None,
        "results": [{
            "id": 1234, "indicator": "committee_formation_rate", "indicator_name": "业委会组建率",
            "area_level": "street", "area_code": "350502001", "area_name": "鲤中街道", "period": "2024-12",
            "numerator": 61, "denominator": 76, "value": 80.2632,
            "target": {"id": 1, "indicator": "committee_formation_rate", "area_level": "", "area_code": "",
                       "comparison": "gte", "threshold": 80, "deadline": "2025-05-31", "note": ""},
            "attainment": "met", "provisional": False, "computed_at": "2025-01-11T02:00:00+08:00",
        }],
    },
)


@extend_schema_view(
    list=extend_schema(summary="指标定义 / Indicator definitions",
                       description="“四升一降”及辅助指标：代码、名称、方向、单位、口径。 / The campaign's indicators: "
                                   "code, Chinese name, direction, unit and formula."),
    retrieve=extend_schema(summary="一个指标的定义 / One indicator by code"),
)
class IndicatorViewSet(ScopedReadOnlyViewSet):
    queryset = Indicator.objects.all()
    serializer_class = IndicatorSerializer
    lookup_field = "code"
    cursor_ordering = "code"

    def scope_queryset(self, scope, queryset):
        # Definitions are the same for every area: any signed-in caller reads them all.
        return queryset


@extend_schema_view(
    list=extend_schema(summary="指标目标 / Targets",
                       description="市里设定的目标值与完成时限；全市目标及调用方可见区域的目标。 / Targets set by the "
                                   "city, with deadlines: city-wide ones and those of areas in the caller's scope."),
    retrieve=extend_schema(summary="一个目标 / One target"),
)
class TargetViewSet(ScopedReadOnlyViewSet):
    queryset = Target.objects.all()
    serializer_class = TargetSerializer
    filterset_class = TargetFilterSet

    def scope_queryset(self, scope, queryset):
        return queryset.filter(area_level="") | scope.filter_by_area_code(queryset)


@extend_schema_view(
    list=extend_schema(
        summary="指标数据 / Indicator values feed",
        description=(
            "每行为一个指标、一个区域、一个月的发布值，附分子、分母、目标与达标情况。游标分页（按 next 翻页，"
            "每页最多 1000 行）；带 If-None-Match 请求未变化的页面返回 304；`updated_since` 取增量。"
            "例：全部街道近 12 个月的业委会组建率：`?indicator=committee_formation_rate&area=350500&level=street"
            "&descendants=true&period_from=2024-01&period_to=2024-12&page_size=500`。\n\n"
            "One row per indicator, area and month, with numerator, denominator, target and attainment. Cursor "
            "pagination (follow `next`, up to 1000 rows a page); an unchanged page answers 304 to If-None-Match; "
            "`updated_since` gives increments. Months whose reports are not due yet have no figures and are "
            "left out. Add `format=csv` for CSV."),
        examples=[FEED_EXAMPLE],
    ),
    retrieve=extend_schema(summary="一条指标数据 / One indicator value"),
)
class IndicatorValueViewSet(ScopedReadOnlyViewSet):
    # No join to the indicators: the page takes them from one lookup (prepare_page), and the level's
    # rows are then read in id order straight from the (area_level, id) index.
    queryset = IndicatorValue.objects.all()
    serializer_class = IndicatorValueSerializer
    filterset_class = IndicatorValueFilterSet
    # "id", not "pk": the list's rows are dicts, and the cursor reads its position from the row.
    cursor_ordering = "id"

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.action != "list":
            return queryset
        # A page of 500 as plain rows of the serializer's columns: building a model instance per
        # row would cost more than the query. The indicator names come from prepare_page.
        return queryset.values(*FEED_COLUMNS)

    def get_queryset(self):
        # A month still being reported has computed values but no figures yet (reporting.periods.is_due).
        return super().get_queryset().filter(period__lte=latest_due_month())

    def scope_queryset(self, scope, queryset):
        return scope.filter_by_area_code(queryset)
