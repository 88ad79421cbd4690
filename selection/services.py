"""Writes of the selection. Views, admin, API and the Celery task all come through here."""
from __future__ import annotations

import datetime
import hashlib
import hmac
import os
import re
import secrets
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from accounts.scope import scope_for
from common import ooxml
from common.numbers import NumberError, parse_number
from common.privacy import mask_phone
from common.ratelimit import hit_exceeds

from . import scoring, stages
from .models import (
    CandidateResult,
    Criterion,
    CriterionSource,
    DatePrecision,
    JudgeAssignment,
    Nomination,
    NominationMaterial,
    RoundAuditEntry,
    RoundStage,
    RoundState,
    Score,
    SelectionRound,
    StageKind,
    VerificationCode,
    Vote,
    Voter,
)
from .selectors import (
    criteria_weight_total,
    criterion_scores,
    district_nomination_count,
    street_attainment,
    vote_counts,
    votes_cast_on,
)
from .sms import get_sms_backend

# code, name, weight, source, stage: the design defaults of DOMAIN.md.
DEFAULT_CRITERIA = [
    ("material_review", "材料审核", 30, CriterionSource.JUDGES, StageKind.MATERIAL_REVIEW),
    ("onsite_inspection", "现场考察", 30, CriterionSource.JUDGES, StageKind.ONSITE_INSPECTION),
    ("department_evaluation", "部门评价", 20, CriterionSource.JUDGES, StageKind.DEPARTMENT_EVALUATION),
    ("public_votes", "公众点赞", 20, CriterionSource.PUBLIC_VOTES, StageKind.PUBLIC_VOTING),
]

# Accepted material: extension → (content type we serve, leading bytes the file must start with,
# for Office files the content type of the package's main part). Checking the bytes, not the
# browser's claim, keeps HTML or scripts renamed to .pdf out; every zip starts like a .docx, so an
# Office file must also be the package it says (common.ooxml): a Word document, a workbook.
MATERIAL_TYPES = {
    ".pdf": ("application/pdf", b"%PDF-", None),
    ".png": ("image/png", b"\x89PNG\r\n\x1a\n", None),
    ".jpg": ("image/jpeg", b"\xff\xd8\xff", None),
    ".jpeg": ("image/jpeg", b"\xff\xd8\xff", None),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK\x03\x04",
              ooxml.WORD_DOCUMENT),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK\x03\x04", ooxml.WORKBOOK),
}

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
RATE_WINDOW_SECONDS = 3600


# --- Guards ------------------------------------------------------------------------------------


def _require_city_staff(user) -> None:
    # None is the system itself (the Celery task, data loads).
    if user is not None and not (user.is_superuser or user.role == Role.CITY_STAFF):
        raise ValidationError(_("只有市住建局工作人员可以执行此操作。"))


def _require_not_published(selection_round: SelectionRound) -> None:
    if selection_round.state == RoundState.PUBLISHED:
        raise ValidationError(_("本轮结果已发布并冻结，须经审核重新开放后方可修改。"))


def _require_weights_total(selection_round: SelectionRound) -> None:
    total = criteria_weight_total(selection_round)
    if total != 100:
        raise ValidationError(_("各评分项权重之和须为100，当前为%(total)s。") % {"total": total})


def _is_city_staff(user) -> bool:
    return user is not None and (user.is_superuser or user.role == Role.CITY_STAFF)


def stage_check(*, selection_round: SelectionRound, kind: str, user=None, override_reason: str = "",
                today: datetime.date | None = None) -> bool:
    """Refuse the work of stage `kind` unless the round allows it today (selection.stages).

    Outside the stage's dates city staff may go ahead with a reason; returns True when the work
    happens only by such an override. Nothing is written: `_require_stage` audits the override.
    """
    refusal = stages.state_refusal(selection_round, kind)
    if refusal:
        raise ValidationError(refusal)
    refusal = stages.date_refusal(selection_round, kind, today or timezone.localdate())
    if refusal is None:
        return False
    if not _is_city_staff(user):
        raise ValidationError(refusal)
    if not (override_reason or "").strip():
        raise ValidationError(refusal + _("如确需越期操作，请填写原因。"))
    return True


