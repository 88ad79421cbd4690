import pytest

from selection.models import Vote
from selection.sms import ConsoleSmsBackend

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "13905950001"


def test_a_voter_verifies_a_number_votes_and_is_refused_beyond_the_daily_limit(
        page, screenshot, make_round, nominate, settings):
    settings.SELECTION_DAILY_VOTE_LIMIT = 1
    selection_round = make_round()
    first, second = nominate(selection_round), nominate(selection_round)

    page.goto(f"/selection/{selection_round.pk}/")
    screenshot("selection-01-candidates")
    page.fill("#id_phone", PHONE)
    page.click("#code-request button")
    page.wait_for_load_state()
    assert "验证码已发送" in page.locator(".messages").inner_text()

    # The console backend keeps the last code where a developer reads it (the log and the cache).
    page.fill("#id_code", ConsoleSmsBackend.last_code_for(PHONE))
    page.click("#code-verify button")
    page.wait_for_load_state()
    assert "139****0001" in page.locator("#voter-status").inner_text()
    screenshot("selection-02-verified")

    page.click(f"[data-street='{first.street.code}'] button.sel-vote")
    page.wait_for_load_state()
    assert f"已为{first.street.name}点赞" in page.locator(".messages").inner_text()
    assert "今日已点赞 1/1" in page.locator("#voter-status").inner_text()

    page.click(f"[data-street='{second.street.code}'] button.sel-vote")
    page.wait_for_load_state()
    assert "点赞次数已用完" in page.locator(".messages").inner_text()
    screenshot("selection-03-refused-beyond-limit")

    vote = Vote.objects.get()
    assert vote.nomination == first and vote.ip == "127.0.0.1" and vote.device_id
    assert page.console_errors == []
