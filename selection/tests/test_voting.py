import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from selection import services
from selection.models import RoundAuditEntry, VerificationCode, Vote, Voter
from selection.selectors import burst_votes, suspicious_bursts, vote_counts
from selection.sms import ConsoleSmsBackend
from tests.factories import DistrictFactory, district_staff

pytestmark = pytest.mark.django_db

PHONE = "13905951234"


def verified_voter(selection_round, phone=PHONE, ip="10.0.0.1", device="device-a") -> Voter:
    services.voting_code_request(selection_round=selection_round, phone=phone, ip=ip, device_id=device)
    return services.voting_code_verify(phone=phone, code=ConsoleSmsBackend.last_code_for(phone))


def test_a_verified_voter_is_stored_only_as_a_keyed_hash_and_a_masked_number(make_round):
    voter = verified_voter(make_round())
    assert voter.phone_masked == "139****1234"
    assert PHONE not in voter.phone_hash and len(voter.phone_hash) == 64
    assert voter.phone_hash == services.phone_hash(PHONE)


def test_a_code_works_only_once(make_round):
    selection_round = make_round()
    services.voting_code_request(selection_round=selection_round, phone=PHONE, ip="10.0.0.1", device_id="d")
    code = ConsoleSmsBackend.last_code_for(PHONE)
    services.voting_code_verify(phone=PHONE, code=code)
    with pytest.raises(ValidationError, match="验证码已使用"):
        services.voting_code_verify(phone=PHONE, code=code)


def test_an_expired_code_is_refused(make_round):
    selection_round = make_round()
    services.voting_code_request(selection_round=selection_round, phone=PHONE, ip="10.0.0.1", device_id="d")
    later = timezone.now() + datetime.timedelta(minutes=6)
    with pytest.raises(ValidationError, match="验证码已过期"):
        services.voting_code_verify(phone=PHONE, code=ConsoleSmsBackend.last_code_for(PHONE), now=later)


def test_wrong_codes_are_counted_and_lock_the_code(make_round, settings):
    settings.SELECTION_CODE_MAX_ATTEMPTS = 2
    selection_round = make_round()
    services.voting_code_request(selection_round=selection_round, phone=PHONE, ip="10.0.0.1", device_id="d")
    code = ConsoleSmsBackend.last_code_for(PHONE)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(2):
        with pytest.raises(ValidationError, match="验证码不正确"):
            services.voting_code_verify(phone=PHONE, code=wrong)
    with pytest.raises(ValidationError, match="错误次数过多"):
        services.voting_code_verify(phone=PHONE, code=code)


def test_invalid_numbers_are_refused(make_round):
    with pytest.raises(ValidationError, match="有效的11位手机号码"):
        services.voting_code_request(selection_round=make_round(), phone="12345", ip=None, device_id="d")


def test_a_voter_votes_for_at_most_the_daily_limit(make_round, nominate, settings):
    settings.SELECTION_DAILY_VOTE_LIMIT = 2
    selection_round = make_round()
    candidates = [nominate(selection_round) for _ in range(3)]
    voter = verified_voter(selection_round)
    for candidate in candidates[:2]:
        services.vote_cast(selection_round=selection_round, nomination=candidate, voter=voter, ip="10.0.0.1",
                           device_id="device-a")
    with pytest.raises(ValidationError, match="点赞次数已用完"):
        services.vote_cast(selection_round=selection_round, nomination=candidates[2], voter=voter, ip="10.0.0.1",
                           device_id="device-a")
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    services.vote_cast(selection_round=selection_round, nomination=candidates[2], voter=voter, ip="10.0.0.1",
                       device_id="device-a", now=tomorrow)
    vote = Vote.objects.filter(nomination=candidates[0]).get()
    assert (vote.phone_hash, vote.ip, vote.device_id) == (voter.phone_hash, "10.0.0.1", "device-a")


def test_a_voter_votes_for_a_candidate_once_a_day(make_round, nominate):
    selection_round = make_round()
    candidate = nominate(selection_round)
    voter = verified_voter(selection_round)
    services.vote_cast(selection_round=selection_round, nomination=candidate, voter=voter, ip=None, device_id="")
    with pytest.raises(ValidationError, match="已为该候选街道点赞"):
        services.vote_cast(selection_round=selection_round, nomination=candidate, voter=voter, ip=None, device_id="")


def test_code_requests_are_rate_limited_per_number(make_round, settings):
    settings.SELECTION_CODES_PER_NUMBER_HOURLY = 2
    selection_round = make_round()
    for n in range(2):
        services.voting_code_request(selection_round=selection_round, phone=PHONE, ip=f"10.0.0.{n}", device_id=str(n))
    with pytest.raises(ValidationError, match="操作过于频繁"):
        services.voting_code_request(selection_round=selection_round, phone=PHONE, ip="10.0.0.9", device_id="9")


