"""Monthly data over the API: the same services, workflow rules and messages as the pages."""
from __future__ import annotations

from contextlib import contextmanager

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.scope import AreaScope
from common.api.exceptions import Conflict
from common.api.views import ScopedViewSetMixin
from communities.models import Compound
from districts.models import Street
from reporting import services
from reporting.filtersets import MonthlyRecordFilterSet, MonthlyReportFilterSet
from reporting.models import MonthlyRecord, MonthlyReport
from reporting.validation import FIELD_NAMES, RowInput

from .serializers import (
    MonthlyRecordSerializer,
    MonthlyRecordUpdateSerializer,
    MonthlyRecordWriteSerializer,
    MonthlyReportDetailSerializer,
    MonthlyReportSerializer,
    MonthlyReportUpdateSerializer,
    MonthlyReportWriteSerializer,
    ReasonSerializer,
    ReturnSerializer,
    ReviewSerializer,
)

SOURCE = "api"


@contextmanager
def service_errors():
    """The services' refusals as HTTP: 403 not allowed, 409 wrong state or stale version."""
    try:
        yield
    except services.ReportPermissionError as exc:
        raise exceptions.PermissionDenied(exc.message) from exc
    except services.StaleVersionError as exc:
        raise Conflict(exc.message, code="stale_version") from exc
    except services.ReportingError as exc:
        raise Conflict(exc.message, code="rejected") from exc


def save_rows(*, street, period, report, rows: list[RowInput], actor, version: int | None) -> MonthlyReport:
    """Create the street-month if needed and save `rows` through the service, all or nothing."""
    with service_errors(), transaction.atomic():
        report = report or services.monthly_report_get_or_create(street=street, period=period)
        plan = services.monthly_records_save(report=report, rows=rows, actor=actor, source=SOURCE,
                                             expected_version=report.version if version is None else version)
        if not plan.ok:
            raise exceptions.ValidationError({"records": _row_errors(plan.errors)})
    return report


def _row_errors(errors) -> dict:
    by_compound: dict = {}
    for error in errors:
        cell = by_compound.setdefault(error.code or "non_field_errors", {})
        cell.setdefault(error.field or "non_field_errors", []).append(exceptions.ErrorDetail(error.message, "invalid"))
    return by_compound


def row_input(code: str, values: dict) -> RowInput:
    return RowInput(code=code, values={name: values.get(name) for name in FIELD_NAMES})


def visible_by_code(user, queryset, code: str, *, field: str):
    """The object in the caller's scope, or a 400 on `field`: what the caller cannot see does not exist."""
    found = AreaScope.for_user(user).filter(queryset.filter(code=code)).first()
    if found is None:
        raise exceptions.ValidationError({field: [exceptions.ErrorDetail(
            _("未找到代码为 %(code)s 的记录。") % {"code": code}, "not_found")]})
    return found


