"""Owners' committees (业委会) with their members, and party organisations (党组织) with what they cover.

Date convention as in communities.models: `term_end` is the last day of a term; `dissolved_on`,
`covered_to` are the first day a fact is no longer true.
"""
import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.dated import DatedFact, dated_constraints
from common.models import TimeStampedModel
from communities.models import Compound, PropertyFirm
from districts.models import District, Street


class CommitteeStatus(models.TextChoices):
    PREPARING = "preparing", _("筹备中")
    IN_OFFICE = "in_office", _("在任")
    RENEWING = "renewing", _("换届中")
    EXPIRED = "expired", _("到期未换届")
    DISSOLVED = "dissolved", _("解散")


class OwnersCommittee(TimeStampedModel):
    """An owners' committee of one compound for one term.

    Its status on any day follows from its dates (see `status_on`), so the past can be rebuilt; a
    new term is a new committee row. The database refuses two committees of one compound whose
    terms in office overlap (see migration 0002).
    """

    compound = models.ForeignKey(Compound, on_delete=models.PROTECT, related_name="committees", verbose_name=_("小区"))
    preparation_started_on = models.DateField(_("筹备开始日期"), null=True, blank=True)
    elected_on = models.DateField(_("选举日期"), null=True, blank=True)
    term_start = models.DateField(_("任期开始"), null=True, blank=True)
    term_end = models.DateField(_("任期届满"), null=True, blank=True, help_text=_("任期最后一天，通常为五年"))
    renewal_started_on = models.DateField(_("启动换届日期"), null=True, blank=True)
    dissolved_on = models.DateField(_("解散日期"), null=True, blank=True)
    chair_is_branch_secretary = models.BooleanField(_("主任与小区党支部书记“一肩挑”"), default=False)

    history = HistoricalRecords()

    area_path = "compound__community"

    class Meta:
        verbose_name = _("业主委员会")
        verbose_name_plural = _("业主委员会")
        ordering = ["compound", "-term_start"]
        indexes = [models.Index(fields=["term_start", "term_end"], name="committee_term_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(term_start__isnull=True, term_end__isnull=True)
                                   | Q(term_start__isnull=False, term_end__isnull=False, term_end__gt=F("term_start")),
                                   name="committee_term_end_after_start",
                                   violation_error_message=_("任期届满日期必须晚于任期开始日期。")),
            models.CheckConstraint(condition=Q(elected_on__isnull=True) | Q(term_start__isnull=False),
                                   name="committee_elected_has_term",
                                   violation_error_message=_("已选举的业委会须填写任期。")),
            models.CheckConstraint(condition=Q(dissolved_on__isnull=True) | Q(term_start__isnull=True)
                                   | Q(dissolved_on__gt=F("term_start")),
                                   name="committee_dissolved_after_term_start",
                                   violation_error_message=_("解散日期必须晚于任期开始日期。")),
        ]

    def __str__(self) -> str:
        if self.term_start:
            return f"{self.compound.name} 业委会（{self.term_start:%Y}—{self.term_end:%Y}）"
        return f"{self.compound.name} 业委会（筹备）"

    def clean(self):
        super().clean()
        errors = {}
        if (self.term_start is None) != (self.term_end is None):
            errors["term_end"] = _("任期开始与任期届满须同时填写。")
        elif self.term_start and self.term_end <= self.term_start:
            errors["term_end"] = _("任期届满日期必须晚于任期开始日期。")
        if self.elected_on and not self.term_start:
            errors["term_start"] = _("已选举的业委会须填写任期。")
        if self.dissolved_on and self.term_start and self.dissolved_on <= self.term_start:
            errors["dissolved_on"] = _("解散日期必须晚于任期开始日期。")
        if errors:
            raise ValidationError(errors)
        if self.compound_id and self.term_start and self.term_end:
            from committees.selectors import overlapping_committees

            if overlapping_committees(self).exists():
                raise ValidationError(_("该小区在此任期内已有在任业委会，同一小区同一时间只能有一个在任业委会。"))

    def in_office_until(self) -> datetime.date | None:
        """First day the committee is no longer in office."""
        if not self.term_end:
            return None
        after_term = self.term_end + datetime.timedelta(days=1)
        return min(after_term, self.dissolved_on) if self.dissolved_on else after_term

    def status_on(self, day: datetime.date) -> str:
        if self.dissolved_on and day >= self.dissolved_on:
            return CommitteeStatus.DISSOLVED
        if not self.term_start or day < self.term_start:
            return CommitteeStatus.PREPARING
        if day > self.term_end:
            return CommitteeStatus.EXPIRED
        if self.renewal_started_on and day >= self.renewal_started_on:
            return CommitteeStatus.RENEWING
        return CommitteeStatus.IN_OFFICE

    @property
    def status(self) -> str:
        from django.utils import timezone

        return self.status_on(timezone.localdate())

    def get_status_display(self) -> str:
        return CommitteeStatus(self.status).label


