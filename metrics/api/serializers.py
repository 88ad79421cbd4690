from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.api.filters import BOOLEANS
from common.api.serializers import ModelSerializer, PageListSerializer
from districts.models import AreaLevel
from districts.selectors import area_names
from metrics.forecasts import forecast, monthly_figures, trend_start
from metrics.models import Indicator, IndicatorValue, Target, Unit
from metrics.periods import add_months, run_error
from metrics.selectors import (
    Attainment,
    attainment,
    baseline_period,
    indicator_value,
    target_for_area,
    targets_by_area,
)
from reporting.api.serializers import PeriodField
from reporting.periods import PERIOD_PATTERN, format_period, latest_due_month


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



class IndicatorRunQuerySerializer(serializers.Serializer):
    """The query of a run of months: which months, indicators and areas."""

    period_from = PeriodField(required=False, help_text=(
        "区间起始月份（含），YYYY-MM；不给区间时为最近有数据的月份。 / The run's first month (inclusive), YYYY-MM; "
        "without a run, the latest month with figures."))
    period_to = PeriodField(required=False, help_text=(
        "区间截止月份（含），YYYY-MM；与 period_from 同时给出。 / The run's last month (inclusive), YYYY-MM; "
        "given with period_from."))
    period = PeriodField(required=False, help_text=(
        "单个月份，等同于 period_from 与 period_to 都是该月。 / One month: the run from that month to itself."))
    indicator = serializers.CharField(required=False, max_length=1000, help_text=(
        "一个或多个指标代码，逗号分隔；不给时为全部指标。 / One or several indicator codes, comma-separated; "
        "every indicator when absent."))
    area = serializers.CharField(required=False, max_length=20, help_text=(
        "区域代码；与 descendants=true 合用时表示该区域下 level 层级的全部区域。 / Area code; with "
        "descendants=true, every area at `level` under it."))
    level = serializers.ChoiceField(choices=AreaLevel.choices, required=False, help_text=(
        "区域层级；descendants=true 时必填；不给 area 时默认为街道。 / Area level; required with descendants=true; "
        "streets when there is no `area`."))
    descendants = serializers.BooleanField(required=False, default=False, help_text=(
        "为 true 时返回 area 下 level 层级的每个区域。 / When true, every area at `level` under `area`."))

    def to_internal_value(self, data):
        # As strict as the feed's filters (common.api.filters): each parameter once, booleans true or false.
        errors = {name: [_("参数 %(name)s 只能给出一次。") % {"name": name}]
                  for name in self.fields if len(data.getlist(name)) > 1}
        # DRF reads a blank optional parameter as an absent one: a blank month would silently become the default.
        errors |= {name: [_("参数 %(name)s 不能为空。") % {"name": name}]
                   for name in self.fields if name in data and name not in errors and not data[name].strip()}
        if "descendants" in data and "descendants" not in errors and data["descendants"] not in BOOLEANS:
            errors["descendants"] = [_("参数 %(name)s 应为 true 或 false。") % {"name": "descendants"}]
        if errors:
            raise serializers.ValidationError(errors)
        return super().to_internal_value(data)

    def validate_indicator(self, text):
        codes = sorted({code.strip() for code in text.split(",") if code.strip()})
        unknown = sorted(set(codes) - set(Indicator.objects.filter(code__in=codes).values_list("code", flat=True)))
        if unknown:
            raise serializers.ValidationError(_("没有这些指标代码：%(codes)s。") % {"codes": "、".join(unknown)})
        return codes

    def validate(self, data):
        data = {**data, **self._run(data)}
        first, last = data["period_from"], data["period_to"]
        problem = run_error(first, last)
        if problem:
            raise serializers.ValidationError({"period_to": [problem]})
        latest = latest_due_month()
        if last > latest:
            raise serializers.ValidationError({"period_to": [
                _("%(month)s 的月报未到截止日，尚无数据；最近有数据的月份为 %(latest)s。")
                % {"month": format_period(last), "latest": format_period(latest)}]})
        if data.get("descendants") and not data.get("level"):
            raise serializers.ValidationError({"level": [_("请给出区域层级 level（只查一个区域时给出其代码 area 即可）。")]})
        if not data.get("area") and not data.get("level"):
            data["level"] = AreaLevel.STREET
        return data

    @staticmethod
    def _run(data) -> dict:
        """The run asked for: period_from and period_to, one month (period), or the latest month with figures."""
        given = [name for name in ("period_from", "period_to") if name in data]
        if "period" in data:
            if given:
                raise serializers.ValidationError({"period": [_("period 不能与 period_from、period_to 同时给出。")]})
            return {"period_from": data["period"], "period_to": data["period"]}
        if len(given) == 1:
            missing = ({"period_from", "period_to"} - set(given)).pop()
            raise serializers.ValidationError({missing: [_("请同时给出 period_from 与 period_to。")]})
        if not given:
            latest = latest_due_month()
            return {"period_from": latest, "period_to": latest}
        return {}