@extend_schema_view(
    list=extend_schema(summary="街道月报列表 / List street monthly reports",
                       description="一个街道一个月一份月报。 / One report per street and month."),
    retrieve=extend_schema(summary="街道月报详情（含各小区数据） / One report with its compound rows"),
    create=extend_schema(summary="创建或填报街道月报 / Create a street-month and save rows",
                         request=MonthlyReportWriteSerializer, responses={201: MonthlyReportDetailSerializer}),
    partial_update=extend_schema(summary="填报小区数据 / Save rows into a draft report",
                                 request=MonthlyReportUpdateSerializer, responses=MonthlyReportDetailSerializer),
)
class MonthlyReportViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                           viewsets.GenericViewSet):
    queryset = MonthlyReport.objects.select_related("street")
    filterset_class = MonthlyReportFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "retrieve":
            return queryset.prefetch_related("records__compound")
        return queryset

    def get_serializer_class(self):
        return MonthlyReportDetailSerializer if self.action == "retrieve" else MonthlyReportSerializer

    def _detail(self, report, status_code=status.HTTP_200_OK):
        report = self.get_queryset().prefetch_related("records__compound", "records__report__street").get(pk=report.pk)
        return Response(MonthlyReportDetailSerializer(report, context=self.get_serializer_context()).data,
                        status=status_code)

    def create(self, request, *args, **kwargs):
        data = _valid(MonthlyReportWriteSerializer, request)
        street = visible_by_code(request.user, Street.objects.all(), data["street"], field="street")
        report = save_rows(street=street, period=data["period"], report=None, actor=request.user,
                           version=data.get("version"),
                           rows=[row_input(row["compound"], row) for row in data["records"]])
        return self._detail(report, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        report = self.get_object()
        data = _valid(MonthlyReportUpdateSerializer, request)
        save_rows(street=report.street, period=report.period, report=report, actor=request.user,
                  version=data.get("version"), rows=[row_input(row["compound"], row) for row in data["records"]])
        return self._detail(report)

    @extend_schema(summary="上报 / Submit", request=None, responses=MonthlyReportSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None, format=None):
        return self._transition(services.monthly_report_submit)

    @extend_schema(summary="审核通过 / Approve", request=ReviewSerializer, responses=MonthlyReportSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None, format=None):
        return self._transition(services.monthly_report_approve, body=ReviewSerializer)

    @extend_schema(summary="退回 / Return to the street", request=ReturnSerializer, responses=MonthlyReportSerializer)
    @action(detail=True, methods=["post"], url_path="return")
    def return_to_draft(self, request, pk=None, format=None):
        return self._transition(services.monthly_report_return_to_draft, body=ReturnSerializer)

    @extend_schema(summary="锁定 / Lock", request=None, responses=MonthlyReportSerializer)
    @action(detail=True, methods=["post"])
    def lock(self, request, pk=None, format=None):
        return self._transition(services.monthly_report_lock)

    @extend_schema(summary="重新打开 / Reopen", request=ReasonSerializer, responses=MonthlyReportSerializer)
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None, format=None):
        return self._transition(services.monthly_report_reopen, body=ReasonSerializer)

    def _transition(self, service, *, body=None):
        """Call `service` on the report with the validated `body` (a serializer class) as its arguments."""
        report = self.get_object()
        extra = _valid(body, self.request) if body is not None else {}
        with service_errors():
            report = service(report=report, actor=self.request.user, **extra)
        return Response(MonthlyReportSerializer(report, context=self.get_serializer_context()).data)


@extend_schema_view(
    list=extend_schema(summary="小区月度数据 / List compound monthly records",
                       description="按小区、月份的月报数据，可按区域、月份区间与月报状态筛选。 / "
                                   "Compound-month figures, filtered by area, months and report state."),
    retrieve=extend_schema(summary="一条小区月度数据 / One compound-month record"),
    create=extend_schema(summary="填报一个小区一个月的数据 / Save one compound's month",
                         request=MonthlyRecordWriteSerializer, responses={201: MonthlyRecordSerializer}),
    partial_update=extend_schema(summary="修改一个小区一个月的数据 / Change some figures of one record",
                                 request=MonthlyRecordUpdateSerializer, responses=MonthlyRecordSerializer),
)
class MonthlyRecordViewSet(ScopedViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin,
                           viewsets.GenericViewSet):
    queryset = MonthlyRecord.objects.select_related("compound", "report__street")
    serializer_class = MonthlyRecordSerializer
    filterset_class = MonthlyRecordFilterSet
    http_method_names = ["get", "post", "patch", "head", "options"]

    def create(self, request, *args, **kwargs):
        data = _valid(MonthlyRecordWriteSerializer, request)
        _require_a_figure(data)
        compound = visible_by_code(request.user, Compound.objects.select_related("community__street"), data["compound"],
                                   field="compound")
        report = save_rows(street=compound.community.parent, period=data["period"], report=None, actor=request.user,
                           version=data.get("version"), rows=[row_input(compound.code, data)])
        record = self.get_queryset().get(report=report, compound=compound)
        return Response(self.get_serializer(record).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        record = self.get_object()
        data = _valid(MonthlyRecordUpdateSerializer, request)
        # Figures not sent keep their current value; the service validates the whole row.
        values = {name: data.get(name, getattr(record, name)) for name in FIELD_NAMES}
        _require_a_figure(values)
        save_rows(street=record.report.street, period=record.period, report=record.report, actor=request.user,
                  version=data.get("version"), rows=[row_input(record.compound.code, values)])
        return Response(self.get_serializer(self.get_queryset().get(pk=record.pk)).data)


def _require_a_figure(values: dict) -> None:
    """One compound's record keeps at least one figure: the service reads an all-blank row as
    "delete this compound's month", which a report's rows may ask for and a record cannot."""
    if all(values.get(name) is None for name in FIELD_NAMES):
        raise exceptions.ValidationError({"non_field_errors": [exceptions.ErrorDetail(
            _("至少填写一项数据；要删除该小区本月数据，请在月报中保存整行留空的记录。"), "no_figures")]})


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