class CommitteeMember(TimeStampedModel):
    class Role(models.TextChoices):
        CHAIR = "chair", _("主任")
        VICE_CHAIR = "vice_chair", _("副主任")
        MEMBER = "member", _("委员")

    committee = models.ForeignKey(OwnersCommittee, on_delete=models.CASCADE, related_name="members", verbose_name=_("业委会"))
    name = models.CharField(_("姓名"), max_length=50)
    role = models.CharField(_("职务"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    is_party_member = models.BooleanField(_("中共党员"), default=False)
    # The member's latest role and party membership; their dated history is in CommitteeMemberPeriod.
    left_on = models.DateField(_("离任日期"), null=True, blank=True, help_text=_("该日起不再是成员"))
    # Personal information (PIPL): kept for the street's own contact work, masked everywhere else.
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)

    history = HistoricalRecords(excluded_fields=["phone"])

    personal_fields = ("name", "phone")
    area_path = "committee__compound__community"

    class Meta:
        verbose_name = _("业委会成员")
        verbose_name_plural = _("业委会成员")
        ordering = ["committee", "role", "name"]
        constraints = [
            models.UniqueConstraint(fields=["committee"], condition=Q(role="chair", left_on__isnull=True),
                                    name="committee_single_chair",
                                   violation_error_message=_("一个业委会只能有一名主任。")),
        ]

    def __str__(self) -> str:
        # Masked: a row's text ends up in logs, the admin's action log and import previews, all
        # read outside the owning street. Pages that may show the name read `name` itself.
        return f"{self.masked_name}（{self.get_role_display()}）"

    @property
    def masked_name(self) -> str:
        from common.privacy import mask_name

        return mask_name(self.name)

    @property
    def masked_phone(self) -> str:
        from common.privacy import mask_phone

        return mask_phone(self.phone)


class CommitteeMemberPeriod(DatedFact):
    """A member's role and party membership over time; no row in force on a day = not a member then
    (a member without any row is a member with their recorded role throughout)."""

    member = models.ForeignKey(CommitteeMember, on_delete=models.CASCADE, related_name="periods", verbose_name=_("成员"))
    role = models.CharField(_("职务"), max_length=20, choices=CommitteeMember.Role.choices)
    is_party_member = models.BooleanField(_("中共党员"))

    owner_field = "member"
    value_fields = ("role", "is_party_member")
    area_path = "member__committee__compound__community"
    history = HistoricalRecords()

    class Meta(DatedFact.Meta):
        verbose_name = _("成员职务与党员身份变更")
        verbose_name_plural = _("成员职务与党员身份变更")
        constraints = dated_constraints("member_period", "member")


class PartyOrganisation(TimeStampedModel):
    class Kind(models.TextChoices):
        COMPOUND_BRANCH = "compound_branch", _("小区党支部")
        FIRM = "firm", _("物业企业党组织")
        COMMUNITY_GRAND = "community_grand", _("社区“大党委”")

    class Form(models.TextChoices):
        FORMAL = "formal", _("建制式")
        FUNCTIONAL = "functional", _("功能型")
        JOINT = "joint", _("联合")

    code = models.CharField(_("组织代码"), max_length=32, unique=True)
    name = models.CharField(_("组织名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    form = models.CharField(_("组建形式"), max_length=20, choices=Form.choices)
    district = models.ForeignKey(District, on_delete=models.PROTECT, related_name="party_organisations", verbose_name=_("所属区县"))
    street = models.ForeignKey(Street, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="party_organisations", verbose_name=_("所属街道(乡镇)"))
    established_on = models.DateField(_("成立日期"))
    dissolved_on = models.DateField(_("撤销日期"), null=True, blank=True)
    compounds = models.ManyToManyField(Compound, through="PartyOrganisationCompound", blank=True,
                                       related_name="party_organisations", verbose_name=_("覆盖小区"))
    firms = models.ManyToManyField(PropertyFirm, through="PartyOrganisationFirm", blank=True,
                                   related_name="party_organisations", verbose_name=_("覆盖企业"))

    history = HistoricalRecords()

    # Its street, or its district when it has none: then the district's own, not shown to its street
    # officers (no `shared_below`).
    area_path = ("street", "district")

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=F("established_on")),
                                   name="party_org_dissolved_after_established",
                                   violation_error_message=_("撤销日期必须晚于成立日期。")),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        if self.dissolved_on and self.established_on and self.dissolved_on <= self.established_on:
            raise ValidationError({"dissolved_on": _("撤销日期必须晚于成立日期。")})
        if self.street_id and self.district_id and self.street.parent_id != self.district_id:
            raise ValidationError({"street": _("所属街道不在所选区县内。")})


class CoverageBase(models.Model):
    """A dated link 'organisation covers X'; open dates fall back to the organisation's own."""

    covered_from = models.DateField(_("覆盖开始"), null=True, blank=True)
    covered_to = models.DateField(_("覆盖终止"), null=True, blank=True, help_text=_("该日起不再覆盖"))

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.covered_from and self.covered_to and self.covered_to <= self.covered_from:
            raise ValidationError({"covered_to": _("覆盖终止日期必须晚于覆盖开始日期。")})


class PartyOrganisationCompound(CoverageBase):
    organisation = models.ForeignKey(PartyOrganisation, on_delete=models.CASCADE, related_name="compound_links", verbose_name=_("党组织"))
    compound = models.ForeignKey(Compound, on_delete=models.CASCADE, related_name="party_links", verbose_name=_("小区"))

    history = HistoricalRecords()

    # A covered compound is its street's to see: an organisation of the district (or above) that
    # covers compounds of several streets shows each street only its own.
    area_path = "compound__community"

    class Meta:
        verbose_name = _("党组织覆盖小区")
        verbose_name_plural = _("党组织覆盖小区")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "compound"], name="party_compound_link_unique",
                                   violation_error_message=_("该党组织已覆盖此小区。")),
            models.CheckConstraint(condition=Q(covered_to__isnull=True) | Q(covered_from__isnull=True)
                                   | Q(covered_to__gt=F("covered_from")), name="party_compound_link_dates",
                                   violation_error_message=_("覆盖终止日期必须晚于覆盖开始日期。")),
        ]


class PartyOrganisationFirm(CoverageBase):
    organisation = models.ForeignKey(PartyOrganisation, on_delete=models.CASCADE, related_name="firm_links", verbose_name=_("党组织"))
    firm = models.ForeignKey(PropertyFirm, on_delete=models.CASCADE, related_name="party_links", verbose_name=_("企业"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("党组织覆盖企业")
        verbose_name_plural = _("党组织覆盖企业")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "firm"], name="party_firm_link_unique",
                                   violation_error_message=_("该党组织已覆盖此企业。")),
            models.CheckConstraint(condition=Q(covered_to__isnull=True) | Q(covered_from__isnull=True)
                                   | Q(covered_to__gt=F("covered_from")), name="party_firm_link_dates",
                                   violation_error_message=_("覆盖终止日期必须晚于覆盖开始日期。")),
        ]
