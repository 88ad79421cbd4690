import re

import pytest
from django.urls import reverse

from selection import services
from selection.models import Vote
from selection.selectors import suspicious_bursts
from tests.factories import DistrictFactory, StreetFactory, district_staff

from .conftest import judge
from .test_voting import verified_voter

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored_by_two_judges(make_round, nominate, staff):
    selection_round = make_round()
    candidate = nominate(selection_round)
    material = selection_round.criteria.get(code="material_review")
    me, other = judge(), judge()
    for expert, value in ((me, 61), (other, 97)):
        services.judge_assign(criterion=material, judge=expert, user=staff)
        services.score_submit(judge=expert, nomination=candidate, criterion=material, value=value, comment=f"评语{value}")
    return selection_round, candidate, me, other


def test_a_judge_sees_only_their_own_scores(client, scored_by_two_judges):
    selection_round, candidate, me, _other = scored_by_two_judges
    client.force_login(me)
    assignment = me.judge_assignments.get()
    page = client.get(reverse("selection:judge_score", args=[assignment.pk])).content.decode()
    # Scores as standalone numbers: a random CSRF token may well contain the digits "97".
    standalone = lambda number: re.search(rf"(?<![\w.]){number}(?:\.0+)?(?![\w.])", page)  # noqa: E731
    assert standalone(61) and "评语61" in page
    assert not standalone(97) and "评语97" not in page


def test_a_judge_cannot_open_another_judges_assignment(client, scored_by_two_judges):
    _round, _candidate, me, other = scored_by_two_judges
    client.force_login(me)
    response = client.get(reverse("selection:judge_score", args=[other.judge_assignments.get().pk]))
    assert response.status_code == 404


def test_a_judge_scores_through_the_page(client, scored_by_two_judges):
    _round, candidate, me, _other = scored_by_two_judges
    client.force_login(me)
    assignment = me.judge_assignments.get()
    client.post(reverse("selection:judge_score", args=[assignment.pk]),
                {"nomination": candidate.pk, "value": "75.5", "comment": "更新"})
    assert str(assignment.scores.get().value) == "75.50"


def test_judges_land_on_their_assignments(client):
    client.force_login(judge())
    assert client.get(reverse("home"))["Location"] == reverse("selection:judge_home")


@pytest.mark.parametrize("url_name", ["round_open", "round_score", "round_publish", "judge_assign", "votes_void"])
def test_district_staff_cannot_run_city_actions(client, make_round, url_name):
    client.force_login(district_staff(DistrictFactory()))
    assert client.post(reverse(f"selection:{url_name}", args=[make_round().pk])).status_code == 403


def test_district_staff_nominate_their_street_through_the_page(client, make_round):
    selection_round = make_round()
    district = DistrictFactory()
    street, foreign = StreetFactory(district=district), StreetFactory()
    client.force_login(district_staff(district))
    page = client.get(reverse("selection:nominate", args=[selection_round.pk])).content.decode()
    assert street.name in page and foreign.name not in page
    client.post(reverse("selection:nominate", args=[selection_round.pk]), {"street": street.pk, "summary": "成效显著"})
    assert selection_round.nominations.get().street == street
    response = client.post(reverse("selection:nominate", args=[selection_round.pk]), {"street": foreign.pk})
    assert response.status_code == 200 and selection_round.nominations.count() == 1


def test_the_round_page_costs_a_bounded_number_of_queries(client, staff, make_round, nominate,
                                                          django_assert_max_num_queries):
    selection_round = make_round()
    for _ in range(10):
        nominate(selection_round)
    services.round_score(selection_round=selection_round, user=staff)
    client.force_login(staff)
    with django_assert_max_num_queries(20):
        response = client.get(reverse("selection:manage_round", args=[selection_round.pk]))
    assert response.status_code == 200


def test_the_public_candidate_list_costs_a_bounded_number_of_queries(client, make_round, nominate,
                                                                     django_assert_max_num_queries):
    selection_round = make_round()
    for _ in range(10):
        nominate(selection_round)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("selection:candidates", args=[selection_round.pk]))
    assert response.status_code == 200 and "qz_vote_device" in response.cookies


def test_city_staff_void_a_burst_from_the_round_page(client, staff, make_round, nominate, settings):
    settings.SELECTION_BURST_THRESHOLD = 2
    selection_round = make_round()
    candidate = nominate(selection_round)
    for n in range(2):
        voter = verified_voter(selection_round, phone=f"1350000000{n}", ip="10.8.8.8", device=f"x{n}")
        services.vote_cast(selection_round=selection_round, nomination=candidate, voter=voter, ip="10.8.8.8",
                           device_id=f"x{n}")
    [burst] = suspicious_bursts(selection_round, threshold=2)
    client.force_login(staff)
    assert "10.8.8.8" in client.get(reverse("selection:manage_round", args=[selection_round.pk])).content.decode()
    client.post(reverse("selection:votes_void", args=[selection_round.pk]),
                {"kind": "ip", "key": "10.8.8.8", "hour": burst["hour"].isoformat(), "reason": "集中刷票"})
    assert Vote.objects.filter(voided_by__isnull=False).count() == 2
    assert selection_round.audit_entries.filter(action="votes_voided", reason="集中刷票", actor=staff).exists()