def _require_stage(selection_round: SelectionRound, kind: str, *, step: str, user=None,
                   override_reason: str = "", today: datetime.date | None = None) -> None:
    today = today or timezone.localdate()
    if stage_check(selection_round=selection_round, kind=kind, user=user, override_reason=override_reason,
                   today=today):
        _audit(selection_round, RoundAuditEntry.Action.STAGE_OVERRIDDEN, actor=user, reason=override_reason.strip(),
               stage=kind, step=step, day=today.isoformat())


def _audit(selection_round, action, *, actor=None, reason="", **details) -> RoundAuditEntry:
    return RoundAuditEntry.objects.create(round=selection_round, action=action, actor=actor, reason=reason,
                                          details=details)


def _locked(selection_round: SelectionRound) -> SelectionRound:
    # Serialises state changes, nominations against the limit and scoring runs of one round.
    return SelectionRound.objects.select_for_update().get(pk=selection_round.pk)


# --- Rounds --------------------------------------------------------------------------------------


@transaction.atomic
def round_create(*, year: int, title: str, quota: int, nomination_limit_per_district: int = 3,
                 reference_month: datetime.date | None = None, min_public_votes: int | None = None,
                 stages: dict[str, tuple[datetime.date, datetime.date]] | None = None,
                 created_by=None) -> SelectionRound:
    _require_city_staff(created_by)
    selection_round = SelectionRound(year=year, title=title, quota=quota, reference_month=reference_month,
                                     nomination_limit_per_district=nomination_limit_per_district)
    if min_public_votes is not None:
        selection_round.min_public_votes = min_public_votes
    selection_round.full_clean()
    selection_round.save()
    for order, (code, name, weight, source, stage) in enumerate(DEFAULT_CRITERIA):
        Criterion.objects.create(round=selection_round, code=code, name=_(name), weight=weight, source=source,
                                 stage=stage, display_order=order)
    for kind, (starts_on, ends_on) in (stages or {}).items():
        round_set_stage(selection_round=selection_round, kind=kind, starts_on=starts_on, ends_on=ends_on,
                        user=created_by)
    _audit(selection_round, RoundAuditEntry.Action.CREATED, actor=created_by)
    return selection_round


@transaction.atomic
def round_set_stage(*, selection_round: SelectionRound, kind: str, starts_on: datetime.date,
                    ends_on: datetime.date, user=None, reason: str = "") -> RoundStage:
    """Set a stage's dates. Once the round is open, moving them changes what may happen when, so it
    needs a reason and is audited with the old and new dates."""
    _require_city_staff(user)
    selection_round = _locked(selection_round)
    _require_not_published(selection_round)
    stage = RoundStage.objects.filter(round=selection_round, kind=kind).first() or RoundStage(
        round=selection_round, kind=kind)
    before = (stage.starts_on, stage.ends_on) if stage.pk else None
    running = selection_round.state != RoundState.DRAFT
    if running and not (reason or "").strip():
        raise ValidationError(_("推选开始后调整阶段日期须填写原因。"))
    stage.starts_on, stage.ends_on = starts_on, ends_on
    stage.full_clean()
    stage.save()
    if running and before != (starts_on, ends_on):
        _audit(selection_round, RoundAuditEntry.Action.STAGE_CHANGED, actor=user, reason=reason.strip(), stage=kind,
               before=[day.isoformat() for day in before] if before else None,
               after=[starts_on.isoformat(), ends_on.isoformat()])
    return stage


