from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.api.serializers import ModelSerializer, PageListSerializer
from districts.selectors import area_names
from metrics.models import Indicator, IndicatorValue, Target
from metrics.selectors import Attainment, attainment, target_for_area, targets_by_area
from reporting.api.serializers import PeriodField


class IndicatorSerializer(ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["code", "name", "is_core", "direction", "unit", "numerator_description", "denominator_description",
                  "formula", "display_order"]


class TargetSerializer(ModelSerializer):
    indicator = serializers.CharField(source="indicator_id", read_only=True)

    class Meta:
        model = Target
        fields = ["id", "indicator", "area_level", "area_code", "comparison", "threshold", "deadline", "note"]


class IndicatorValueSerializer(ModelSerializer):
    indicator = serializers.CharField(source="indicator_id", read_only=True, help_text="指标代码。 / Indicator code.")
    indicator_name = serializers.CharField(source="indicator.name", read_only=True)
    area_name = serializers.SerializerMethodField(help_text="区域名称。 / Area name.")
    period = PeriodField(read_only=True)
    target = serializers.SerializerMethodField(help_text=(
        "该月适用的目标值（区域目标优先于全市目标），无目标时为 null。 / The target in force that month, or null."))
    attainment = serializers.SerializerMethodField(help_text=(
        "met 达标、near 接近（差距 5 个百分点以内）、missed 未达标；无值或无目标时为 null。 / "
        "met, near (within 5 points) or missed; null without a value or a target."))

    class Meta:
        model = IndicatorValue
        list_serializer_class = PageListSerializer
        fields = ["id", "indicator", "indicator_name", "area_level", "area_code", "area_name", "period", "numerator",
                  "denominator", "value", "target", "attainment", "provisional", "computed_at"]

    # A page holds a few indicators, levels and months, and the values of one recompute share its time.
    page_repeated_fields = ("indicator", "indicator_name", "area_level", "period", "provisional", "computed_at")

    def prepare_page(self, rows):
        """A page's area names, indicators and targets in three queries, not per row.

        Rows are model instances or, for the feed's list, `values()` dicts keyed by source path.
        """
        self.area_names = area_names((_field(row, "area_level"), _field(row, "area_code")) for row in rows)
        self.targets = targets_by_area(Target.objects.all())
        indicators = Indicator.objects.in_bulk()
        for row in rows:
            if isinstance(row, dict):
                row["indicator__name"] = indicators[row["indicator_id"]].name
            else:
                row.indicator = indicators[row.indicator_id]

    def _target(self, row):
        # Asked twice per row (target, then attainment): look it up once.
        if self.__dict__.get("_target_row") is row:
            return self._target_of_row
        indicator_id = _field(row, "indicator_id")
        if not hasattr(self, "targets"):  # a single value, not a page
            self.targets = targets_by_area(Target.objects.filter(indicator_id=indicator_id))
        self._target_row = row
        self._target_of_row = target_for_area(self.targets, indicator_id, _field(row, "area_code"),
                                              _field(row, "period"))
        return self._target_of_row

    def get_area_name(self, row) -> str | None:
        key = (_field(row, "area_level"), _field(row, "area_code"))
        if not hasattr(self, "area_names"):
            self.area_names = area_names([key])
        return self.area_names.get(key)

    @extend_schema_field(TargetSerializer(allow_null=True))
    def get_target(self, row):
        target = self._target(row)
        if target is None:
            return None
        # A page repeats the same few targets: serialize each once.
        cache = self.__dict__.setdefault("_target_data", {})
        if target.pk not in cache:
            cache[target.pk] = TargetSerializer(target).data
        return cache[target.pk]

    @extend_schema_field(serializers.ChoiceField(choices=[Attainment.MET, Attainment.NEAR, Attainment.MISSED],
                                                 allow_null=True))
    def get_attainment(self, row):
        return attainment(_field(row, "value"), self._target(row))


def _field(row, name):
    """A column of a row that is either a model instance or a `values()` dict (not any Mapping: speed)."""
    return row[name] if isinstance(row, dict) else getattr(row, name)