def test_requests_are_rate_limited_per_ip_and_per_device(make_round, settings):
    settings.SELECTION_REQUESTS_PER_IP_HOURLY = 2
    settings.SELECTION_REQUESTS_PER_DEVICE_HOURLY = 2
    selection_round = make_round()
    services.voting_code_request(selection_round=selection_round, phone="13900000001", ip="10.0.0.1", device_id="a")
    services.voting_code_request(selection_round=selection_round, phone="13900000002", ip="10.0.0.1", device_id="b")
    with pytest.raises(ValidationError, match="操作过于频繁"):
        services.voting_code_request(selection_round=selection_round, phone="13900000003", ip="10.0.0.1",
                                     device_id="c")
    services.voting_code_request(selection_round=selection_round, phone="13900000004", ip="10.0.0.2", device_id="a")
    with pytest.raises(ValidationError, match="操作过于频繁"):
        services.voting_code_request(selection_round=selection_round, phone="13900000005", ip="10.0.0.3",
                                     device_id="a")


def test_voting_outside_the_voting_stage_is_refused(make_round, nominate, staff):
    selection_round = make_round()
    candidate = nominate(selection_round)
    voter = verified_voter(selection_round)
    today = timezone.localdate()
    services.round_set_stage(selection_round=selection_round, kind="public_voting", user=staff,
                             starts_on=today + datetime.timedelta(days=1), ends_on=today + datetime.timedelta(days=5))
    with pytest.raises(ValidationError, match="不在公众点赞期内"):
        services.vote_cast(selection_round=selection_round, nomination=candidate, voter=voter, ip=None, device_id="")


def test_staff_see_a_burst_from_one_ip_and_void_it_with_an_audit_record(make_round, nominate, staff, settings):
    settings.SELECTION_DAILY_VOTE_LIMIT = 1
    selection_round = make_round()
    candidate, other = nominate(selection_round), nominate(selection_round)
    for n in range(4):
        voter = verified_voter(selection_round, phone=f"1390000000{n}", ip="10.9.9.9", device=f"dev{n}")
        services.vote_cast(selection_round=selection_round, nomination=candidate, voter=voter, ip="10.9.9.9",
                           device_id=f"dev{n}")
    honest = verified_voter(selection_round, phone="13700000000", ip="10.1.1.1", device="honest")
    services.vote_cast(selection_round=selection_round, nomination=other, voter=honest, ip="10.1.1.1",
                       device_id="honest")

    bursts = suspicious_bursts(selection_round, threshold=3)
    assert [(b["kind"], b["key"], b["count"]) for b in bursts] == [("ip", "10.9.9.9", 4)]
    burst = bursts[0]
    entry = services.votes_void(selection_round=selection_round, user=staff, reason="同一IP短时集中投票",
                                votes=burst_votes(selection_round, kind="ip", key=burst["key"], hour=burst["hour"]))

    assert vote_counts(selection_round) == {other.pk: 1}
    assert entry.action == RoundAuditEntry.Action.VOTES_VOIDED and entry.actor == staff
    assert entry.details["count"] == 4 and entry.voided_votes.count() == 4
    assert suspicious_bursts(selection_round, threshold=3) == []


def test_voiding_needs_city_staff_and_a_reason(make_round, nominate, staff):
    selection_round = make_round()
    votes = Vote.objects.all()
    with pytest.raises(ValidationError, match="只有市住建局"):
        services.votes_void(selection_round=selection_round, votes=votes, user=district_staff(DistrictFactory()),
                            reason="x")
    with pytest.raises(ValidationError, match="须填写原因"):
        services.votes_void(selection_round=selection_round, votes=votes, user=staff, reason="")


def test_behind_nginx_each_voter_has_an_address_limit_of_their_own(client, settings, make_round):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.SELECTION_REQUESTS_PER_IP_HOURLY = 2
    url = reverse("selection:voter_code", args=[make_round().pk])

    voter_a, voter_b = "203.0.113.9", "203.0.113.10"

    def ask_code(phone: str, forwarded: str) -> None:
        client.post(url, {"phone": phone}, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)

    ask_code("13900000001", voter_a)
    ask_code("13900000002", voter_a)
    # Voter A writes a fresh left entry: still voter A's bucket, which is full.
    ask_code("13900000003", f"198.51.100.7, {voter_a}")
    # Voter B, behind the same nginx, is not blocked by A.
    ask_code("13900000004", voter_b)

    assert sorted(VerificationCode.objects.values_list("ip", flat=True)) == [voter_b, voter_a, voter_a]