@transaction.atomic
def criteria_set(*, selection_round: SelectionRound, weights: dict[str, int],
                 indicator_shares: dict[str, int] | None = None, min_public_votes: int | None = None,
                 user=None) -> list[Criterion]:
    """Set the weights (and indicator shares) of the round's criteria, by criterion code, and the
    minimum of valid votes for the public criterion to count."""
    _require_city_staff(user)
    _require_not_published(selection_round)
    if selection_round.state != RoundState.DRAFT:
        raise ValidationError(_("推选开始后不能再调整评分项权重。"))
    criteria = {criterion.code: criterion for criterion in selection_round.criteria.all()}
    unknown = set(weights) - set(criteria)
    if unknown:
        raise ValidationError(_("未知的评分项：%(codes)s。") % {"codes": "、".join(sorted(unknown))})
    total = sum(weights.get(code, criterion.weight) for code, criterion in criteria.items())
    if total != 100:
        raise ValidationError(_("各评分项权重之和须为100，当前为%(total)s。") % {"total": total})
    for code, criterion in criteria.items():
        criterion.weight = weights.get(code, criterion.weight)
        criterion.indicator_share = (indicator_shares or {}).get(code, criterion.indicator_share)
        criterion.full_clean()
        criterion.save()
    if min_public_votes is not None:
        selection_round.min_public_votes = min_public_votes
        selection_round.full_clean()
        selection_round.save(update_fields=["min_public_votes"])
    return list(criteria.values())


@transaction.atomic
def round_open(*, selection_round: SelectionRound, user=None) -> SelectionRound:
    _require_city_staff(user)
    selection_round = _locked(selection_round)
    if selection_round.state != RoundState.DRAFT:
        raise ValidationError(_("只有草稿状态的轮次可以开放。"))
    _require_weights_total(selection_round)
    # Every stage whose work the round will need: each happens only within its dates.
    needed = ({StageKind.NOMINATION, StageKind.SCORING, StageKind.PUBLICATION}
              | {c.stage for c in selection_round.criteria.all()})
    missing = needed - set(selection_round.stages.values_list("kind", flat=True))
    if missing:
        labels = "、".join(str(label) for kind, label in StageKind.choices if kind in missing)
        raise ValidationError(_("请先设置以下阶段的起止日期：%(stages)s。") % {"stages": labels})
    selection_round.state = RoundState.OPEN
    selection_round.save(update_fields=["state"])
    _audit(selection_round, RoundAuditEntry.Action.OPENED, actor=user)
    return selection_round


def round_score_check(*, selection_round: SelectionRound, user, override_reason: str = "",
                      today: datetime.date | None = None) -> None:
    """What `round_score` would refuse, asked before a worker is sent to score (nothing written)."""
    _require_city_staff(user)
    _require_weights_total(selection_round)
    stage_check(selection_round=selection_round, kind=StageKind.SCORING, user=user,
                override_reason=override_reason, today=today)


