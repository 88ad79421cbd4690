"""Communities, residential compounds, property-service firms and their service contracts.

Dates follow one convention throughout the registry: a start date is the first day a fact is true;
a term or contract end (`term_end`, `ends_on`) is its last day; an event date that stops a fact
(`closed_on`, `valid_to`, `terminated_on`, `delisted_on`) is the first day it is no longer true.
"""
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.dated import DatedFact, dated_constraints
from common.models import TimeStampedModel
from districts.models import Area, AreaLevel, District, Street

from .validators import validate_credit_code


class Community(Area):
    class Kind(models.TextChoices):
        COMMUNITY = "community", _("社区")
        VILLAGE = "village", _("村")

    level = AreaLevel.COMMUNITY
    parent_field = "street"

    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="communities", verbose_name=_("所属街道(乡镇)"))
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices, default=Kind.COMMUNITY)

    history = HistoricalRecords()

    class Meta(Area.Meta):
        verbose_name = _("社区(村)")
        verbose_name_plural = _("社区(村)")


class HousingType(models.TextChoices):
    COMMODITY = "commodity", _("商品房")
    RESETTLEMENT = "resettlement", _("安置房")
    REFORMED_PUBLIC = "reformed", _("房改房")
    WORK_UNIT = "work_unit", _("单位宿舍/集资房")
    AFFORDABLE = "affordable", _("保障房")


class ManagementMode(models.TextChoices):
    PROFESSIONAL = "professional", _("专业物业服务")
    STATE_TRUSTEESHIP = "state_trusteeship", _("国企托管")
    COMMUNITY_LED = "community_led", _("社区领办")
    SELF_MANAGED = "self_managed", _("业主自管")
    UNMANAGED = "unmanaged", _("失管")


