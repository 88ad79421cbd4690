from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.api.serializers import ModelSerializer, PageListSerializer
from districts.selectors import area_names
from metrics.forecasts import forecast, monthly_figures, trend_start
from metrics.models import Indicator, IndicatorValue, Target
from metrics.periods import add_months
from metrics.selectors import (
    Attainment,
    attainment,
    baseline_period,
    indicator_value,
    target_for_area,
    targets_by_area,
)
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


class ProjectionSerializer(serializers.Serializer):
    """Output only: the target in force projected to its deadline from the trend of the last six months."""

    deadline = serializers.DateField(read_only=True, help_text="目标完成时限。 / The target's deadline.")
    projected_value = serializers.DecimalField(
        max_digits=14, decimal_places=4, allow_null=True, read_only=True,
        help_text="按近6个月分子、分母的线性趋势推算的到期值。 / The value projected to the deadline from linear "
                  "trends of the last six months' numerators and denominators.")
    attainment = serializers.ChoiceField(choices=[Attainment.MET, Attainment.NEAR, Attainment.MISSED],
                                         allow_null=True, read_only=True,
                                         help_text="预计达标情况。 / Projected attainment.")
    needed_per_month = serializers.DecimalField(
        max_digits=14, decimal_places=2, allow_null=True, read_only=True,
        help_text="比率指标：到期达标每月还需增加的分子数（如业委会个数）；其他指标：每月所需的数值变化。 / Rates: what "
                  "the numerator must gain a month to meet the target; other units: the value's change a month.")
    trend_per_month = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True,
                                               help_text="近6个月的月均变化（同上口径）。 / The trend a month.")


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
    change_vs_baseline = serializers.SerializerMethodField(help_text=(
        "与基期月份相比的变化（比率为百分点）；任一方无值时为 null。 / Change against the baseline month "
        "(points for rates); null when either has no value."))
    change_vs_previous = serializers.SerializerMethodField(help_text=(
        "与上月相比的变化。 / Change against the previous month."))
    projection = serializers.SerializerMethodField(help_text=(
        "适用目标按近6个月趋势推算到完成时限的结果；无目标、时限已过或数据不足时为 null。 / The target in force "
        "projected to its deadline; null without a target, past it, or without data."))

    class Meta:
        model = IndicatorValue
        list_serializer_class = PageListSerializer
        fields = ["id", "indicator", "indicator_name", "area_level", "area_code", "area_name", "period", "numerator",
                  "denominator", "value", "target", "attainment", "change_vs_baseline", "change_vs_previous",
                  "projection", "provisional", "computed_at"]

    # A page holds a few indicators, levels and months, and the values of one recompute share its time.
    page_repeated_fields = ("indicator", "indicator_name", "area_level", "period", "provisional", "computed_at")

    def prepare_page(self, rows):
        """A page's area names, indicators and targets in three queries, not per row.

        Rows are model instances or, for the feed's list, `values()` dicts keyed by source path.
        """
        self.area_names = area_names((_field(row, "area_level"), _field(row, "area_code")) for row in rows)
        self.targets = targets_by_area(Target.objects.all())
        indicators = Indicator.objects.in_bulk()
        self.units = {code: indicator.unit for code, indicator in indicators.items()}
        self._load_history(rows)
        for row in rows:
            if isinstance(row, dict):
                row["indicator__name"] = indicators[row["indicator_id"]].name
            else:
                row.indicator = indicators[row.indicator_id]

    def _load_history(self, rows) -> None:
        """The months the page's rows are compared with and projected from, in one query: the baseline
        month, and the trend's months up to each row's (the previous month among them)."""
        rows = list(rows)
        if not rows:
            self.history = {}
            return
        periods = [_field(row, "period") for row in rows]
        first = min(baseline_period(), trend_start(min(periods)))
        self.history = monthly_figures(area_levels=[_field(row, "area_level") for row in rows],
                                       area_codes=[_field(row, "area_code") for row in rows],
                                       indicator_codes=[_field(row, "indicator_id") for row in rows],
                                       first=first, last=max(periods))
        if not hasattr(self, "units"):  # a single value, not a page
            self.units = dict(Indicator.objects.values_list("code", "unit"))

    def _months(self, row):
        if not hasattr(self, "history"):  # a single value, not a page
            self._load_history([row])
        return self.history.get((_field(row, "area_level"), _field(row, "area_code"), _field(row, "indicator_id")), [])

    def _value_in(self, row, period):
        month = next((m for m in self._months(row) if m.period == period), None)
        return None if month is None else indicator_value(month.numerator, month.denominator,
                                                          self.units[_field(row, "indicator_id")])

    def _change(self, row, period):
        value, other = _field(row, "value"), self._value_in(row, period)
        return None if value is None or other is None else value - other

    @extend_schema_field(serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True))
    def get_change_vs_baseline(self, row):
        return self._change(row, baseline_period())

    @extend_schema_field(serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True))
    def get_change_vs_previous(self, row):
        return self._change(row, add_months(_field(row, "period"), -1))

    @extend_schema_field(ProjectionSerializer(allow_null=True))
    def get_projection(self, row):
        target = self._target(row)
        if target is None:
            return None
        item = forecast(target, self.units[_field(row, "indicator_id")], self._months(row), _field(row, "period"))
        if item is None:
            return None
        return {"deadline": target.deadline, "projected_value": item.projected_value,
                "attainment": item.projected_attainment, "needed_per_month": item.needed_per_month,
                "trend_per_month": item.trend_per_month}

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

