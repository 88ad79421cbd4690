"""This year's model-street selection, open for public voting, so the public home has a round to vote in.

Created through the selection services as city staff would run it: nominations were made within
their stage, material review is under way, the public votes now, scoring and publication follow.
"""
import datetime

from districts.models import Street
from reporting.periods import latest_due_month
from selection import services
from selection.models import SelectionRound, StageKind

from .users import NAMED_STREETS

DAY = datetime.timedelta(days=1)


def _stages(today: datetime.date) -> dict[str, tuple[datetime.date, datetime.date]]:
    return {
        StageKind.NOMINATION: (today - 30 * DAY, today - 11 * DAY),
        StageKind.MATERIAL_REVIEW: (today - 10 * DAY, today + 4 * DAY),
        StageKind.ONSITE_INSPECTION: (today + 5 * DAY, today + 14 * DAY),
        StageKind.DEPARTMENT_EVALUATION: (today + 5 * DAY, today + 14 * DAY),
        StageKind.PUBLIC_VOTING: (today - 3 * DAY, today + 14 * DAY),
        StageKind.SCORING: (today + 15 * DAY, today + 18 * DAY),
        StageKind.PUBLICATION: (today + 19 * DAY, today + 25 * DAY),
    }


def create_round(by_username: dict, *, today: datetime.date) -> int:
    """This year's round with the campaign's named streets as candidates; returns the candidates
    created (none when the year already has a round)."""
    if SelectionRound.objects.filter(year=today.year).exists():
        return 0
    city, judge = by_username["city_admin"], by_username["judge"]
    selection_round = services.round_create(
        year=today.year, title=f"{today.year}年度样板街道(乡镇)推选", quota=15, min_public_votes=300,
        reference_month=latest_due_month(today=today), stages=_stages(today), created_by=city)
    selection_round = services.round_open(selection_round=selection_round, user=city)
    nominated_on = today - 20 * DAY
    streets = Street.objects.filter(code__in=NAMED_STREETS).order_by("code")
    for street in streets:
        services.nomination_create(
            selection_round=selection_round, street=street, user=city, today=nominated_on,
            summary=f"{street.name}推进“四升一降”：业委会组建、小区党组织覆盖和议事协商同步提升，信访矛盾下降。")
    services.judge_assign(criterion=selection_round.criteria.get(code="material_review"), judge=judge, user=city)
    return len(streets)