class Compound(TimeStampedModel):
    """A residential compound, i.e. one property-management area (物业管理区域)."""

    code = models.CharField(_("小区代码"), max_length=32, unique=True)
    name = models.CharField(_("小区名称"), max_length=200)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="compounds", verbose_name=_("所属社区(村)"))
    address = models.CharField(_("地址"), max_length=300, blank=True)
    households = models.PositiveIntegerField(_("户数"), validators=[MinValueValidator(1)])
    buildings = models.PositiveIntegerField(_("楼栋数"), default=0)
    year_built = models.PositiveSmallIntegerField(_("建成年份"), null=True, blank=True)
    housing_type = models.CharField(_("房屋类型"), max_length=20, choices=HousingType.choices)
    is_old_compound = models.BooleanField(_("老旧小区"), default=False)
    # The current mode; its dated history is in CompoundManagementPeriod.
    management_mode = models.CharField(_("管理模式"), max_length=20, choices=ManagementMode.choices)
    safety_certified_on = models.DateField(_("安全生产标准化创建日期"), null=True, blank=True)
    active_from = models.DateField(_("纳入管理日期"))
    closed_on = models.DateField(_("停止计入日期"), null=True, blank=True,
                                 help_text=_("合并或撤销之日起不再计入统计；历史数据保留。"))
    merged_into = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="merged_compounds", verbose_name=_("并入小区"))

    history = HistoricalRecords()

    # How the one scoping module reaches this model's area.
    area_path = "community"

    class Meta:
        verbose_name = _("住宅小区")
        verbose_name_plural = _("住宅小区")
        ordering = ["code"]
        indexes = [models.Index(fields=["active_from", "closed_on"], name="compound_active_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(closed_on__isnull=True) | Q(closed_on__gt=F("active_from")),
                                   name="compound_closed_after_active_from",
                                   violation_error_message=_("停止计入日期必须晚于纳入管理日期。")),
            models.CheckConstraint(condition=Q(merged_into__isnull=True) | Q(closed_on__isnull=False),
                                   name="compound_merge_has_date",
                                   violation_error_message=_("并入其他小区时必须填写合并日期（停止计入日期）。")),
            models.CheckConstraint(condition=~Q(merged_into=F("pk")), name="compound_not_merged_into_itself",
                                   violation_error_message=_("小区不能并入自身。")),
            models.CheckConstraint(condition=Q(households__gt=0), name="compound_households_positive",
                                   violation_error_message=_("户数必须大于 0。")),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"

    def clean(self):
        super().clean()
        if self.closed_on and self.active_from and self.closed_on <= self.active_from:
            raise ValidationError({"closed_on": _("停止计入日期必须晚于纳入管理日期。")})
        if self.merged_into_id and not self.closed_on:
            raise ValidationError({"closed_on": _("并入其他小区时必须填写合并日期（停止计入日期）。")})
        if self.merged_into_id and self.merged_into_id == self.pk:
            raise ValidationError({"merged_into": _("小区不能并入自身。")})

    def is_active_on(self, day) -> bool:
        return self.active_from <= day and (self.closed_on is None or day < self.closed_on)


class CompoundManagementPeriod(models.Model):
    """The management mode of a compound over time, so any past day's mode can be rebuilt."""

    compound = models.ForeignKey(Compound, on_delete=models.CASCADE, related_name="management_periods", verbose_name=_("小区"))
    mode = models.CharField(_("管理模式"), max_length=20, choices=ManagementMode.choices)
    valid_from = models.DateField(_("起始日期"))
    valid_to = models.DateField(_("终止日期"), null=True, blank=True, help_text=_("该日起不再适用"))

    history = HistoricalRecords()

    area_path = "compound__community"

    class Meta:
        verbose_name = _("管理模式变更")
        verbose_name_plural = _("管理模式变更")
        ordering = ["compound", "valid_from"]
        constraints = [
            models.CheckConstraint(condition=Q(valid_to__isnull=True) | Q(valid_to__gt=F("valid_from")),
                                   name="management_period_ends_after_start",
                                   violation_error_message=_("管理模式的终止日期必须晚于起始日期。")),
            models.UniqueConstraint(fields=["compound", "valid_from"], name="management_period_unique_start",
                                   violation_error_message=_("同一小区同一天只能有一条管理模式记录。")),
        ]

    def __str__(self) -> str:
        return f"{self.compound_id}: {self.get_mode_display()} {self.valid_from}"


COMPOUND_AREA_PATH = "compound__community"


class CompoundHouseholdsPeriod(DatedFact):
    """A compound's households (户数) over time; the compound's own column is its latest value."""

    compound = models.ForeignKey(Compound, on_delete=models.CASCADE, related_name="households_periods", verbose_name=_("小区"))
    households = models.PositiveIntegerField(_("户数"))

    owner_field = "compound"
    value_fields = ("households",)
    area_path = COMPOUND_AREA_PATH
    history = HistoricalRecords()

    class Meta(DatedFact.Meta):
        verbose_name = _("户数变更")
        verbose_name_plural = _("户数变更")
        constraints = [*dated_constraints("households_period", "compound"),
                       models.CheckConstraint(condition=Q(households__gt=0), name="households_period_positive",
                                   violation_error_message=_("户数必须大于 0。"))]


class CompoundHousingTypePeriod(DatedFact):
    compound = models.ForeignKey(Compound, on_delete=models.CASCADE, related_name="housing_type_periods", verbose_name=_("小区"))
    housing_type = models.CharField(_("房屋类型"), max_length=20, choices=HousingType.choices)

    owner_field = "compound"
    value_fields = ("housing_type",)
    area_path = COMPOUND_AREA_PATH
    history = HistoricalRecords()

    class Meta(DatedFact.Meta):
        verbose_name = _("房屋类型变更")
        verbose_name_plural = _("房屋类型变更")
        constraints = dated_constraints("housing_type_period", "compound")


class CompoundCommunityPeriod(DatedFact):
    """The community (so the street) a compound belongs to over time: figures follow it month by month."""

    compound = models.ForeignKey(Compound, on_delete=models.CASCADE, related_name="community_periods", verbose_name=_("小区"))
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="+", verbose_name=_("所属社区(村)"))

    owner_field = "compound"
    value_fields = ("community_id",)
    area_path = COMPOUND_AREA_PATH
    history = HistoricalRecords()

    class Meta(DatedFact.Meta):
        verbose_name = _("所属社区变更")
        verbose_name_plural = _("所属社区变更")
        constraints = dated_constraints("community_period", "compound")