@transaction.atomic
def round_score(*, selection_round: SelectionRound, user=None, override_reason: str = "",
                today: datetime.date | None = None) -> list[CandidateResult]:
    """Compute every candidate's result, rank them and mark the top `quota`; the round moves to scoring.

    Public votes count only when the round has at least `min_public_votes` valid votes; below that
    the public criterion's weight is spread over the others in proportion to their weights.
    """
    _require_city_staff(user)
    selection_round = _locked(selection_round)
    _require_stage(selection_round, StageKind.SCORING, step="score", user=user, override_reason=override_reason,
                   today=today)
    _require_weights_total(selection_round)

    criteria = list(selection_round.criteria.all())
    nominations = list(selection_round.nominations.select_related("street"))
    judged = criterion_scores(selection_round)
    counts = {nomination.pk: 0 for nomination in nominations} | vote_counts(selection_round)
    vote_total = sum(counts.values())
    normalised = scoring.normalised_votes(counts)
    public_counted = selection_round.public_votes_count(vote_total)
    left_out = set() if public_counted else {c.code for c in criteria if c.source == CriterionSource.PUBLIC_VOTES}
    weights = scoring.applied_weights({c.code: c.weight for c in criteria}, left_out=left_out)
    attainment = street_attainment(street_codes=[n.street.code for n in nominations],
                                   period=selection_round.reference_month)

    results, ranked = {}, []
    for nomination in nominations:
        street_attained = attainment.get(nomination.street.code)
        by_criterion = {}
        for criterion in criteria:
            if criterion.source == CriterionSource.PUBLIC_VOTES:
                value = normalised[nomination.pk]
            else:
                value = scoring.trimmed_mean(judged.get((nomination.pk, criterion.pk), [])) or Decimal(0)
                if criterion.indicator_share:
                    # No published indicators, no indicator credit: reporting is part of the campaign.
                    share = Decimal(criterion.indicator_share) / 100
                    value = scoring.quantize((1 - share) * value + share * (street_attained or Decimal(0)))
            by_criterion[criterion.code] = value
        total = scoring.weighted_total(by_criterion, weights)
        results[nomination.pk] = CandidateResult(
            round=selection_round, nomination=nomination,
            criterion_scores={code: str(value) for code, value in by_criterion.items()},
            vote_count=counts[nomination.pk], normalised_votes=normalised[nomination.pk],
            attainment=street_attained, total=total)
        ranked.append(scoring.Ranked(key=nomination.pk, total=total, attainment=street_attained,
                                     tiebreak=nomination.street.code))

    for candidate in scoring.rank(ranked, quota=selection_round.quota):
        results[candidate.key].rank = candidate.rank
        results[candidate.key].selected = candidate.selected
    selection_round.results.all().delete()
    created = CandidateResult.objects.bulk_create(results.values())
    selection_round.state = RoundState.SCORING
    selection_round.scored_weights = {code: str(scoring.quantize(weight)) for code, weight in weights.items()}
    selection_round.scored_vote_total = vote_total
    selection_round.save(update_fields=["state", "scored_weights", "scored_vote_total"])
    _audit(selection_round, RoundAuditEntry.Action.SCORED, actor=user, candidates=len(created),
           selected=sum(1 for result in created if result.selected), votes=vote_total,
           public_votes_counted=public_counted)
    return created


@transaction.atomic
def round_publish(*, selection_round: SelectionRound, user=None, override_reason: str = "",
                  today: datetime.date | None = None) -> SelectionRound:
    _require_city_staff(user)
    selection_round = _locked(selection_round)
    if selection_round.state == RoundState.SCORING and not selection_round.results.exists():
        raise ValidationError(_("请先完成计分并审核结果，再发布。"))
    _require_stage(selection_round, StageKind.PUBLICATION, step="publish", user=user,
                   override_reason=override_reason, today=today)
    unscored = selection_round.nominations.filter(result__isnull=True).count()
    if unscored:
        raise ValidationError(_("有%(n)s个候选没有计分结果，请重新计分后再发布。") % {"n": unscored})
    selection_round.state = RoundState.PUBLISHED
    selection_round.published_at = timezone.now()
    selection_round.published_precision = DatePrecision.DAY
    selection_round.save(update_fields=["state", "published_at", "published_precision"])
    _audit(selection_round, RoundAuditEntry.Action.PUBLISHED, actor=user)
    return selection_round


@transaction.atomic
def round_reopen(*, selection_round: SelectionRound, user, reason: str) -> SelectionRound:
    """Unfreeze a published round for re-scoring; the published list is kept in the audit entry."""
    _require_city_staff(user)
    if not (reason or "").strip():
        raise ValidationError(_("重新开放已发布的轮次须填写原因。"))
    selection_round = _locked(selection_round)
    if selection_round.state != RoundState.PUBLISHED:
        raise ValidationError(_("只有已发布的轮次需要重新开放。"))
    published = [{"street": r.nomination.street.code, "rank": r.rank, "total": str(r.total) if r.total else None,
                  "selected": r.selected}
                 for r in selection_round.results.select_related("nomination__street")]
    selection_round.state = RoundState.SCORING
    selection_round.published_at = None
    selection_round.save(update_fields=["state", "published_at"])
    _audit(selection_round, RoundAuditEntry.Action.REOPENED, actor=user, reason=reason.strip(),
           published_results=published)
    return selection_round


# --- Nominations and material -----------------------------------------------------------------


