"""Monthly reports and records over the API. Figures are validated by reporting.validation, not here:
the fields below only say which JSON types each figure takes."""
from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.api import fields
from common.api.serializers import ModelSerializer
from reporting.models import MonthlyRecord, MonthlyReport, ReportState
from reporting.periods import PERIOD_PATTERN, format_period, parse_period
from reporting.validation import COUNT, FIELD_NAMES, FIELDS, FLAG, MAX_COUNT, MAX_MONEY, MONEY, SCORE

MAX_VERSION = 2_147_483_647


@extend_schema_field({"type": "string", "pattern": PERIOD_PATTERN, "example": "2024-05"})
class PeriodField(serializers.Field):
    default_error_messages = {"invalid": "月份格式应为 YYYY-MM，例如 2024-05。"}

    def to_representation(self, value):
        return format_period(value)

    def to_internal_value(self, data):
        try:
            return parse_period(str(data))
        except ValueError:
            self.fail("invalid")


def version_field(**kwargs) -> serializers.Field:
    """The report version a client read (a PositiveIntegerField), to detect a change since."""
    return fields.IntegerField(required=False, min_value=0, max_value=MAX_VERSION, **kwargs)


# The fields say which JSON types a figure takes; the schema publishes the bounds reporting.validation
# checks, and the service applies them with messages that name the compound.
@extend_schema_field({"type": "integer", "minimum": 0, "maximum": MAX_COUNT})
class CountField(fields.IntegerField):
    pass


@extend_schema_field({"type": "number", "minimum": 0, "maximum": float(MAX_MONEY)})
class MoneyField(fields.DecimalField):
    pass


@extend_schema_field({"type": "number", "minimum": 0, "maximum": 100})
class ScoreField(fields.DecimalField):
    pass


def figure_field(kind: str, **kwargs) -> serializers.Field:
    label = kwargs.pop("label")
    decimals = "（最多两位小数）" if kind in (MONEY, SCORE) else ""
    common = {"label": label, "help_text": f"{label}{decimals}", **kwargs}
    if kind == COUNT:
        return CountField(**common)
    if kind == MONEY:
        return MoneyField(max_digits=14, decimal_places=2, **common)
    if kind == FLAG:
        return serializers.BooleanField(**common)
    return ScoreField(max_digits=5, decimal_places=2, **common)


# The figures as optional inputs, one field per reporting.validation.FIELDS entry; null means blank.
FiguresSerializer = type("FiguresSerializer", (serializers.Serializer,), {
    "__module__": __name__,
    **{spec.name: figure_field(spec.kind, label=spec.label, required=False, allow_null=True) for spec in FIELDS},
})


class MonthlyRecordSerializer(ModelSerializer):
    compound = serializers.CharField(source="compound.code", read_only=True, help_text="小区代码。 / Compound code.")
    compound_name = serializers.CharField(source="compound.name", read_only=True)
    street = serializers.CharField(source="report.street.code", read_only=True, help_text="街道代码。 / Street code.")
    period = PeriodField(read_only=True)
    state = serializers.ChoiceField(source="report.state", choices=ReportState.choices, read_only=True,
                                    help_text="所属月报的状态。 / State of the record's report.")
    flags = serializers.ListField(child=serializers.DictField(), read_only=True,
                                  help_text="异常提示（与本小区历史相比偏离较大），供审核参考。 / Outlier notes for reviewers.")

    class Meta:
        model = MonthlyRecord
        fields = ["id", "compound", "compound_name", "street", "period", "state", *FIELD_NAMES, "flags", "updated_at"]


class MonthlyRowSerializer(FiguresSerializer):
    """One compound's figures. An omitted or null figure counts as blank (zero; no score)."""

    compound = serializers.CharField(help_text="小区代码。 / Compound code.")


class MonthlyReportSerializer(ModelSerializer):
    street = serializers.CharField(source="street.code", read_only=True, help_text="街道代码。 / Street code.")
    street_name = serializers.CharField(source="street.name", read_only=True)
    period = PeriodField(read_only=True)

    class Meta:
        model = MonthlyReport
        fields = ["id", "street", "street_name", "period", "state", "version", "due_on", "submitted_at", "is_late",
                  "approved_at", "locked_at", "updated_at"]
        read_only_fields = fields


class MonthlyReportDetailSerializer(MonthlyReportSerializer):
    records = MonthlyRecordSerializer(many=True, read_only=True)

    class Meta(MonthlyReportSerializer.Meta):
        fields = [*MonthlyReportSerializer.Meta.fields, "records"]
        read_only_fields = fields


class MonthlyReportWriteSerializer(serializers.Serializer):
    street = serializers.CharField(help_text="街道代码（仅创建时）。 / Street code (on create).")
    period = PeriodField(help_text="月份 YYYY-MM（仅创建时）。 / Month YYYY-MM (on create).")
    version = version_field(help_text=(
        "读取时的版本号；填写后若月报已被他人修改则返回 409。 / The version read; if the report changed since, 409."))
    records = MonthlyRowSerializer(many=True, help_text=(
        "要保存的小区数据；未列出的小区不变，整行留空表示删除该小区本月数据。 / Rows to save; compounds not "
        "listed are unchanged, an all-blank row deletes that compound's figures."))

    def to_internal_value(self, data):
        # Counted before any row is validated: each row costs the serializer and the service time,
        # and a month's rows are bounded as the Excel upload bounds them.
        records = data.get("records") if isinstance(data, dict) else None
        limit = settings.MONTHLY_UPLOAD_MAX_ROWS
        if isinstance(records, list) and len(records) > limit:
            raise serializers.ValidationError({"records": [_("一次最多保存 %(max)d 行，本次为 %(count)d 行。") % {
                "max": limit, "count": len(records)}]})
        return super().to_internal_value(data)


class MonthlyReportUpdateSerializer(MonthlyReportWriteSerializer):
    street = None
    period = None


class MonthlyRecordWriteSerializer(FiguresSerializer):
    compound = serializers.CharField(help_text="小区代码（仅创建时）。 / Compound code (on create).")
    period = PeriodField(help_text="月份 YYYY-MM（仅创建时）。 / Month YYYY-MM (on create).")
    version = version_field(help_text=(
        "所属月报读取时的版本号；填写后若已被他人修改则返回 409。 / The report version read; if it changed since, 409."))


class MonthlyRecordUpdateSerializer(MonthlyRecordWriteSerializer):
    compound = None
    period = None


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="理由（退回、重新打开时必填）。 / Reason (required).")


class ReviewSerializer(serializers.Serializer):
    """The body of a review (approve, return): optionally the version the reviewer saw."""

    version = version_field(source="expected_version", help_text=(
        "审核时看到的月报版本号（读取月报时的 version）；填写后若月报此后已被修改（如退回后重新上报），返回 409 "
        "stale_version，不做任何改动；不填则不检查（兼容旧客户端）。 / The report version the reviewer saw; if the "
        "report has changed since (say, returned, edited and submitted again), 409 stale_version and nothing "
        "changes. Omitted: not checked (older clients)."))


class ReturnSerializer(ReasonSerializer, ReviewSerializer):
    """The body of a return: the reason, and optionally the version the reviewer saw."""
