from celery import shared_task

from .models import SelectionRound
from .services import round_score


@shared_task
def score_round(round_id: int) -> int:
    """Score a round; idempotent (results are rebuilt), so safe to re-deliver. Returns the candidate count."""
    return len(round_score(selection_round=SelectionRound.objects.get(pk=round_id)))
