"""Reads of the selection: rounds, candidates, scores a user may see, vote counts, bursts, attainment."""
from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import TruncHour

from accounts.models import Role
from accounts.scope import scope_for
from metrics.models import Comparison, Direction, Unit
from metrics.selectors import ComparedValue, indicator_values_with_comparison

from .models import (
    CandidateResult,
    Criterion,
    CriterionSource,
    JudgeAssignment,
    Nomination,
    NominationMaterial,
    RoundState,
    Score,
    SelectionRound,
    Vote,
)

HUNDRED = Decimal(100)


# --- The 四升一降 attainment of a street ----------------------------------------------------------


def candidate_indicators(*, street_codes: list[str], period: datetime.date | None) -> dict[str, list[ComparedValue]]:
    """Each street's 四升一降 core indicators at `period`, beside target and attainment as the metrics
    selectors give them (their one attainment rule), keyed by street code. Three queries."""
    if not street_codes or period is None:
        return {}
    rows = indicator_values_with_comparison(area_level="street", area_codes=list(street_codes), period=period)
    by_street: dict[str, list[ComparedValue]] = {}
    for row in rows:
        if row.indicator.is_core:
            by_street.setdefault(row.area_code, []).append(row)
    return by_street


def street_attainment(*, street_codes: list[str], period: datetime.date | None) -> dict[str, Decimal]:
    """Each street's 0–100 attainment of the 四升一降 core indicators at `period`.

    The one input the selection takes from the indicator engine: it breaks ties and feeds the
    indicator share of material review. Per core indicator, progress is value/target for a "≥"
    target (target/value for "≤"), capped at 1; an indicator without a target counts its own
    value when that is on a 0–100 scale of "higher is better"; a missing value counts 0. The
    score is the mean progress × 100. Streets without any published value are absent.
    """
    scores = {}
    for code, rows in candidate_indicators(street_codes=street_codes, period=period).items():
        score = attainment_score(rows)
        if score is not None:
            scores[code] = score
    return scores


def attainment_score(rows: list[ComparedValue]) -> Decimal | None:
    """The 0–100 attainment of one street's core indicator rows; None when none has a value."""
    shares = [share for share in map(_progress, rows) if share is not None]
    if not shares or all(row.value is None for row in rows if _progress(row) is not None):
        return None
    return (sum(shares) / len(shares) * HUNDRED).quantize(Decimal("0.01"))


def _progress(row) -> Decimal | None:
    """Progress of one indicator in [0, 1]; None when the indicator cannot be scored at all."""
    target, value = row.target, row.value
    scalable = row.indicator.direction == Direction.UP and row.indicator.unit in (Unit.PERCENT, Unit.SCORE)
    if target is None and not scalable:
        return None
    if value is None:
        return Decimal(0)
    if target is None:
        return min(Decimal(1), max(Decimal(0), value / HUNDRED))
    threshold = target.threshold
    if target.comparison == Comparison.AT_LEAST:
        share = value / threshold if threshold > 0 else Decimal(1)
    elif target.comparison == Comparison.AT_MOST:
        share = Decimal(1) if value <= threshold else threshold / value
    else:
        share = Decimal(1) - abs(value - threshold) / threshold if threshold else Decimal(value == threshold)
    return min(Decimal(1), max(Decimal(0), share))


# --- Rounds and candidates ---------------------------------------------------------------------


def rounds_for_staff(user) -> QuerySet[SelectionRound]:
    if user.is_superuser or user.role == Role.CITY_STAFF:
        return SelectionRound.objects.all()
    if user.role == Role.DISTRICT_STAFF:
        return SelectionRound.objects.exclude(state=RoundState.DRAFT)
    return SelectionRound.objects.none()


def rounds_for_public() -> QuerySet[SelectionRound]:
    return SelectionRound.objects.exclude(state=RoundState.DRAFT)


# Ranked results by rank; a list published without ranks by the streets' division codes.
RESULT_ORDER = ("rank", "nomination__street__code")


def published_rounds(*, year: int | None = None) -> QuerySet[SelectionRound]:
    rounds = SelectionRound.objects.filter(state=RoundState.PUBLISHED)
    if year is not None:
        rounds = rounds.filter(year=year)
    results = CandidateResult.objects.select_related("nomination__street", "nomination__district").order_by(
        *RESULT_ORDER)
    return rounds.prefetch_related(Prefetch("results", queryset=results), "criteria")


def published_round_list() -> QuerySet[SelectionRound]:
    """Published rounds, newest year first, each with how many candidates it selected."""
    return (SelectionRound.objects.filter(state=RoundState.PUBLISHED)
            .annotate(selected_count=Count("results", filter=Q(results__selected=True))))


