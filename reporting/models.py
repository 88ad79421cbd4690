"""Monthly data (月报): one record per compound per month, grouped in a street's monthly report.

The report carries the workflow state (draft → submitted → approved → locked); records carry the
figures. `period` is always the first day of the month.
"""
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.models import TimeStampedModel
from communities.models import Compound
from districts.models import Street


class ReportState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已上报")
    APPROVED = "approved", _("已审核")
    LOCKED = "locked", _("已锁定")


class MonthlyReport(TimeStampedModel):
    street = models.ForeignKey(Street, on_delete=models.PROTECT, related_name="monthly_reports", verbose_name=_("街道(乡镇)"))
    period = models.DateField(_("月份"), help_text=_("该月第一天"))
    state = models.CharField(_("状态"), max_length=20, choices=ReportState.choices, default=ReportState.DRAFT)
    # Optimistic concurrency: every save of the report or its records bumps this number.
    version = models.PositiveIntegerField(_("版本"), default=1)
    due_on = models.DateField(_("截止上报日期"))
    submitted_at = models.DateTimeField(_("上报时间"), null=True, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                     related_name="+", verbose_name=_("上报人"))
    is_late = models.BooleanField(_("逾期上报"), default=False)
    approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", verbose_name=_("审核人"))
    locked_at = models.DateTimeField(_("锁定时间"), null=True, blank=True)

    history = HistoricalRecords()

    area_path = "street"

    class Meta:
        verbose_name = _("街道月报")
        verbose_name_plural = _("街道月报")
        ordering = ["-period", "street__code"]
        constraints = [
            models.UniqueConstraint(fields=["street", "period"], name="monthly_report_street_period_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.street.name} {self.period:%Y-%m} 月报"


class ReportTransition(models.Model):
    """One workflow step of a report: who moved it, when, from which state to which, and why."""

    report = models.ForeignKey(MonthlyReport, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("月报"))
    from_state = models.CharField(_("原状态"), max_length=20, choices=ReportState.choices)
    to_state = models.CharField(_("新状态"), max_length=20, choices=ReportState.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("操作人"))
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    reason = models.CharField(_("理由"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("月报流转记录")
        verbose_name_plural = _("月报流转记录")
        ordering = ["report", "at", "pk"]


class MonthlyRecord(TimeStampedModel):
    """A compound's figures for one month. Flow figures are for the month; guards are a stock."""

    report = models.ForeignKey(MonthlyReport, on_delete=models.CASCADE, related_name="records", verbose_name=_("月报"))
    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="monthly_records", verbose_name=_("小区"))
    # Denormalised from the report so set-based reads need no join to filter by month.
    period = models.DateField(_("月份"))

    weekly_meetings = models.PositiveIntegerField(_("三方议事会议次数"), default=0,
                                                  help_text=_("小区党支部、业委会、物业企业每周议事协商"))
    monthly_meetings = models.PositiveIntegerField(_("四方联席会议次数"), default=0,
                                                   help_text=_("社区参加的每月四方议事协商"))
    petitions = models.PositiveIntegerField(_("信访件数"), default=0, help_text=_("本月收到的涉及本小区物业管理的信访件数"))
    hotline_received = models.PositiveIntegerField(_("12345物业诉求受理件数"), default=0,
                                                   help_text=_("本月12345热线受理的本小区物业类诉求件数"))
    hotline_resolved = models.PositiveIntegerField(_("12345物业诉求办结件数"), default=0,
                                                   help_text=_("本月办结的件数，不能大于受理件数"))
    hotline_satisfied = models.PositiveIntegerField(_("12345物业诉求满意件数"), default=0,
                                                    help_text=_("办结件中回访评价为满意的件数，不能大于办结件数"))
    disputes_mediated = models.PositiveIntegerField(_("调解纠纷件数"), default=0,
                                                    help_text=_("本月调解的物业管理纠纷件数"))
    fees_due = models.DecimalField(_("应收物业费(元)"), max_digits=14, decimal_places=2, default=Decimal("0"),
                                   validators=[MinValueValidator(Decimal("0"))],
                                   help_text=_("本月应收的物业服务费，单位元，最多两位小数"))
    fees_collected = models.DecimalField(_("实收物业费(元)"), max_digits=14, decimal_places=2, default=Decimal("0"),
                                         validators=[MinValueValidator(Decimal("0"))],
                                         help_text=_("本月实际收到的物业服务费，单位元，不能大于应收"))
    micro_matters_planned = models.PositiveIntegerField(_("微实事计划数"), default=0,
                                                        help_text=_("本月计划办理的“微实事”件数"))
    micro_matters_completed = models.PositiveIntegerField(_("微实事完成数"), default=0,
                                                          help_text=_("本月办结的“微实事”件数，不能大于计划数"))
    hazards_found = models.PositiveIntegerField(_("排查安全隐患数"), default=0,
                                                help_text=_("本月排查发现的安全隐患数（消防水、外墙脱落、老旧电梯等）"))
    hazards_rectified = models.PositiveIntegerField(_("整改安全隐患数"), default=0,
                                                    help_text=_("本月完成整改的隐患数，不能大于排查数"))
    enforcement_actions = models.PositiveIntegerField(_("联合执法次数"), default=0,
                                                      help_text=_("本月在本小区开展的联合执法次数"))
    guards_employed = models.PositiveIntegerField(_("保安人数"), default=0,
                                                  help_text=_("月末在岗保安人数（存量）"))
    guards_certified = models.PositiveIntegerField(_("持证保安人数"), default=0,
                                                   help_text=_("月末在岗保安中持有保安员证的人数，不能大于保安人数"))
    public_revenue = models.DecimalField(_("公共收益(元)"), max_digits=14, decimal_places=2, default=Decimal("0"),
                                         validators=[MinValueValidator(Decimal("0"))],
                                         help_text=_("本月停车、广告、充电桩等公共收益，单位元"))
    public_revenue_disclosed = models.BooleanField(_("公共收益已公示"), default=False,
                                                   help_text=_("本月公共收益账目已公示（业账社审）的勾选"))
    evaluation_score = models.DecimalField(_("精细化考评得分"), max_digits=5, decimal_places=2, null=True, blank=True,
                                           validators=[MinValueValidator(0), MaxValueValidator(100)],
                                           help_text=_("季度考评，0–100；未考评留空"))
    # Values far outside the compound's own history: accepted, shown to the reviewer.
    flags = models.JSONField(_("异常提示"), default=list, blank=True)

    history = HistoricalRecords()

    area_path = "report__street"

    class Meta:
        verbose_name = _("小区月度数据")
        verbose_name_plural = _("小区月度数据")
        ordering = ["period", "compound__code"]
        indexes = [models.Index(fields=["period", "compound"], name="monthly_record_period_idx")]
        constraints = [
            models.UniqueConstraint(fields=["compound", "period"], name="monthly_record_compound_period_unique"),
            models.CheckConstraint(condition=Q(hotline_resolved__lte=F("hotline_received")), name="record_resolved_le_received"),
            models.CheckConstraint(condition=Q(hotline_satisfied__lte=F("hotline_resolved")), name="record_satisfied_le_resolved"),
            models.CheckConstraint(condition=Q(fees_collected__lte=F("fees_due")), name="record_collected_le_due"),
            models.CheckConstraint(condition=Q(micro_matters_completed__lte=F("micro_matters_planned")),
                                   name="record_completed_le_planned"),
            models.CheckConstraint(condition=Q(hazards_rectified__lte=F("hazards_found")), name="record_rectified_le_found"),
            models.CheckConstraint(condition=Q(guards_certified__lte=F("guards_employed")), name="record_certified_le_employed"),
            models.CheckConstraint(condition=Q(evaluation_score__isnull=True)
                                   | Q(evaluation_score__gte=0, evaluation_score__lte=100), name="record_score_0_100"),
        ]

    def __str__(self) -> str:
        return f"{self.compound.name} {self.period:%Y-%m}"


class UploadStatus(models.TextChoices):
    PREVIEW = "preview", _("待确认")
    QUEUED = "queued", _("排队中")
    APPLYING = "applying", _("导入中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


# An upload in these states owns its report: other edits are refused until it is done or failed.
ACTIVE_UPLOAD_STATES = (UploadStatus.QUEUED, UploadStatus.APPLYING)


class MonthlyUpload(models.Model):
    """An Excel file of monthly data on its way in: previewed, confirmed, then applied by a worker.

    The file is kept in private storage (MEDIA_ROOT, never served) from the preview until the
    import is done or failed; the row stays as the record of who imported what and how it ended.
    """

    report = models.ForeignKey(MonthlyReport, on_delete=models.CASCADE, related_name="uploads", verbose_name=_("月报"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("上传人"))
    file_name = models.CharField(_("文件名"), max_length=255, blank=True)
    path = models.CharField(_("存储位置"), max_length=255, help_text=_("私有存储中的相对路径；导入结束后文件即删除"))
    expected_version = models.PositiveIntegerField(_("预览时的月报版本"))
    status = models.CharField(_("状态"), max_length=20, choices=UploadStatus.choices, default=UploadStatus.PREVIEW)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    records_created = models.PositiveIntegerField(_("新增小区数"), default=0)
    records_updated = models.PositiveIntegerField(_("修改小区数"), default=0)
    records_deleted = models.PositiveIntegerField(_("删除小区数"), default=0)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    queued_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    started_at = models.DateTimeField(_("开始导入时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("导入次数"), default=0,
                                                help_text=_("工作进程开始导入的次数；中断后会自动重新导入"))
    finished_at = models.DateTimeField(_("结束时间"), null=True, blank=True)

    area_path = "report__street"

    class Meta:
        verbose_name = _("月报 Excel 导入")
        verbose_name_plural = _("月报 Excel 导入")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"], name="monthly_upload_status_idx")]
        constraints = [
            models.UniqueConstraint(fields=["report"], condition=Q(status__in=["queued", "applying"]),
                                    name="monthly_upload_one_active_per_report"),
        ]

    def __str__(self) -> str:
        return f"{self.report} Excel 导入 #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_UPLOAD_STATES

    @property
    def records_changed(self) -> int:
        return self.records_created + self.records_updated + self.records_deleted