class PropertyFirm(TimeStampedModel):
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True, validators=[validate_credit_code])
    name = models.CharField(_("企业名称"), max_length=200)
    registered_district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="firms", verbose_name=_("注册区县"))
    staff_count = models.PositiveIntegerField(_("员工人数"), default=0)
    has_fixed_premises = models.BooleanField(_("有固定办公场所"), default=False)
    in_business = models.BooleanField(_("正常经营"), default=True)
    is_state_owned = models.BooleanField(_("国有企业"), default=False)
    star_rating = models.PositiveSmallIntegerField(_("星级"), null=True, blank=True)

    history = HistoricalRecords()

    area_path = "registered_district"
    # A firm registered in a district may serve any of its streets: their officers see it (accounts.scope).
    shared_below = True

    # A firm is "三有" with fixed premises, 10 or more staff and ongoing business.
    SANYOU_MIN_STAFF = 10
    SANYOU_Q = Q(has_fixed_premises=True, staff_count__gte=SANYOU_MIN_STAFF, in_business=True)

    class Meta:
        verbose_name = _("物业服务企业")
        verbose_name_plural = _("物业服务企业")
        ordering = ["credit_code"]
        constraints = [
            models.CheckConstraint(condition=Q(star_rating__isnull=True) | Q(star_rating__lte=5),
                                   name="firm_star_rating_0_to_5",
                                   violation_error_message=_("星级须为 0 至 5。")),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.credit_code = (self.credit_code or "").strip().upper()
        super().save(*args, **kwargs)

    @property
    def is_sanyou(self) -> bool:
        return self.has_fixed_premises and self.staff_count >= self.SANYOU_MIN_STAFF and self.in_business


class PropertyFirmFactsPeriod(DatedFact):
    """A firm's 三有 facts (fixed premises, staff count, in business) over time."""

    firm = models.ForeignKey(PropertyFirm, on_delete=models.CASCADE, related_name="facts_periods", verbose_name=_("企业"))
    staff_count = models.PositiveIntegerField(_("员工人数"))
    has_fixed_premises = models.BooleanField(_("有固定办公场所"))
    in_business = models.BooleanField(_("正常经营"))

    owner_field = "firm"
    value_fields = ("staff_count", "has_fixed_premises", "in_business")
    area_path = "firm__registered_district"
    shared_below = True
    history = HistoricalRecords()

    class Meta(DatedFact.Meta):
        verbose_name = _("企业“三有”情况变更")
        verbose_name_plural = _("企业“三有”情况变更")
        constraints = dated_constraints("firm_facts_period", "firm")


class FirmListing(TimeStampedModel):
    """An entry of a firm on the red or black list (红黑榜)."""

    class Kind(models.TextChoices):
        RED = "red", _("红榜")
        BLACK = "black", _("黑榜")

    firm = models.ForeignKey(PropertyFirm, on_delete=models.CASCADE, related_name="listings", verbose_name=_("企业"))
    kind = models.CharField(_("类别"), max_length=10, choices=Kind.choices)
    listed_on = models.DateField(_("上榜日期"))
    delisted_on = models.DateField(_("移出日期"), null=True, blank=True)
    reason = models.CharField(_("事由"), max_length=500)

    history = HistoricalRecords()

    area_path = "firm__registered_district"
    shared_below = True

    class Meta:
        verbose_name = _("红黑榜")
        verbose_name_plural = _("红黑榜")
        ordering = ["-listed_on"]
        constraints = [
            models.CheckConstraint(condition=Q(delisted_on__isnull=True) | Q(delisted_on__gt=F("listed_on")),
                                   name="listing_delisted_after_listed",
                                   violation_error_message=_("移出日期必须晚于上榜日期。")),
        ]

    def __str__(self) -> str:
        return f"{self.firm} {self.get_kind_display()} {self.listed_on}"


class ServiceContract(TimeStampedModel):
    """A firm's service contract for one compound; `terminated_on` records a dismissal (清退)."""

    firm = models.ForeignKey(PropertyFirm, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("物业服务企业"))
    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("小区"))
    starts_on = models.DateField(_("合同起始日期"))
    ends_on = models.DateField(_("合同截止日期"), null=True, blank=True, help_text=_("合同最后一天；空表示未约定"))
    terminated_on = models.DateField(_("清退日期"), null=True, blank=True, help_text=_("该日起企业被清退"))
    termination_reason = models.CharField(_("清退原因"), max_length=500, blank=True)

    history = HistoricalRecords()

    area_path = "compound__community"

    class Meta:
        verbose_name = _("物业服务合同")
        verbose_name_plural = _("物业服务合同")
        ordering = ["compound", "-starts_on"]
        indexes = [models.Index(fields=["compound", "starts_on"], name="contract_compound_start_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                                   name="contract_ends_after_start",
                                   violation_error_message=_("合同截止日期不能早于起始日期。")),
            models.CheckConstraint(condition=Q(terminated_on__isnull=True) | Q(terminated_on__gt=F("starts_on")),
                                   name="contract_terminated_after_start",
                                   violation_error_message=_("清退日期必须晚于合同起始日期。")),
        ]

    def __str__(self) -> str:
        return f"{self.firm} → {self.compound}"

    def clean(self):
        super().clean()
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("合同截止日期不能早于起始日期。")})
        if self.terminated_on and self.starts_on and self.terminated_on <= self.starts_on:
            raise ValidationError({"terminated_on": _("清退日期必须晚于合同起始日期。")})
        if self.terminated_on and not self.termination_reason:
            raise ValidationError({"termination_reason": _("清退时请填写原因。")})