def _require_may_nominate(user, street) -> None:
    may = user.is_superuser or user.role in (Role.CITY_STAFF, Role.DISTRICT_STAFF)
    if not (may and scope_for(user).can_see_street(street.pk, street.parent_id)):
        raise ValidationError(_("您只能推荐本区县的街道(乡镇)。"))


@transaction.atomic
def nomination_create(*, selection_round: SelectionRound, street, user, summary: str = "",
                      override_reason: str = "", today: datetime.date | None = None) -> Nomination:
    _require_may_nominate(user, street)
    selection_round = _locked(selection_round)
    _require_stage(selection_round, StageKind.NOMINATION, step="nominate", user=user,
                   override_reason=override_reason, today=today)
    if selection_round.nominations.filter(street=street).exists():
        raise ValidationError(_("%(street)s 已被推荐。") % {"street": street.name})
    limit = selection_round.nomination_limit_per_district
    if district_nomination_count(selection_round=selection_round, district_id=street.parent_id) >= limit:
        raise ValidationError(_("每个区县最多推荐%(limit)s个街道(乡镇)，名额已满。") % {"limit": limit})
    nomination = Nomination(round=selection_round, street=street, district_id=street.parent_id,
                            summary=summary, nominated_by=user)
    nomination.full_clean()
    nomination.save()
    return nomination


def material_check(upload) -> str:
    """The content type to serve the upload as; refuses unknown types, disguised files and big files."""
    extension = os.path.splitext(upload.name or "")[1].lower()
    if extension not in MATERIAL_TYPES:
        raise ValidationError(_("不支持的文件类型，请上传 PDF、PNG、JPG、DOCX 或 XLSX 文件。"))
    limit = settings.SELECTION_MATERIAL_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(_("文件过大，单个文件不能超过 %(mb)s MB。") % {"mb": round(limit / 1024 / 1024, 1)})
    content_type, signature, main_part = MATERIAL_TYPES[extension]
    upload.seek(0)
    head = upload.read(len(signature))
    upload.seek(0)
    if head != signature or (main_part and ooxml.main_part_content_type(upload) != main_part):
        raise ValidationError(_("文件内容与扩展名不符。"))
    return content_type


@transaction.atomic
def material_add(*, nomination: Nomination, upload, user, override_reason: str = "",
                 today: datetime.date | None = None) -> NominationMaterial:
    """Material comes with the nomination: within the nomination stage, before judges review it."""
    _require_may_nominate(user, nomination.street)
    _require_stage(SelectionRound.objects.get(pk=nomination.round_id), StageKind.NOMINATION, step="material",
                   user=user, override_reason=override_reason, today=today)
    content_type = material_check(upload)
    material = NominationMaterial(nomination=nomination, file=upload, original_name=os.path.basename(upload.name)[:200],
                                  content_type=content_type, size=upload.size, uploaded_by=user)
    material.save()
    return material


# --- Judging -------------------------------------------------------------------------------------


@transaction.atomic
def judge_assign(*, criterion: Criterion, judge, user=None) -> JudgeAssignment:
    _require_city_staff(user)
    _require_not_published(criterion.round)
    if judge.role != Role.JUDGE:
        raise ValidationError(_("只能指派评审专家/部门账号。"))
    if criterion.source != CriterionSource.JUDGES:
        raise ValidationError(_("该评分项不由评审打分。"))
    assignment, _created = JudgeAssignment.objects.get_or_create(criterion=criterion, judge=judge,
                                                                 defaults={"assigned_by": user})
    return assignment


