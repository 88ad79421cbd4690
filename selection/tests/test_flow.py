from decimal import Decimal

import pytest
from django.urls import reverse

from selection import services
from selection.models import CandidateResult, RoundState
from selection.sms import ConsoleSmsBackend
from tests.factories import DistrictFactory, StreetFactory, district_staff

from .conftest import judge

pytestmark = pytest.mark.django_db


def test_a_30_candidate_round_is_nominated_scored_voted_published_and_listed(
        client, staff, make_round, settings, django_capture_on_commit_callbacks):
    settings.SELECTION_DAILY_VOTE_LIMIT = 3
    # 36 votes reach the round's minimum, so the public criterion counts.
    selection_round = make_round(quota=15, limit=3, min_public_votes=36)

    # Ten districts nominate three streets each.
    candidates = []
    for _ in range(10):
        district = DistrictFactory()
        officer = district_staff(district)
        for _ in range(3):
            candidates.append(services.nomination_create(selection_round=selection_round, user=officer,
                                                         street=StreetFactory(district=district)))

    # Five judges per judged criterion: candidate i gets 40 + 2i ± noise the trimmed mean removes.
    for criterion in selection_round.criteria.filter(source="judges"):
        for j in range(5):
            expert = judge()
            services.judge_assign(criterion=criterion, judge=expert, user=staff)
            for i, candidate in enumerate(candidates):
                value = 40 + 2 * i + {0: -30, 4: 30}.get(j, 0)
                services.score_submit(judge=expert, nomination=candidate, criterion=criterion,
                                      value=max(0, min(100, value)))

    # Twelve voters, three votes each, all for the last three candidates.
    for n in range(12):
        phone = f"1360000{n:04d}"
        browser = dict(requester=f"session-{n}", ip=f"10.0.{n}.1", device_id=f"d{n}")
        services.voting_code_request(selection_round=selection_round, phone=phone, **browser)
        voter = services.voting_code_verify(phone=phone, code=ConsoleSmsBackend.last_code_for(phone), **browser)
        for candidate in candidates[-3:]:
            services.vote_cast(selection_round=selection_round, nomination=candidate, voter=voter,
                               ip=f"10.0.{n}.1", device_id=f"d{n}")

    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("selection:round_score", args=[selection_round.pk]))
    client.post(reverse("selection:round_publish", args=[selection_round.pk]))
    selection_round.refresh_from_db()
    assert selection_round.state == RoundState.PUBLISHED

    results = list(CandidateResult.objects.filter(round=selection_round).order_by("rank"))
    assert len(results) == 30 and [r.rank for r in results] == list(range(1, 31))
    assert sum(r.selected for r in results) == 15
    assert [r.nomination for r in results[:15]] == candidates[::-1][:15]
    top = results[0]
    assert top.criterion_scores["material_review"] == "98.00"  # (98-30, 98, 98, 98, 100) trimmed
    assert top.normalised_votes == 100 and top.total == Decimal("98.40")  # 98 × 0.8 + 100 × 0.2

    [listed] = client.get("/api/v1/selection-rounds/", {"year": 2025}).json()
    assert len(listed["candidates"]) == 30
    assert sum(c["selected"] for c in listed["candidates"]) == 15
    assert listed["candidates"][0]["street_code"] == candidates[-1].street.code
