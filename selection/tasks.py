from celery import shared_task
from django.contrib.auth import get_user_model

from .models import SelectionRound
from .services import round_score


@shared_task
def score_round(round_id: int, actor_id: int, override_reason: str = "") -> int:
    """Score a round for the staff member who started it (the audit names them); idempotent (results
    are rebuilt), so safe to re-deliver. Returns the candidate count."""
    actor = get_user_model().objects.get(pk=actor_id)
    return len(round_score(selection_round=SelectionRound.objects.get(pk=round_id), user=actor,
                           override_reason=override_reason))