@transaction.atomic
def score_submit(*, judge, nomination: Nomination, criterion: Criterion, value, comment: str = "",
                 today: datetime.date | None = None) -> Score:
    assignment = JudgeAssignment.objects.filter(criterion=criterion, judge=judge).first()
    if assignment is None or nomination.round_id != criterion.round_id:
        raise ValidationError(_("您未被指派该评分项，不能打分。"))
    # Read the round afresh: the state decides, not whatever copy the caller holds. Judges have no
    # override: city staff move the stage's dates (with a reason) when judging must go on.
    selection_round = SelectionRound.objects.get(pk=criterion.round_id)
    refusal = stages.state_refusal(selection_round, criterion.stage) or stages.date_refusal(
        selection_round, criterion.stage, today or timezone.localdate())
    if refusal:
        raise ValidationError(_("“%(criterion)s”不在打分期内：%(why)s") % {"criterion": criterion.name,
                                                                     "why": refusal})
    score = Score.objects.filter(assignment=assignment, nomination=nomination).first() or Score(
        assignment=assignment, nomination=nomination)
    try:
        score.value = parse_number(value, integer_digits=3)
    except NumberError as exc:
        raise ValidationError({"value": exc.message}) from None
    score.comment = comment
    score.full_clean()
    score.save()
    return score


# --- Public voting -----------------------------------------------------------------------------


