"""The public pages in Chromium as a 390×844 phone shows them: a citizen finds the round from the
home, verifies a number with the code the development backend shows, votes, and reads the lists."""
import pytest

from selection import services
from selection.models import SelectionRound, Vote
from tests.factories import DistrictFactory, StreetFactory

from .conftest import judge

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = "13905950001"

FITS_THE_SCREEN = "() => document.documentElement.scrollWidth <= window.innerWidth"
# How many lines each element's text takes: a name wrapped one character per line takes several.
LINES = """els => els.map(e => {
    const style = getComputedStyle(e);
    const content = e.getBoundingClientRect().height - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom);
    return content / parseFloat(style.lineHeight);
})"""


def follow(page, act) -> None:
    """Tap or click something that loads a new page, and wait for that page."""
    with page.expect_navigation():
        act()


def assert_fits_a_phone(page, names_selector: str) -> None:
    assert page.evaluate(FITS_THE_SCREEN), f"{page.url} is wider than the phone"
    lines = page.eval_on_selector_all(names_selector, LINES)
    assert lines and max(lines) < 1.5, f"names on {page.url} wrap: {lines}"


@pytest.fixture
def candidates(make_round, nominate):
    selection_round = make_round(quota=2, min_public_votes=1)
    zone = DistrictFactory(name="泉州台商投资区")
    names = ["百崎回族乡", "青阳街道", "龙门滩镇"]
    return selection_round, [nominate(selection_round, StreetFactory(name=name, district=zone)) for name in names]


def test_a_citizen_votes_on_a_phone_with_the_development_code(phone_page, screenshot, candidates, settings):
    settings.SELECTION_DAILY_VOTE_LIMIT = 1
    selection_round, (first, *_others) = candidates
    page = phone_page

    page.goto("/")
    assert_fits_a_phone(page, "#rounds-in-progress h3, .sel-years strong")
    screenshot("selection-phone-01-home", of=page)
    follow(page, lambda: page.tap(f"[data-round='{selection_round.pk}'] a.sel-cta"))
    assert_fits_a_phone(page, ".sel-candidate .sel-name")

    page.fill("#id_phone", PHONE)
    follow(page, lambda: page.tap("#code-request button"))
    # The console backend sends no SMS: the page shows the code.
    notice = page.locator(".messages .msg-sms-dev-code").inner_text()
    code = notice.split("验证码为 ")[1].rstrip("。")
    screenshot("selection-phone-02-code-shown", of=page)
    page.fill("#id_code", code)
    follow(page, lambda: page.tap("#code-verify button"))
    assert "139****0001" in page.locator("#voter-status").inner_text()

    follow(page, lambda: page.tap(f"[data-street='{first.street.code}'] button.sel-vote"))
    assert f"已为{first.street.name}点赞" in page.locator(".messages").inner_text()
    status = page.locator("#voter-status").inner_text()
    assert "今日已点赞 1/1" in status and "点赞次数已用完" in status
    # The day's votes are used up: no candidate offers a vote any more (the service refuses one anyway).
    assert page.locator("button.sel-vote").count() == 0
    assert_fits_a_phone(page, ".sel-candidate .sel-name")
    screenshot("selection-phone-03-voted", of=page)

    vote = Vote.objects.get()
    assert vote.nomination == first and vote.ip == "127.0.0.1" and vote.device_id
    assert page.console_errors == []


def test_the_published_lists_fit_a_phone(phone_page, screenshot, candidates, staff):
    selection_round, nominations = candidates
    for criterion in selection_round.criteria.filter(source="judges"):
        expert = judge()
        services.judge_assign(criterion=criterion, judge=expert, user=staff)
        for value, nomination in zip((91.5, 78, 66.25), nominations):
            services.score_submit(judge=expert, nomination=nomination, criterion=criterion, value=value)
    services.round_score(selection_round=selection_round, user=staff)
    services.round_publish(selection_round=selection_round, user=staff)
    page = phone_page

    history = SelectionRound.objects.get(year=2024)
    page.goto(f"/selection/{history.pk}/results/")
    assert_fits_a_phone(page, ".sel-results .sel-name")
    assert page.locator(".sel-results td").count() == 30  # name and district of 15: no empty column
    assert "发布时间：2025年" in page.locator("#results-summary").inner_text()
    assert page.locator(".sel-results th", has_text="排名").count() == 0
    screenshot("selection-phone-04-list-2024", of=page)

    page.goto(f"/selection/{selection_round.pk}/results/")
    assert_fits_a_phone(page, ".sel-results .sel-name")
    first = page.locator(f"[data-street='{nominations[0].street.code}']")
    assert first.locator(".sel-rank").inner_text() == "1"
    # On a phone each figure is labelled with its column's name.
    score = first.locator("td[data-label='材料审核']")
    assert score.inner_text() == "91.50"
    assert score.evaluate("e => getComputedStyle(e, '::before').content") == '"材料审核"'
    assert first.locator(".sel-total").is_visible()
    screenshot("selection-phone-05-list-scored", of=page)
    assert page.console_errors == []
