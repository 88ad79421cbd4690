"""Scoring started from the round page runs in a real Celery worker (Redis, the PostgreSQL test
database), and its audit entry names the staff member who started it.

The worker fixtures (broker_url, start_worker, send, wait_for) are in the root conftest.
"""
import pytest
from django.urls import reverse

from selection import tasks
from selection.models import RoundAuditEntry

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
]


def test_a_worker_scores_the_round_for_the_staff_member_who_started_it(
        client, staff, make_round, nominate, start_worker, send, wait_for, monkeypatch):
    selection_round = make_round(quota=1)
    nominate(selection_round)
    sent = []
    # The page sends the task after its commit; it goes to this test's broker.
    monkeypatch.setattr(tasks.score_round, "delay", lambda *args: (sent.append(args),
                                                                   send(tasks.score_round, *args)))
    client.force_login(staff)
    client.post(reverse("selection:round_score", args=[selection_round.pk]))
    assert sent == [(selection_round.pk, staff.pk, "")]

    start_worker()
    scored = selection_round.audit_entries.filter(action=RoundAuditEntry.Action.SCORED)
    wait_for(scored.exists, 90, "the worker's scoring run")
    assert scored.get().actor == staff
    assert selection_round.results.get().selected