def test_the_nomination_picker_groups_streets_by_county_level_unit_with_codes(client, staff, make_round):
    from districts.models import District

    selection_round = make_round()
    anxi, nanan = District.objects.get(code="350524"), District.objects.get(code="350583")
    StreetFactory(district=anxi, name="官桥镇", code="350524106")
    StreetFactory(district=nanan, name="官桥镇", code="350583115")
    client.force_login(staff)
    page = client.get(reverse("selection:nominate", args=[selection_round.pk])).content.decode()
    groups = dict(re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', page, re.S))
    assert "官桥镇（350524106）" in groups["安溪县 350524"]
    assert "官桥镇（350583115）" in groups["南安市 350583"]
    assert "官桥镇（350583115）" not in groups["安溪县 350524"]


def test_judges_and_submitters_appear_by_full_name_and_organisation(client, staff, make_round):
    selection_round = make_round()
    district = DistrictFactory()
    officer = district_staff(district, last_name="林", first_name="晓", organisation="鲤城区住房和城乡建设局")
    expert = judge(username="judge9", last_name="陈", first_name="明", organisation="华侨大学")
    services.nomination_create(selection_round=selection_round, street=StreetFactory(district=district), user=officer)
    criterion = selection_round.criteria.get(code="material_review")
    client.force_login(staff)
    page = client.get(reverse("selection:manage_round", args=[selection_round.pk])).content.decode()
    assert f'<option value="{expert.pk}">陈明（华侨大学）</option>' in page
    services.judge_assign(criterion=criterion, judge=expert, user=staff)
    page = client.get(reverse("selection:manage_round", args=[selection_round.pk])).content.decode()
    assert "<td>陈明（华侨大学）</td>" in page and "judge9" not in page
    client.force_login(officer)
    page = client.get(reverse("selection:nominate", args=[selection_round.pk])).content.decode()
    assert "林晓（鲤城区住房和城乡建设局）" in page and officer.username not in page


def test_a_judges_page_shows_the_reason_the_material_and_the_indicators_at_the_reference_month(
        client, staff, make_round, settings, tmp_path, django_assert_max_num_queries):
    import datetime
    from decimal import Decimal

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from metrics.models import IndicatorValue

    settings.MEDIA_ROOT = tmp_path
    month = datetime.date(2025, 3, 1)
    selection_round = make_round(reference_month=month)
    streets = [StreetFactory() for _ in range(6)]
    for street in streets:
        nomination = services.nomination_create(selection_round=selection_round, street=street, user=staff,
                                                summary=f"{street.name}：业委会组建率全区第一")
        services.material_add(nomination=nomination, user=staff,
                              upload=SimpleUploadedFile("自评报告.pdf", b"%PDF-1.7\n%%EOF"))
        IndicatorValue.objects.create(indicator_id="committee_formation_rate", area_level="street",
                                      area_code=street.code, period=month, numerator=60, denominator=100,
                                      value=Decimal("60"), computed_at=timezone.now())
    expert = judge()
    assignment = services.judge_assign(criterion=selection_round.criteria.get(code="material_review"), judge=expert,
                                       user=staff)
    client.force_login(expert)
    with django_assert_max_num_queries(15):
        page = client.get(reverse("selection:judge_score", args=[assignment.pk])).content.decode()
    card = page[page.index(f'data-street="{streets[0].code}"'):page.index(f'data-street="{streets[1].code}"')]
    assert f"{streets[0].name}：业委会组建率全区第一" in card and "自评报告.pdf" in card
    # The value, the target and the attainment as the metrics selectors judge it (≥ 80%: missed).
    row = re.search(r"<tr><td>业委会组建率</td>(.*?)</tr>", card).group(1)
    assert "60.0%" in row and "≥ 80.0%" in row and 'class="attain-missed"' in row
    assert "取本轮参考月份 2025-03 的数值" in page and "未到截止日" not in page


def test_a_judges_page_shows_no_indicators_of_a_month_not_yet_due(client, staff, make_round, nominate):
    from django.utils import timezone

    this_month = timezone.localdate().replace(day=1)
    selection_round = make_round(reference_month=this_month)
    nominate(selection_round)
    expert = judge()
    assignment = services.judge_assign(criterion=selection_round.criteria.get(code="material_review"),
                                       judge=expert, user=staff)
    client.force_login(expert)
    page = client.get(reverse("selection:judge_score", args=[assignment.pk])).content.decode()
    assert f"指标参考月份 {this_month:%Y-%m} 的月报未到截止日，暂无指标。" in page
    assert "sel-indicators" not in page
