"""The indicator engine's data: definitions, targets, published values and the compound-month facts.

Published values (`IndicatorValue`) identify their area by level + code, so one table serves every
level of the hierarchy and the feeds can filter by code. Every value keeps its numerator and
denominator: a higher level is always the sum of the lower levels' numerators over the sum of
their denominators, never a mean of rates.
"""
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from districts.models import AreaLevel

from .formulas import FACT_SUM_COLUMNS


class Direction(models.TextChoices):
    UP = "up", _("越高越好")
    DOWN = "down", _("越低越好")


class Unit(models.TextChoices):
    PERCENT = "percent", _("%")
    SCORE = "score", _("分")
    PER_THOUSAND_HOUSEHOLDS = "per_thousand_households", _("件/千户")

    # How every page and file writes a value of the unit, defined once: its decimal places, and
    # Excel's number format showing the stored figure that way (a percentage is stored as 99.9, so
    # its format appends the sign rather than multiplying by 100).
    @property
    def decimals(self) -> int:
        return 2 if self == Unit.PER_THOUSAND_HOUSEHOLDS else 1

    @property
    def number_format(self) -> str:
        places = "0." + "0" * self.decimals
        return f'{places}"%"' if self == Unit.PERCENT else places

    # The values a target of the unit may be set to: a percentage and a score (0–100 points) are
    # bounded by their scale; a rate per thousand households by a thousand, one matter per household.
    @property
    def target_bounds(self) -> tuple[Decimal, Decimal]:
        return Decimal(0), Decimal(1000 if self == Unit.PER_THOUSAND_HOUSEHOLDS else 100)


# Excel's number format of a count (a numerator, a denominator); one with cents (fees) keeps them.
COUNT_NUMBER_FORMAT = "#,##0"
AMOUNT_NUMBER_FORMAT = "#,##0.00"