class IndicatorRunSerializer(serializers.Serializer):
    """Output only: one indicator of one area over a run of months (metrics.selectors.indicator_values_for_run)."""

    indicator = serializers.CharField(source="indicator_code", read_only=True,
                                      help_text="指标代码。 / Indicator code.")
    indicator_name = serializers.SerializerMethodField(help_text="指标名称。 / Indicator name.")
    unit = serializers.SerializerMethodField(help_text="单位。 / Unit.")
    area_level = serializers.SerializerMethodField(help_text="区域层级。 / Area level.")
    area_code = serializers.CharField(read_only=True, help_text="区域代码。 / Area code.")
    area_name = serializers.SerializerMethodField(help_text="区域名称。 / Area name.")
    period_from = serializers.SerializerMethodField(help_text="区间起始月份。 / The run's first month.")
    period_to = serializers.SerializerMethodField(help_text="区间截止月份。 / The run's last month.")
    last_period = PeriodField(read_only=True, help_text=(
        "区间内最后一个有数据的月份：期末存量（如保安人数、业委会）按该月计。 / The run's last month with values: "
        "stocks (guards, committees) are taken there."))
    numerator = serializers.DecimalField(max_digits=24, decimal_places=4, read_only=True, help_text=(
        "分子：流量（会议、信访、12345 件数、物业费……）为各月之和，存量为期末月份的值。 / Numerator: flows summed "
        "over the months, stocks at the last month."))
    denominator = serializers.DecimalField(max_digits=24, decimal_places=4, read_only=True,
                                           help_text="分母（口径同分子）。 / Denominator, by the same rules.")
    value = serializers.DecimalField(max_digits=14, decimal_places=4, allow_null=True, read_only=True,
                                     help_text="指标值；分母为 0 时为 null。 / The value; null on a zero denominator.")
    provisional = serializers.BooleanField(read_only=True, help_text=(
        "区间内是否含已上报未审核的数据。 / Whether a month of the run counted unapproved figures."))

    # The view's context gives what every row of a page shares: "level", "first", "last", the
    # page's "area_names" (code → name) and "indicators" (code → Indicator).

    def get_indicator_name(self, row) -> str:
        return self.context["indicators"][row.indicator_code].name

    @extend_schema_field(serializers.ChoiceField(choices=Unit.choices))
    def get_unit(self, row) -> str:
        return self.context["indicators"][row.indicator_code].unit

    @extend_schema_field(serializers.ChoiceField(choices=AreaLevel.choices))
    def get_area_level(self, row) -> str:
        return self.context["level"]

    def get_area_name(self, row) -> str:
        return self.context["area_names"].get(row.area_code)

    @extend_schema_field({"type": "string", "pattern": PERIOD_PATTERN, "example": "2024-11"})
    def get_period_from(self, row) -> str:
        return format_period(self.context["first"])

    @extend_schema_field({"type": "string", "pattern": PERIOD_PATTERN, "example": "2025-03"})
    def get_period_to(self, row) -> str:
        return format_period(self.context["last"])
