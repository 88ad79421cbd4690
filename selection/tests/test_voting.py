import datetime
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from selection import services
from selection.models import RoundAuditEntry, VerificationCode, Vote, Voter
from selection.selectors import burst_votes, suspicious_bursts, vote_counts
from selection.sms import ConsoleSmsBackend
from tests.concurrency import run_together
from tests.factories import DistrictFactory, district_staff

pytestmark = pytest.mark.django_db

PHONE = "13905951234"
OWNER = {"requester": "owner-session", "ip": "10.0.0.1", "device_id": "owner-device"}
STRANGER = {"requester": "stranger-session", "ip": "10.6.6.6", "device_id": "stranger-device"}


def ask(selection_round, phone=PHONE, browser=OWNER):
    services.voting_code_request(selection_round=selection_round, phone=phone, **browser)
    return ConsoleSmsBackend.last_code_for(phone)


def verify(code, phone=PHONE, browser=OWNER, **kwargs):
    return services.voting_code_verify(phone=phone, code=code, **browser, **kwargs)


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def verified_voter(selection_round, phone=PHONE, ip="10.0.0.1", device="device-a") -> Voter:
    browser = {"requester": f"session-{phone}", "ip": ip, "device_id": device}
    return verify(ask(selection_round, phone, browser), phone, browser)


def test_a_verified_voter_is_stored_only_as_a_keyed_hash_and_a_masked_number(make_round):
    voter = verified_voter(make_round())
    assert voter.phone_masked == "139****1234"
    assert PHONE not in voter.phone_hash and len(voter.phone_hash) == 64
    assert voter.phone_hash == services.phone_hash(PHONE)


def test_a_code_works_only_once(make_round):
    code = ask(make_round())
    verify(code)
    with pytest.raises(ValidationError, match="验证码已使用"):
        verify(code)


def test_an_expired_code_is_refused(make_round):
    code = ask(make_round())
    later = timezone.now() + datetime.timedelta(minutes=6)
    with pytest.raises(ValidationError, match="验证码已过期"):
        verify(code, now=later)


def test_wrong_codes_are_counted_and_use_the_code_up(make_round, settings):
    settings.SELECTION_CODE_MAX_ATTEMPTS = 2
    code = ask(make_round())
    for _ in range(2):
        with pytest.raises(ValidationError, match="验证码不正确"):
            verify(wrong(code))
    with pytest.raises(ValidationError, match="错误次数过多"):
        verify(code)


def test_a_code_works_only_in_the_browser_session_that_asked_for_it(make_round):
    code = ask(make_round())
    with pytest.raises(ValidationError, match="请先获取验证码"):
        verify(code, browser=STRANGER)
    assert verify(code).phone_masked == "139****1234"


def test_a_strangers_wrong_guesses_do_not_use_up_the_owners_code(make_round, settings):
    selection_round = make_round()
    code = ask(selection_round)
    for _ in range(settings.SELECTION_CODE_MAX_ATTEMPTS + 1):
        with pytest.raises(ValidationError):
            verify("000000", browser=STRANGER)
    # The stranger may ask for codes of their own for the number: guessing those wrong is their loss.
    strangers = ask(selection_round, browser=STRANGER)
    for _ in range(settings.SELECTION_CODE_MAX_ATTEMPTS):
        with pytest.raises(ValidationError, match="验证码不正确"):
            verify(wrong(strangers), browser=STRANGER)

    assert verify(code).phone_masked == "139****1234"


def test_a_stranger_cannot_use_up_the_owners_code_requests(make_round, settings):
    settings.SELECTION_CODES_PER_NUMBER_HOURLY = 2
    selection_round = make_round()
    for _ in range(2):
        ask(selection_round, browser=STRANGER)
    with pytest.raises(ValidationError, match="操作过于频繁"):
        ask(selection_round, browser=STRANGER)

    assert verify(ask(selection_round)).phone_masked == "139****1234"


def test_verifications_count_against_the_address_budget(make_round, settings):
    settings.SELECTION_REQUESTS_PER_IP_HOURLY = 3
    selection_round = make_round()
    ask(selection_round)  # one of the address's three
    for _ in range(2):
        with pytest.raises(ValidationError, match="验证码不正确"):
            verify("000000")
    with pytest.raises(ValidationError, match="操作过于频繁"):
        verify("000000", phone="13900000001")


@pytest.mark.django_db(transaction=True)
def test_parallel_guesses_get_no_more_comparisons_than_the_attempt_limit(require_postgres, make_round, settings):
    settings.SELECTION_CODE_MAX_ATTEMPTS = 3
    code = ask(make_round())
    guesses = [f"{(int(code) + n) % 10**6:06d}" for n in range(1, 13)]

    outcomes = run_together(*[lambda guess=guess: verify(guess) for guess in guesses])

    answers = Counter(" ".join(outcome.error.messages) for outcome in outcomes)
    assert answers == {"验证码不正确。": 3, "验证码错误次数过多，请重新获取。": 9}
    with pytest.raises(ValidationError, match="错误次数过多"):
        verify(code)


def test_invalid_numbers_are_refused(make_round):
    with pytest.raises(ValidationError, match="有效的11位手机号码"):
        services.voting_code_request(selection_round=make_round(), phone="12345", **OWNER)


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


def test_code_requests_are_rate_limited_per_number_and_address(make_round, settings):
    settings.SELECTION_CODES_PER_NUMBER_HOURLY = 2
    selection_round = make_round()
    for n in range(2):
        services.voting_code_request(selection_round=selection_round, phone=PHONE, requester=str(n), ip="10.0.0.1",
                                     device_id=str(n))
    with pytest.raises(ValidationError, match="操作过于频繁"):
        services.voting_code_request(selection_round=selection_round, phone=PHONE, requester="9", ip="10.0.0.1",
                                     device_id="9")


def test_requests_are_rate_limited_per_ip_and_per_device(make_round, settings):
    settings.SELECTION_REQUESTS_PER_IP_HOURLY = 2
    settings.SELECTION_REQUESTS_PER_DEVICE_HOURLY = 2
    selection_round = make_round()

    def request(phone, ip, device):
        services.voting_code_request(selection_round=selection_round, phone=phone, requester="r", ip=ip,
                                     device_id=device)

    request("13900000001", "10.0.0.1", "a")
    request("13900000002", "10.0.0.1", "b")
    with pytest.raises(ValidationError, match="操作过于频繁"):
        request("13900000003", "10.0.0.1", "c")
    request("13900000004", "10.0.0.2", "a")
    with pytest.raises(ValidationError, match="操作过于频繁"):
        request("13900000005", "10.0.0.3", "a")


def test_voting_outside_the_voting_stage_is_refused(make_round, nominate, staff):
    selection_round = make_round()
    candidate = nominate(selection_round)
    voter = verified_voter(selection_round)
    today = timezone.localdate()
    services.round_set_stage(selection_round=selection_round, kind="public_voting", user=staff, reason="点赞顺延",
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