class Indicator(models.Model):
    """One indicator of the "四升一降" programme or its secondary set; rows come from a data migration."""

    code = models.CharField(_("指标代码"), max_length=40, primary_key=True)
    name = models.CharField(_("指标名称"), max_length=100)
    is_core = models.BooleanField(_("“四升一降”核心指标"), default=False)
    direction = models.CharField(_("方向"), max_length=10, choices=Direction.choices)
    unit = models.CharField(_("单位"), max_length=30, choices=Unit.choices)
    numerator_description = models.TextField(_("分子"))
    denominator_description = models.TextField(_("分母"))
    formula = models.TextField(_("计算公式与口径"))
    display_order = models.PositiveSmallIntegerField(_("显示顺序"), default=0)

    class Meta:
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        ordering = ["display_order", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def decimals(self) -> int:
        return Unit(self.unit).decimals

    @property
    def number_format(self) -> str:
        return Unit(self.unit).number_format


class Comparison(models.TextChoices):
    AT_LEAST = "gte", "≥"
    AT_MOST = "lte", "≤"
    EQUAL = "eq", "="


class Target(models.Model):
    """A target set by the city: an indicator must reach `threshold` by `deadline`, city-wide or in one area."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets", verbose_name=_("指标"))
    area_level = models.CharField(_("区域层级"), max_length=20, choices=AreaLevel.choices, blank=True, default="",
                                  help_text=_("留空表示全市统一目标"))
    area_code = models.CharField(_("区域代码"), max_length=20, blank=True, default="")
    comparison = models.CharField(_("比较"), max_length=3, choices=Comparison.choices, default=Comparison.AT_LEAST)
    threshold = models.DecimalField(_("目标值"), max_digits=12, decimal_places=4)
    deadline = models.DateField(_("完成时限"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("目标")
        verbose_name_plural = _("目标")
        ordering = ["indicator__display_order", "deadline"]
        constraints = [
            models.CheckConstraint(condition=Q(area_level="", area_code="") | ~Q(area_level="") & ~Q(area_code=""),
                                   name="target_area_level_and_code_together"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.name} {self.get_comparison_display()} {self.threshold}（{self.deadline}）"


class PublishedValue(models.Model):
    """What the engine publishes for one indicator and area over a period: the sums and the value."""

    area_level = models.CharField(_("区域层级"), max_length=20, choices=AreaLevel.choices)
    area_code = models.CharField(_("区域代码"), max_length=20)
    numerator = models.DecimalField(_("分子"), max_digits=20, decimal_places=4)
    denominator = models.DecimalField(_("分母"), max_digits=20, decimal_places=4)
    # None when the denominator is zero: no value, shown as "—".
    value = models.DecimalField(_("指标值"), max_digits=14, decimal_places=4, null=True, blank=True)
    provisional = models.BooleanField(_("含未审核数据"), default=False)
    # When the area's values were last computed to different figures (its sums' computed_at): a
    # recompute that changes nothing leaves the rows, so a feed polling updated_since sees only changes.
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        abstract = True


class IndicatorValue(PublishedValue):
    """The published value of one indicator for one area and month."""

    # Written in bulk by the engine from the Indicator table itself: no per-row foreign-key trigger.
    # Its index is the composite one below, which leads with it.
    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values", db_constraint=False,
                                  db_index=False, verbose_name=_("指标"))
    period = models.DateField(_("月份"), help_text=_("该月第一天"))

    class Meta:
        verbose_name = _("指标值")
        verbose_name_plural = _("指标值")
        ordering = ["period", "area_level", "area_code", "indicator__display_order"]
        constraints = [
            # Leads with the period, so it also serves "a month's values" (recompute, feeds by month).
            models.UniqueConstraint(fields=["period", "area_level", "area_code", "indicator"],
                                    name="indicator_value_unique_area_period"),
        ]
        indexes = [
            models.Index(fields=["area_code", "period"], name="indicator_value_area_idx"),
            models.Index(fields=["computed_at"], name="indicator_value_computed_idx"),
            # The feed pages by id (cursor) within one level: an index range, not a sort of the level's rows.
            models.Index(fields=["area_level", "id"], name="indicator_value_level_id_idx"),
            # ... and within one level and month (the latest month of every community), whose rows come
            # last in id order: without it the first page skips every earlier row of the level.
            models.Index(fields=["area_level", "period", "id"], name="indicator_value_month_id_idx"),
            # A few indicators for every area of a level in a month (laggards, feeds by indicator).
            models.Index(fields=["indicator", "area_level", "period"], name="indicator_value_indicator_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.area_code} {self.period:%Y-%m}: {self.value}"


class SpanKind(models.TextChoices):
    QUARTER = "quarter", _("季度")
    YEAR = "year", _("年度")


class CopiedAreaIds(models.Model):
    """The compound's community, street, district and city, copied onto its facts so roll-ups are
    a GROUP BY without joins through the tree. Written only by the engine's set-based statements:
    database foreign-key triggers would cost more than the rest of a recompute (deletes still cascade
    in the ORM), and the models' own indexes serve every read."""

    community = models.ForeignKey("communities.Community", on_delete=models.CASCADE, related_name="+",
                                  db_constraint=False, db_index=False, verbose_name=_("社区(村)"))
    street = models.ForeignKey("districts.Street", on_delete=models.CASCADE, related_name="+",
                               db_constraint=False, db_index=False, verbose_name=_("街道(乡镇)"))
    district = models.ForeignKey("districts.District", on_delete=models.CASCADE, related_name="+",
                                 db_constraint=False, db_index=False, verbose_name=_("区县"))
    city = models.ForeignKey("districts.City", on_delete=models.CASCADE, related_name="+", db_constraint=False,
                             db_index=False, verbose_name=_("城市"))

    class Meta:
        abstract = True


class AreaMonthSums(models.Model):
    """Everything one area's indicators for one month are computed from, in one row: the sums over
    its compounds of the facts' columns (metrics.formulas.FACT_SUM_COLUMNS).

    Published values of the month are computed from these rows; a quarter, a year or any run of
    months is read from them (selectors.indicator_values_for_run): flow columns summed over the
    run's months, stock columns at its last month, and "held a meeting" and the latest score from
    the last month's AreaMonthRecency rows.
    """

    area_level = models.CharField(_("区域层级"), max_length=20, choices=AreaLevel.choices)
    area_code = models.CharField(_("区域代码"), max_length=20)
    period = models.DateField(_("月份"))
    compounds = models.IntegerField(_("小区数"))
    # Compound-months whose monthly figures are not yet approved (counted only with METRICS_INCLUDE_SUBMITTED).
    provisional = models.IntegerField(_("含未审核数据的小区数"))
    # When these figures were last computed different (a recompute rewrites only rows that change).
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = _("区域月度汇总")
        verbose_name_plural = _("区域月度汇总")
        constraints = [
            # The only index: a run of months of a few areas, or one month of a level, is one range of it.
            models.UniqueConstraint(fields=["area_level", "area_code", "period"], name="area_month_sums_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.area_code} {self.period:%Y-%m}"


# One column per summed fact column (metrics.formulas): the two lists cannot drift apart.
for _column in FACT_SUM_COLUMNS:
    models.DecimalField(_column, max_digits=20, decimal_places=2).contribute_to_class(AreaMonthSums, _column)
del _column


class AreaMonthRecency(models.Model):
    """For one area and month: how many of its compounds last held a deliberation meeting, and how
    many households' compounds had their latest evaluation, in `month` (this month or before).

    A run of months [a, b] counts, from month b's rows, the compounds that met in a month from a on
    and the scores from the first month of a's quarter on: DOMAIN.md's "held a meeting in the
    period" and "the latest score in the period", without reading the run's facts. Rows exist only
    where something is counted.
    """

    area_level = models.CharField(_("区域层级"), max_length=20, choices=AreaLevel.choices)
    area_code = models.CharField(_("区域代码"), max_length=20)
    period = models.DateField(_("月份"))
    month = models.DateField(_("最近一次议事协商或考评所在月份"))
    consulted = models.IntegerField(_("最近一次议事协商在该月的小区数"))
    scored_households = models.DecimalField(_("最新考评在该月的小区户数"), max_digits=20, decimal_places=2)
    score_weighted = models.DecimalField(_("其得分×户数"), max_digits=20, decimal_places=2)

    class Meta:
        verbose_name = _("区域月度议事与考评时间")
        verbose_name_plural = _("区域月度议事与考评时间")
        constraints = [
            models.UniqueConstraint(fields=["area_level", "area_code", "period", "month"],
                                    name="area_month_recency_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.area_code} {self.period:%Y-%m} ← {self.month:%Y-%m}"


class CompoundMonthFact(CopiedAreaIds):
    """One active compound in one month: the 0/1 flags and counts every indicator sums.

    Rebuilt set-based (metrics.facts) from the registry (state on the month's last day), the month's
    monthly record and, for when the compound last met and its latest score, its fact of the month
    before; area ids are copied in so roll-ups are a GROUP BY without joins through the tree.
    """

    # No database constraint or index of its own, as for the area ids: the indexes below serve every read.
    compound = models.ForeignKey("communities.Compound", on_delete=models.CASCADE, related_name="month_facts",
                                 db_constraint=False, db_index=False, verbose_name=_("小区"))
    period = models.DateField(_("月份"))

    households = models.PositiveIntegerField(_("户数"))
    party_covered = models.PositiveSmallIntegerField(_("党组织覆盖"))
    committee_eligible = models.PositiveSmallIntegerField(_("应组建业委会"))
    committee_eligible_formed = models.PositiveSmallIntegerField(_("应组建且已有在任业委会"))
    consulted = models.PositiveSmallIntegerField(_("开展议事协商"))
    last_consulted_period = models.DateField(_("最近一次议事协商所在月份"), null=True)
    # The latest counted score up to this month, however old: a month takes the scores of its own
    # quarter (last_scored_period within it), a run those of its quarters.
    evaluation_score = models.DecimalField(_("最新考评得分"), max_digits=5, decimal_places=2, null=True)
    last_scored_period = models.DateField(_("最新考评所在月份"), null=True)
    score_provisional = models.BooleanField(_("考评得分未审核"), default=False)
    complaints = models.PositiveIntegerField(_("信访及12345物业诉求件数"))
    committee_in_office = models.PositiveSmallIntegerField(_("有在任业委会"))
    red_committee = models.PositiveSmallIntegerField(_("红色业委会"))
    dual_role = models.PositiveSmallIntegerField(_("一肩挑"))
    renewed_members = models.PositiveIntegerField(_("本年新成立或换届业委会成员数"))
    renewed_party_members = models.PositiveIntegerField(_("其中党员数"))
    service_covered = models.PositiveSmallIntegerField(_("有物业服务"))
    safety_certified = models.PositiveSmallIntegerField(_("安全生产标准化"))
    fees_due = models.DecimalField(_("应收物业费"), max_digits=14, decimal_places=2)
    fees_collected = models.DecimalField(_("实收物业费"), max_digits=14, decimal_places=2)
    hotline_received = models.PositiveIntegerField(_("12345受理"))
    hotline_resolved = models.PositiveIntegerField(_("12345办结"))
    hotline_satisfied = models.PositiveIntegerField(_("12345满意"))
    micro_matters_planned = models.PositiveIntegerField(_("微实事计划"))
    micro_matters_completed = models.PositiveIntegerField(_("微实事完成"))
    hazards_found = models.PositiveIntegerField(_("隐患排查"))
    hazards_rectified = models.PositiveIntegerField(_("隐患整改"))
    guards_employed = models.PositiveIntegerField(_("保安人数"))
    guards_certified = models.PositiveIntegerField(_("持证保安"))
    report_expected = models.PositiveSmallIntegerField(_("应上报月报"))
    reported_on_time = models.PositiveSmallIntegerField(_("按时上报"))
    provisional = models.BooleanField(_("含未审核数据"))

    class Meta:
        verbose_name = _("小区月度指标事实")
        verbose_name_plural = _("小区月度指标事实")
        ordering = ["period", "compound"]
        constraints = [
            models.UniqueConstraint(fields=["compound", "period"], name="compound_month_fact_unique"),
        ]
        indexes = [
            # Street first: a street's recompute reads its facts of a whole quarter or year (a range of
            # months) for the spans, as well as one month.
            models.Index(fields=["street", "period"], name="fact_street_period_idx"),
            # A community page's compounds, and a whole month's facts (the community sums, the next
            # month's facts). Nothing reads them by district: every index costs each fact written.
            models.Index(fields=["period", "community"], name="fact_period_community_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.compound_id} {self.period:%Y-%m}"


class StaleStreetMonth(models.Model):
    """A street-month whose published values no longer match the data; drained by `process_stale`.

    A mark names the compound whose facts changed, so the recompute rebuilds only those facts and
    re-sums the street; a mark without a compound (a report's state, a firm) rebuilds the whole street.
    """

    street = models.ForeignKey("districts.Street", on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("街道(乡镇)"))
    period = models.DateField(_("月份"))
    # No database constraint: the mark of a deleted compound must stay, so its fact gets removed.
    compound = models.ForeignKey("communities.Compound", on_delete=models.DO_NOTHING, related_name="+",
                                 db_constraint=False, db_index=False, null=True, blank=True,
                                 verbose_name=_("小区"))
    # The first mark wins, so a street edited continuously is still recomputed within the settle delay.
    marked_at = models.DateTimeField(_("标记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("待重算街道月份")
        verbose_name_plural = _("待重算街道月份")
        ordering = ["marked_at"]
        constraints = [
            models.UniqueConstraint(fields=["street", "period"], condition=models.Q(compound__isnull=True),
                                    name="stale_street_month_whole_unique"),
            models.UniqueConstraint(fields=["street", "period", "compound"], name="stale_street_month_compound_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.street_id} {self.period:%Y-%m}" + ("" if self.compound_id is None else f" #{self.compound_id}")


class RecomputeJob(models.Model):
    """A recompute of a range of months started by staff; the task updates its progress."""

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("计算中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    period_from = models.DateField(_("起始月份"))
    period_to = models.DateField(_("截止月份"))
    include_submitted = models.BooleanField(_("包含已上报未审核数据"), default=False)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(_("月份数"), default=0)
    done = models.PositiveIntegerField(_("已完成月份数"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("发起人"))
    created_at = models.DateTimeField(_("发起时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    error = models.TextField(_("错误信息"), blank=True)

    class Meta:
        verbose_name = _("指标重算任务")
        verbose_name_plural = _("指标重算任务")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(period_to__gte=models.F("period_from")),
                                   name="recompute_job_period_order"),
        ]

    def __str__(self) -> str:
        return f"{self.period_from:%Y-%m}—{self.period_to:%Y-%m} {self.get_status_display()}"
