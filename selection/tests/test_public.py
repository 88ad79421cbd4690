"""The public side: the home for visitors at `/`, the published lists, and voting in development."""
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.urls import reverse

from selection import services
from selection.models import DatePrecision, Nomination, SelectionRound
from tests.factories import StreetFactory, UserFactory, city_staff

pytestmark = pytest.mark.django_db

PHONE = "13905957777"


def header_cells(page: str) -> list[str]:
    table = page[page.index('<table class="data sel-results">'):page.index("</thead>")]
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<th[^>]*>(.*?)</th>", table, re.S)]


def body_cells(page: str) -> list[str]:
    body = page[page.index("<tbody>", page.index('<table class="data sel-results">')):page.index("</tbody>")]
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", body, re.S)]


def test_visitors_get_the_public_home_at_the_root_not_the_staff_login(client, make_round):
    selection_round = make_round()
    response = client.get("/")
    assert response.status_code == 200
    page = response.content.decode()
    assert selection_round.title in page and "公众点赞进行中" in page
    assert reverse("selection:candidates", args=[selection_round.pk]) in page
    history = SelectionRound.objects.get(year=2024)
    assert reverse("selection:results", args=[history.pk]) in page and "入选 15 个 · 发布于 2025年" in page
    assert 'href="/accounts/login/"' in page


def test_signed_in_users_still_land_on_their_own_page(client):
    client.force_login(city_staff())
    assert client.get("/")["Location"] == reverse("dashboard:overview")


def test_the_public_home_costs_a_bounded_number_of_queries(client, make_round, django_assert_max_num_queries):
    for _ in range(3):
        make_round()
    with django_assert_max_num_queries(6):
        assert client.get("/").status_code == 200


def test_the_2024_list_has_no_rank_and_no_empty_column_and_was_published_in_2025(client):
    history = SelectionRound.objects.get(year=2024)
    assert (history.published_at.year, history.published_precision) == (2025, DatePrecision.YEAR)
    page = client.get(reverse("selection:results", args=[history.pk])).content.decode()
    assert header_cells(page) == ["街道(乡镇)", "区县"]
    cells = body_cells(page)
    assert len(cells) == 30 and all(cells)
    assert "入选样板街道(乡镇) 15 个。" in page and "发布时间：2025年" in page
    assert "排名不分先后" in page


def test_a_published_list_counts_the_selected_it_lists_not_the_quota(client, make_round, nominate, staff):
    selection_round = make_round(quota=15)
    for _ in range(5):
        nominate(selection_round)
    services.round_score(selection_round=selection_round, user=staff)
    services.round_publish(selection_round=selection_round, user=staff)
    page = client.get(reverse("selection:results", args=[selection_round.pk])).content.decode()
    assert "入选样板街道(乡镇) 5 个。（名额 15 个，候选不足）" in page
    assert len(body_cells(page)) == 5 * 8  # rank, street, district, 4 criteria and total of each of the 5
    assert header_cells(page)[:3] == ["排名", "街道(乡镇)", "区县"]
    assert "结果" not in header_cells(page)  # every listed candidate was selected


def test_a_round_scored_before_a_late_nomination_cannot_be_published(make_round, nominate, staff):
    selection_round = make_round(quota=15)
    nominate(selection_round)
    services.round_score(selection_round=selection_round, user=staff)
    # A candidate added after the scoring run (system administrators can, in the Django admin) has no result.
    street = StreetFactory()
    Nomination.objects.create(round=selection_round, street=street, district=street.district)
    with pytest.raises(ValidationError, match="有1个候选没有计分结果"):
        services.round_publish(selection_round=selection_round, user=staff)


def test_in_development_the_console_backend_shows_the_code_on_the_page(client, make_round):
    selection_round = make_round()
    response = client.post(reverse("selection:voter_code", args=[selection_round.pk]), {"phone": PHONE}, follow=True)
    page = response.content.decode()
    [code] = re.findall(r'class="msg-sms-dev-code info">开发环境未发送短信，验证码为 (\d{6})。', page)
    client.post(reverse("selection:voter_verify", args=[selection_round.pk]), {"phone": PHONE, "code": code})
    assert "139****7777" in client.get(reverse("selection:candidates", args=[selection_round.pk])).content.decode()


def test_under_production_no_code_reaches_the_page(client, make_round, settings):
    settings.PRODUCTION = True
    selection_round = make_round()
    response = client.post(reverse("selection:voter_code", args=[selection_round.pk]), {"phone": PHONE}, follow=True)
    page = response.content.decode()
    assert "验证码已发送" in page and "开发环境" not in page


def test_the_production_check_still_refuses_the_console_backend(settings):
    settings.PRODUCTION = True
    settings.SELECTION_SMS_BACKEND = "selection.sms.ConsoleSmsBackend"
    with pytest.raises(SystemCheckError, match="quanzhou_pm.E001"):
        call_command("check", deploy=True, fail_level="ERROR")


def test_people_appear_by_full_name_and_organisation():
    expert = UserFactory(username="judge7", last_name="王", first_name="芳", organisation="泉州市发展和改革委员会")
    assert expert.display_name == "王芳（泉州市发展和改革委员会）"
    assert UserFactory(username="x1", first_name="", last_name="").display_name == "x1"
    assert UserFactory(username="x2", first_name="Ann", last_name="Lee").display_name == "Ann Lee"