def rounds_in_progress() -> QuerySet[SelectionRound]:
    """Rounds the public can follow now: open, or scored and not yet published."""
    return (SelectionRound.objects.filter(state__in=[RoundState.OPEN, RoundState.SCORING])
            .prefetch_related("stages"))


def round_candidates(selection_round: SelectionRound) -> QuerySet[Nomination]:
    materials = NominationMaterial.objects.select_related("uploaded_by")
    return (selection_round.nominations.select_related("street", "district", "nominated_by")
            .prefetch_related(Prefetch("materials", queryset=materials)).order_by("district__code", "street__code"))


def nominations_visible_to(user, selection_round: SelectionRound) -> QuerySet[Nomination]:
    return scope_for(user).filter(round_candidates(selection_round))


def district_nomination_count(*, selection_round: SelectionRound, district_id: int) -> int:
    return selection_round.nominations.filter(district_id=district_id).count()


def round_results(selection_round: SelectionRound) -> QuerySet[CandidateResult]:
    return selection_round.results.select_related("nomination__street", "nomination__district").order_by(*RESULT_ORDER)


def criteria_weight_total(selection_round: SelectionRound) -> int:
    return sum(criterion.weight for criterion in selection_round.criteria.all())


# --- Judges ------------------------------------------------------------------------------------


def judge_assignments(judge) -> QuerySet[JudgeAssignment]:
    return (JudgeAssignment.objects.filter(judge=judge).exclude(criterion__round__state=RoundState.DRAFT)
            .select_related("criterion__round").order_by("-criterion__round__year", "criterion__display_order"))


def judge_own_scores(assignment: JudgeAssignment) -> dict[int, Score]:
    """Only the judge's own scores: others' stay hidden until publication."""
    return {score.nomination_id: score for score in assignment.scores.all()}


def criterion_scores(selection_round: SelectionRound) -> dict[tuple[int, int], list[Decimal]]:
    """(nomination id, criterion id) → every judge's score, in one query."""
    scores: dict[tuple[int, int], list[Decimal]] = {}
    rows = Score.objects.filter(nomination__round=selection_round).values_list(
        "nomination_id", "assignment__criterion_id", "value")
    for nomination_id, criterion_id, value in rows:
        scores.setdefault((nomination_id, criterion_id), []).append(value)
    return scores


def judged_criteria(selection_round: SelectionRound) -> QuerySet[Criterion]:
    return selection_round.criteria.filter(source=CriterionSource.JUDGES)


# --- Votes -------------------------------------------------------------------------------------


def valid_votes(selection_round: SelectionRound) -> QuerySet[Vote]:
    return selection_round.votes.filter(voided_by__isnull=True)


def vote_counts(selection_round: SelectionRound) -> dict[int, int]:
    rows = valid_votes(selection_round).values("nomination_id").annotate(n=Count("pk")).order_by()
    return {row["nomination_id"]: row["n"] for row in rows}


def votes_cast_on(*, selection_round: SelectionRound, phone_hash: str, day: datetime.date) -> int:
    return selection_round.votes.filter(phone_hash=phone_hash, cast_on=day).count()


def voted_today(*, selection_round: SelectionRound, phone_hash: str, day: datetime.date) -> set[int]:
    return set(selection_round.votes.filter(phone_hash=phone_hash, cast_on=day)
               .values_list("nomination_id", flat=True))


def suspicious_bursts(selection_round: SelectionRound, *, threshold: int) -> list[dict]:
    """IPs and device cookies with at least `threshold` valid votes within one clock hour."""
    bursts = []
    # An empty device cookie is "no cookie", not one device; inet columns cannot compare to "".
    for kind, field, missing in (("ip", "ip", Q(ip__isnull=True)), ("device", "device_id", Q(device_id=""))):
        rows = (valid_votes(selection_round).exclude(missing)
                .annotate(hour=TruncHour("cast_at")).values(field, "hour")
                .annotate(n=Count("pk")).filter(n__gte=threshold).order_by("-n"))
        bursts += [{"kind": kind, "key": row[field], "hour": row["hour"], "count": row["n"]} for row in rows]
    return sorted(bursts, key=lambda burst: -burst["count"])


def burst_votes(selection_round: SelectionRound, *, kind: str, key: str, hour: datetime.datetime) -> QuerySet[Vote]:
    field = {"ip": "ip", "device": "device_id"}[kind]
    return valid_votes(selection_round).filter(
        Q(**{field: key}), cast_at__gte=hour, cast_at__lt=hour + datetime.timedelta(hours=1))