def phone_normalise(phone: str) -> str:
    digits = re.sub(r"[\s-]", "", phone or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    if not MOBILE_RE.match(digits):
        raise ValidationError(_("请输入有效的11位手机号码。"))
    return digits


def phone_hash(phone: str) -> str:
    """A keyed hash: without SECRET_KEY the stored value cannot be turned back into the number."""
    return hmac.new(settings.SECRET_KEY.encode(), f"selection-voter:{phone}".encode(), hashlib.sha256).hexdigest()


def _code_hash(number_hash: str, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"selection-code:{number_hash}:{code}".encode(),
                    hashlib.sha256).hexdigest()


def _rate_limit(scope: str, key: str | None, limit: int) -> None:
    if hit_exceeds(f"selection:{scope}", key, limit, RATE_WINDOW_SECONDS):
        raise ValidationError(_("操作过于频繁，请稍后再试。"))


def _require_voting_open(selection_round: SelectionRound, now: datetime.datetime) -> None:
    if not stages.allows(selection_round, StageKind.PUBLIC_VOTING, timezone.localdate(now)):
        raise ValidationError(_("当前不在公众点赞期内。"))


def _requester_hash(requester: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"selection-requester:{requester}".encode(),
                    hashlib.sha256).hexdigest()


def voting_code_request(*, selection_round: SelectionRound, phone: str, requester: str, ip: str | None,
                        device_id: str, now: datetime.datetime | None = None) -> None:
    """Send a code to `phone` that works only for `requester` (the asking browser session's secret).

    Requests for a number are limited per number *and* address: a per-number limit alone would let
    anyone use up the owner's codes for the hour. Each address and device also has an hourly
    budget over everything it does in the voting (codes, verifications, votes).
    """
    now = now or timezone.now()
    _require_voting_open(selection_round, now)
    phone = phone_normalise(phone)
    number_hash = phone_hash(phone)
    _rate_limit("code-number", f"{number_hash}:{ip or ''}", settings.SELECTION_CODES_PER_NUMBER_HOURLY)
    _rate_limit("ip", ip, settings.SELECTION_REQUESTS_PER_IP_HOURLY)
    _rate_limit("device", device_id, settings.SELECTION_REQUESTS_PER_DEVICE_HOURLY)
    code = f"{secrets.randbelow(10 ** 6):06d}"
    ttl = settings.SELECTION_CODE_TTL_SECONDS
    VerificationCode.objects.create(phone_hash=number_hash, requester_hash=_requester_hash(requester),
                                    code_hash=_code_hash(number_hash, code), ip=ip,
                                    expires_at=now + datetime.timedelta(seconds=ttl))
    get_sms_backend().send_code(phone=phone, code=code, ttl_seconds=ttl)


def voting_code_verify(*, phone: str, code: str, requester: str, ip: str | None, device_id: str,
                       now: datetime.datetime | None = None) -> Voter:
    """The voter behind a number whose latest code sent to `requester` is `code`; each code works
    once, until it expires, and is compared at most SELECTION_CODE_MAX_ATTEMPTS times."""
    now = now or timezone.now()
    phone = phone_normalise(phone)
    _rate_limit("ip", ip, settings.SELECTION_REQUESTS_PER_IP_HOURLY)
    _rate_limit("device", device_id, settings.SELECTION_REQUESTS_PER_DEVICE_HOURLY)
    number_hash = phone_hash(phone)
    latest = (VerificationCode.objects.filter(phone_hash=number_hash, requester_hash=_requester_hash(requester))
              .order_by("-created_at", "-pk").first())
    if latest is None:
        raise ValidationError(_("请先获取验证码。"))
    if latest.used_at is not None:
        raise ValidationError(_("验证码已使用，请重新获取。"))
    if latest.expires_at <= now:
        raise ValidationError(_("验证码已过期，请重新获取。"))
    # Claim the attempt before comparing, in one conditional UPDATE: of any number of parallel
    # guesses only the first SELECTION_CODE_MAX_ATTEMPTS are compared. Autocommitted, so a wrong
    # guess counts although we raise.
    claimed = (VerificationCode.objects.filter(pk=latest.pk, attempts__lt=settings.SELECTION_CODE_MAX_ATTEMPTS)
               .update(attempts=F("attempts") + 1))
    if not claimed:
        raise ValidationError(_("验证码错误次数过多，请重新获取。"))
    if not hmac.compare_digest(latest.code_hash, _code_hash(number_hash, (code or "").strip())):
        raise ValidationError(_("验证码不正确。"))
    with transaction.atomic():
        # The conditional update makes the code single-use even under concurrent submissions.
        if not VerificationCode.objects.filter(pk=latest.pk, used_at__isnull=True).update(used_at=now):
            raise ValidationError(_("验证码已使用，请重新获取。"))
        voter, _created = Voter.objects.update_or_create(
            phone_hash=number_hash, defaults={"phone_masked": mask_phone(phone), "verified_at": now})
    return voter


@transaction.atomic
def vote_cast(*, selection_round: SelectionRound, nomination: Nomination, voter: Voter, ip: str | None,
              device_id: str, now: datetime.datetime | None = None) -> Vote:
    now = now or timezone.now()
    _require_voting_open(selection_round, now)
    if nomination.round_id != selection_round.pk:
        raise ValidationError(_("该街道不是本轮候选。"))
    _rate_limit("ip", ip, settings.SELECTION_REQUESTS_PER_IP_HOURLY)
    _rate_limit("device", device_id, settings.SELECTION_REQUESTS_PER_DEVICE_HOURLY)
    # One voter's concurrent requests queue here, so the daily count cannot be overrun.
    voter = Voter.objects.select_for_update().get(pk=voter.pk)
    day = timezone.localdate(now)
    limit = settings.SELECTION_DAILY_VOTE_LIMIT
    if votes_cast_on(selection_round=selection_round, phone_hash=voter.phone_hash, day=day) >= limit:
        raise ValidationError(_("您今天的点赞次数已用完（每天最多%(limit)s次），请明天再来。") % {"limit": limit})
    if Vote.objects.filter(nomination=nomination, voter=voter, cast_on=day).exists():
        raise ValidationError(_("您今天已为该候选街道点赞。"))
    return Vote.objects.create(round=selection_round, nomination=nomination, voter=voter,
                               phone_hash=voter.phone_hash, cast_at=now, cast_on=day, ip=ip,
                               device_id=device_id or "")


@transaction.atomic
def votes_void(*, selection_round: SelectionRound, votes, user, reason: str) -> RoundAuditEntry:
    """Void votes (a suspicious burst); the audit entry keeps who, when, why and which votes."""
    _require_city_staff(user)
    if not (reason or "").strip():
        raise ValidationError(_("作废投票须填写原因。"))
    _require_not_published(selection_round)
    vote_ids = list(votes.filter(round=selection_round, voided_by__isnull=True).values_list("pk", flat=True))
    if not vote_ids:
        raise ValidationError(_("没有可作废的投票。"))
    entry = _audit(selection_round, RoundAuditEntry.Action.VOTES_VOIDED, actor=user, reason=reason.strip(),
                   vote_ids=vote_ids, count=len(vote_ids))
    Vote.objects.filter(pk__in=vote_ids).update(voided_by=entry)
    return entry
