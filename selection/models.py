"""The annual model-street selection (年度样板街道(乡镇)推选).

A round moves draft → open → scoring → published. Districts nominate streets with material,
judges score them per criterion, the public votes, a scoring run ranks the candidates and marks
the top `quota`, staff publish. Every consequential step writes a `RoundAuditEntry`.
"""
import os
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class RoundState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("进行中")
    SCORING = "scoring", _("计分审核")
    PUBLISHED = "published", _("已发布")


class StageKind(models.TextChoices):
    NOMINATION = "nomination", _("推荐申报")
    MATERIAL_REVIEW = "material_review", _("材料审核")
    ONSITE_INSPECTION = "onsite_inspection", _("现场考察")
    DEPARTMENT_EVALUATION = "department_evaluation", _("部门评价")
    PUBLIC_VOTING = "public_voting", _("公众点赞")
    SCORING = "scoring", _("综合计分")
    PUBLICATION = "publication", _("结果公布")


class DatePrecision(models.TextChoices):
    """How much of a recorded date is known: history often says only the year something happened."""

    DAY = "day", _("日")
    MONTH = "month", _("月")
    YEAR = "year", _("年")


class SelectionRound(models.Model):
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("名称"), max_length=200)
    quota = models.PositiveSmallIntegerField(_("入选名额"), validators=[MinValueValidator(1)])
    nomination_limit_per_district = models.PositiveSmallIntegerField(_("每个区县推荐上限"), default=3,
                                                                     validators=[MinValueValidator(1)])
    # The month whose 四升一降 attainment feeds material review and breaks ties.
    reference_month = models.DateField(_("指标参考月份"), null=True, blank=True, help_text=_("该月第一天"))
    # Below this many valid votes in the whole round the public criterion does not count (DOMAIN.md):
    # its weight is spread over the other criteria. 300 is about ten votes per candidate of a
    # 30-candidate round, where one vote can no longer move a fifth of a total.
    min_public_votes = models.PositiveIntegerField(
        _("公众点赞最低有效票数"), default=300,
        help_text=_("全轮有效点赞少于此数时，公众点赞不计分，其权重按比例分配给其他评分项"))
    state = models.CharField(_("状态"), max_length=10, choices=RoundState.choices, default=RoundState.DRAFT)
    # False for rounds loaded as history whose scores were never published.
    scores_known = models.BooleanField(_("得分已知"), default=True)
    note = models.TextField(_("说明"), blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_precision = models.CharField(_("发布时间精度"), max_length=5, choices=DatePrecision.choices,
                                           default=DatePrecision.DAY)
    # What the latest scoring run applied: criterion code → weight (string decimal) after any
    # spreading of the public criterion's weight, and the round's valid votes at that moment.
    scored_weights = models.JSONField(_("计分采用的权重"), default=dict, blank=True)
    scored_vote_total = models.PositiveIntegerField(_("计分时有效点赞数"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("推选轮次")
        verbose_name_plural = _("推选轮次")
        ordering = ["-year", "-pk"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.state == RoundState.PUBLISHED

    def public_votes_count(self, vote_total: int) -> bool:
        """Whether the public criterion counts with this many valid votes in the round."""
        return vote_total >= self.min_public_votes

    @property
    def public_votes_spread(self) -> bool:
        """The latest scoring run left the public criterion out (too few votes) and spread its weight."""
        return bool(self.scored_weights) and any(
            criterion.source == CriterionSource.PUBLIC_VOTES and criterion.weight
            and not Decimal(self.scored_weights.get(criterion.code, "0"))
            for criterion in self.criteria.all())

    def stage_of(self, kind: str) -> "RoundStage | None":
        # Reads the stages through .all() so a prefetch serves every question asked of one round.
        return next((stage for stage in self.stages.all() if stage.kind == kind), None)


class RoundStage(models.Model):
    """A stage's window; `ends_on` is the last day the stage is open."""

    round = models.ForeignKey(SelectionRound, on_delete=models.CASCADE, related_name="stages", verbose_name=_("轮次"))
    kind = models.CharField(_("阶段"), max_length=30, choices=StageKind.choices)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))

    class Meta:
        verbose_name = _("推选阶段")
        verbose_name_plural = _("推选阶段")
        ordering = ["round", "starts_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "kind"], name="selection_stage_unique_kind"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="selection_stage_dates_order"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_on}—{self.ends_on}"

    def is_open_on(self, day) -> bool:
        return self.starts_on <= day <= self.ends_on


class CriterionSource(models.TextChoices):
    JUDGES = "judges", _("评审打分")
    PUBLIC_VOTES = "public_votes", _("公众点赞")


class Criterion(models.Model):
    round = models.ForeignKey(SelectionRound, on_delete=models.CASCADE, related_name="criteria",
                              verbose_name=_("轮次"))
    code = models.SlugField(_("代码"), max_length=40)
    name = models.CharField(_("名称"), max_length=100)
    weight = models.PositiveSmallIntegerField(_("权重"), validators=[MaxValueValidator(100)])
    source = models.CharField(_("得分来源"), max_length=20, choices=CriterionSource.choices,
                              default=CriterionSource.JUDGES)
    # Judges may score while this stage is open.
    stage = models.CharField(_("所属阶段"), max_length=30, choices=StageKind.choices)
    indicator_share = models.PositiveSmallIntegerField(
        _("指标得分占比(%)"), default=0, validators=[MaxValueValidator(100)],
        help_text=_("本项得分中取自“四升一降”指标达标得分的百分比，其余为评审平均分"))
    display_order = models.PositiveSmallIntegerField(_("显示顺序"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("评分项")
        verbose_name_plural = _("评分项")
        ordering = ["round", "display_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "code"], name="selection_criterion_unique_code"),
            models.CheckConstraint(condition=Q(weight__lte=100) & Q(indicator_share__lte=100),
                                   name="selection_criterion_percentages"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.weight}）"


class Nomination(models.Model):
    """A street nominated by its district: a candidate of the round."""

    area_path = "street"

    round = models.ForeignKey(SelectionRound, on_delete=models.CASCADE, related_name="nominations",
                              verbose_name=_("轮次"))
    street = models.ForeignKey("districts.Street", on_delete=models.PROTECT, related_name="nominations",
                               verbose_name=_("街道(乡镇)"))
    # Copied from the street so the per-district limit and area scoping need no join.
    district = models.ForeignKey("districts.District", on_delete=models.PROTECT, related_name="nominations",
                                 verbose_name=_("推荐区县"))
    summary = models.TextField(_("推荐理由"), blank=True)
    nominated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("推荐人"))
    nominated_at = models.DateTimeField(_("推荐时间"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("候选街道")
        verbose_name_plural = _("候选街道")
        ordering = ["round", "street__code"]
        constraints = [
            models.UniqueConstraint(fields=["round", "street"], name="selection_nomination_unique_street"),
        ]

    def __str__(self) -> str:
        return f"{self.round.year} {self.street.name}"


def material_upload_to(instance, filename: str) -> str:
    # A random name: the uploader's file name never reaches the file system.
    extension = os.path.splitext(filename)[1].lower()
    return f"selection/materials/{timezone.now():%Y}/{uuid.uuid4().hex}{extension}"


class NominationMaterial(models.Model):
    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="materials",
                                   verbose_name=_("候选街道"))
    file = models.FileField(_("文件"), upload_to=material_upload_to, max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小(字节)"))
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("上传人"))
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("申报材料")
        verbose_name_plural = _("申报材料")
        ordering = ["nomination", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name


class JudgeAssignment(models.Model):
    """A judge scores every candidate of the round on this criterion, and nothing else."""

    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="assignments",
                                  verbose_name=_("评分项"))
    judge = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="judge_assignments",
                              verbose_name=_("评审专家/部门"))
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("指派人"))
    assigned_at = models.DateTimeField(_("指派时间"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("评审指派")
        verbose_name_plural = _("评审指派")
        ordering = ["criterion", "judge__username"]
        constraints = [
            models.UniqueConstraint(fields=["criterion", "judge"], name="selection_assignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.judge} → {self.criterion.name}"


class Score(models.Model):
    assignment = models.ForeignKey(JudgeAssignment, on_delete=models.CASCADE, related_name="scores",
                                   verbose_name=_("评审指派"))
    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="scores",
                                   verbose_name=_("候选街道"))
    value = models.DecimalField(_("得分"), max_digits=5, decimal_places=2,
                                validators=[MinValueValidator(0), MaxValueValidator(100)])
    comment = models.TextField(_("评语"), blank=True)
    scored_at = models.DateTimeField(_("打分时间"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("评审得分")
        verbose_name_plural = _("评审得分")
        ordering = ["nomination", "assignment"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "nomination"], name="selection_score_unique"),
            models.CheckConstraint(condition=Q(value__gte=0) & Q(value__lte=100), name="selection_score_range"),
        ]

    def __str__(self) -> str:
        return f"{self.nomination} {self.value}"


class Voter(models.Model):
    """A member of the public, known only by a keyed hash of the verified mobile number (PIPL)."""

    phone_hash = models.CharField(_("手机号摘要"), max_length=64, unique=True)
    phone_masked = models.CharField(_("手机号(脱敏)"), max_length=20)
    verified_at = models.DateTimeField(_("验证时间"))

    personal_fields = ("phone_hash", "phone_masked")

    class Meta:
        verbose_name = _("投票人")
        verbose_name_plural = _("投票人")
        ordering = ["-verified_at"]

    def __str__(self) -> str:
        return self.phone_masked


class VerificationCode(models.Model):
    """A one-time code sent to a number. It works only in the browser session that asked for it
    (`requester_hash`), so nobody else's guesses can use it up."""

    phone_hash = models.CharField(_("手机号摘要"), max_length=64, db_index=True)
    requester_hash = models.CharField(_("请求会话摘要"), max_length=64, default="")
    code_hash = models.CharField(_("验证码摘要"), max_length=64)
    created_at = models.DateTimeField(_("发送时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("失效时间"))
    used_at = models.DateTimeField(_("使用时间"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("核验次数"), default=0)
    ip = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)

    personal_fields = ("phone_hash",)

    class Meta:
        verbose_name = _("短信验证码")
        verbose_name_plural = _("短信验证码")
        ordering = ["-created_at"]


class RoundAuditEntry(models.Model):
    class Action(models.TextChoices):
        CREATED = "created", _("创建")
        OPENED = "opened", _("开放")
        SCORED = "scored", _("计分")
        PUBLISHED = "published", _("发布")
        REOPENED = "reopened", _("重新开放")
        VOTES_VOIDED = "votes_voided", _("作废投票")
        STAGE_CHANGED = "stage_changed", _("调整阶段日期")
        STAGE_OVERRIDDEN = "stage_overridden", _("越期操作")
        HISTORY_LOADED = "history_loaded", _("历史导入")

    round = models.ForeignKey(SelectionRound, on_delete=models.CASCADE, related_name="audit_entries",
                              verbose_name=_("轮次"))
    action = models.CharField(_("操作"), max_length=20, choices=Action.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("操作人"))
    reason = models.TextField(_("原因"), blank=True)
    details = models.JSONField(_("详情"), default=dict, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        verbose_name = _("推选操作记录")
        verbose_name_plural = _("推选操作记录")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.round} {self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"


class Vote(models.Model):
    round = models.ForeignKey(SelectionRound, on_delete=models.CASCADE, related_name="votes", verbose_name=_("轮次"))
    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="votes",
                                   verbose_name=_("候选街道"))
    voter = models.ForeignKey(Voter, on_delete=models.PROTECT, related_name="votes", verbose_name=_("投票人"))
    # The hashed number is kept on the vote itself so the audit never depends on the voter row.
    phone_hash = models.CharField(_("手机号摘要"), max_length=64)
    cast_at = models.DateTimeField(_("投票时间"), default=timezone.now)
    # The local day the vote counts against the daily limit.
    cast_on = models.DateField(_("投票日期"))
    ip = models.GenericIPAddressField(_("IP地址"), null=True, blank=True)
    device_id = models.CharField(_("设备标识"), max_length=64, blank=True)
    voided_by = models.ForeignKey(RoundAuditEntry, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="voided_votes", verbose_name=_("作废记录"))

    personal_fields = ("phone_hash",)

    class Meta:
        verbose_name = _("公众点赞")
        verbose_name_plural = _("公众点赞")
        ordering = ["-cast_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["nomination", "voter", "cast_on"], name="selection_vote_once_a_day"),
        ]
        indexes = [
            models.Index(fields=["round", "voter", "cast_on"], name="selection_vote_daily_idx"),
            models.Index(fields=["round", "ip", "cast_at"], name="selection_vote_ip_idx"),
            models.Index(fields=["round", "device_id", "cast_at"], name="selection_vote_device_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.nomination} {self.cast_at:%Y-%m-%d %H:%M}"


class CandidateResult(models.Model):
    """The outcome of a scoring run for one candidate; frozen once the round is published."""

    round = models.ForeignKey(SelectionRound, on_delete=models.CASCADE, related_name="results",
                              verbose_name=_("轮次"))
    nomination = models.OneToOneField(Nomination, on_delete=models.CASCADE, related_name="result",
                                      verbose_name=_("候选街道"))
    # criterion code → score (string decimal); empty when scores are unknown.
    criterion_scores = models.JSONField(_("各项得分"), default=dict, blank=True)
    vote_count = models.PositiveIntegerField(_("有效点赞数"), null=True, blank=True)
    normalised_votes = models.DecimalField(_("点赞得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    attainment = models.DecimalField(_("指标达标得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    total = models.DecimalField(_("综合得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    rank = models.PositiveSmallIntegerField(_("排名"), null=True, blank=True)
    selected = models.BooleanField(_("入选"), default=False)
    computed_at = models.DateTimeField(_("计算时间"), default=timezone.now)

    class Meta:
        verbose_name = _("推选结果")
        verbose_name_plural = _("推选结果")
        ordering = ["round", "rank", "nomination__street__code"]

    def __str__(self) -> str:
        return f"{self.nomination} #{self.rank or '—'}"
