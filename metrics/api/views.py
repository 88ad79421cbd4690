"""Indicator definitions, targets and the published values feed."""
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.response import Response
from rest_framework.reverse import reverse

from accounts.scope import AreaScope
from common.api.etags import ETagMixin
from common.api.filters import BOOLEANS
from common.api.pagination import KeysetCursorPagination
from common.api.renderers import CSVRenderer
from common.api.views import ScopedReadOnlyViewSet
from districts.selectors import area_by_code, area_models, in_area_q
from metrics.filtersets import IndicatorValueFilterSet, TargetFilterSet
from metrics.models import Indicator, IndicatorValue, Target
from metrics.periods import MAX_RUN_MONTHS
from metrics.selectors import indicator_values_for_run
from quanzhou_pm.db_router import ReplicaReadsMixin
from reporting.periods import latest_due_month

from .serializers import (
    IndicatorRunQuerySerializer,
    IndicatorRunSerializer,
    IndicatorSerializer,
    IndicatorValueSerializer,
    TargetSerializer,
)

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
            "area_level": "street", "area_code": "350502003", "area_name": "鲤中街道", "period": "2024-12",
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
            "left out. Add `format=csv` for CSV.\n\n"
            "`aggregate=true` 与 `period_from`、`period_to` 合用：按月份区间汇总，每个区域、每个指标一行，答复 303 "
            "转到 `/api/v1/indicator-values/runs/`（参数不变）。 / With `period_from` and `period_to`, "
            "`aggregate=true` answers 303 to `/api/v1/indicator-values/runs/` with the same parameters: one row "
            "per area and indicator over the run of months."),
        parameters=[OpenApiParameter("aggregate", bool, description=(
            "为 true 时按月份区间汇总（303 转到 runs 接口）。 / When true, the run of months from period_from to "
            "period_to (303 to the runs route)."))],
        responses={200: IndicatorValueSerializer(many=True), 303: OpenApiResponse(description=(
            "aggregate=true：到 /api/v1/indicator-values/runs/ 的同参数链接见 Location 头。 / aggregate=true: the "
            "runs route with the same parameters, in the Location header."))},
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

    def list(self, request, *args, **kwargs):
        aggregate = request.query_params.getlist("aggregate")
        if len(aggregate) > 1:
            raise ValidationError({"aggregate": [_("参数 %(name)s 只能给出一次。") % {"name": "aggregate"}]})
        if aggregate and aggregate[0] not in BOOLEANS:
            raise ValidationError({"aggregate": [_("参数 %(name)s 应为 true 或 false。") % {"name": "aggregate"}]})
        if aggregate == ["true"]:
            query = request.query_params.copy()
            del query["aggregate"]
            return Response(status=status.HTTP_303_SEE_OTHER, headers={
                "Location": f"{reverse('indicator-run-list', request=request)}?{query.urlencode()}"})
        return super().list(request, *args, **kwargs)

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


class IndicatorRunPagination(KeysetCursorPagination):
    # A page is a page of areas, each with one row per indicator: 200 areas of 18 indicators is 3,600 rows.
    page_size = 50
    max_page_size = 200
    page_size_query_description = _("每页区域数，1 到 200（每个区域每个指标一行）。 / Areas per page, 1 to 200 "
                                    "(one row per area and indicator).")


RUN_EXAMPLE = OpenApiExample(
    "一个街道一个工作期的业委会组建率 / One street's committee formation rate over a campaign period",
    response_only=True,
    value={
        "indicator": "committee_formation_rate", "indicator_name": "业委会组建率", "unit": "percent",
        "area_level": "street", "area_code": "350502003", "area_name": "鲤中街道", "period_from": "2024-11",
        "period_to": "2025-03", "last_period": "2025-03", "numerator": 61, "denominator": 76, "value": 80.2632,
        "provisional": False,
    },
)


@extend_schema_view(list=extend_schema(
    summary="月份区间汇总 / Indicator values over a run of months",
    description=(
        "任意连续月份（如工作期 2024-11 至 2025-03）的指标值：每个区域、每个指标一行，由各月存储的分子、分母汇总："
        f"流量（会议、信访、12345 件数、物业费等）按月求和，存量与台账状态取期末月份，考评得分取区间内最新一次。区间最长 "
        f"{MAX_RUN_MONTHS} 个月，截止月份须已过月报截止日。游标分页，每页若干区域。"
        "与指标数据接口 `?period_from=…&period_to=…&aggregate=true` 相同。例：全部街道一个工作期的业委会组建率："
        "`?indicator=committee_formation_rate&area=350500&level=street&descendants=true&period_from=2024-11"
        "&period_to=2025-03`。\n\n"
        "Any run of months (a campaign period such as 2024-11..2025-03): one row per area and indicator, from the "
        "stored monthly numerators and denominators. Flows are summed over the months, stocks and registry states "
        f"taken at the last month, scores the latest in the run. At most {MAX_RUN_MONTHS} months, ending at a month "
        "whose reports are due. Cursor pagination over areas. The same as the values feed with `aggregate=true`."),
    parameters=[IndicatorRunQuerySerializer],
    examples=[RUN_EXAMPLE],
))
class IndicatorRunViewSet(ReplicaReadsMixin, ETagMixin, viewsets.GenericViewSet):
    serializer_class = IndicatorRunSerializer
    pagination_class = IndicatorRunPagination
    cursor_ordering = "code"
    filter_backends = []
    # A page at a time, in CSV too: a run's rows are built per page of areas, not streamed from a queryset.
    renderer_classes = [JSONRenderer, CSVRenderer, BrowsableAPIRenderer]

    def list(self, request, *args, **kwargs):
        query = IndicatorRunQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        query = query.validated_data
        level, areas = self._areas(query)
        page = self.paginate_queryset(areas)
        indicators = Indicator.objects.all()
        if query.get("indicator"):
            indicators = indicators.filter(code__in=query["indicator"])
        indicators = {indicator.code: indicator for indicator in indicators}
        rows = indicator_values_for_run(area_level=level, area_codes=[area["code"] for area in page],
                                        first=query["period_from"], last=query["period_to"],
                                        indicators=indicators.values())
        context = {"level": level, "first": query["period_from"], "last": query["period_to"],
                   "area_names": {area["code"]: area["name"] for area in page}, "indicators": indicators}
        serializer = self.get_serializer(rows, many=True, context={**self.get_serializer_context(), **context})
        return self.get_paginated_response(serializer.data)

    def _areas(self, query):
        """The level asked for and the caller's areas at it, in the area filter (as the values feed reads it)."""
        models = {model.level: model for model in area_models()}
        code, level = query.get("area", "").strip(), query.get("level")
        if not code:
            areas = models[level].objects.all()
        elif (area := area_by_code(code)) is None:
            areas = models[level or "city"].objects.none()
        elif query["descendants"]:
            areas = models[level].objects.filter(in_area_q(models[level], area))
        else:
            areas = type(area).objects.filter(pk=area.pk) if level in (None, area.level) else type(area).objects.none()
            level = area.level
        return level, AreaScope.for_user(self.request.user).filter(areas).values("code", "name")
