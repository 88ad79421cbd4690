import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import F, Q

from accounts.models import Role, User
from committees.models import OwnersCommittee
from committees.selectors import compounds_with_committee_in_office_on
from common.demo.users import NAMED_STREETS
from communities.models import Community, Compound, HousingType, PropertyFirm
from communities.selectors import compounds_active_on
from communities.validators import validate_credit_code
from districts.models import District, Street
from reporting.models import MonthlyRecord, MonthlyReport, ReportState

pytestmark = pytest.mark.django_db

TODAY = "2026-11-22"
SMALL = ("--compounds", "200", "--months", "3", "--today", TODAY, "--no-indicators")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *SMALL, *args, stdout=out)
    return out.getvalue()


def compound_snapshot() -> list[tuple]:
    return list(Compound.objects.order_by("code").values_list("code", "name", "households"))


def commodity_formation_share(day: datetime.date) -> float:
    eligible = compounds_active_on(day).filter(housing_type=HousingType.COMMODITY)
    return compounds_with_committee_in_office_on(day, eligible).count() / eligible.count()


def test_the_same_seed_gives_the_same_data_and_another_seed_differs():
    seed("--seed", "7")
    first = compound_snapshot()
    seed("--seed", "7", "--flush")
    assert compound_snapshot() == first
    seed("--seed", "8", "--flush")
    assert compound_snapshot() != first


def test_every_district_and_every_named_street_has_compounds():
    seed()
    districts_with_compounds = District.objects.filter(streets__communities__compounds__isnull=False).distinct()
    assert districts_with_compounds.count() == District.objects.count() == 13
    named = Street.objects.filter(code__in=NAMED_STREETS)
    assert named.count() == 15
    assert named.filter(communities__compounds__isnull=False).distinct().count() == 15


def test_the_areas_are_quanzhous_real_streets_and_communities_and_compounds_have_several_housing_types():
    seed()
    assert Street.objects.count() == 174 and Community.objects.count() == 2572
    lizhong = Street.objects.get(code="350502003")
    assert lizhong.name == "鲤中街道"
    assert {"新峰社区", "清正社区", "东门社区"} <= set(lizhong.communities.values_list("name", flat=True))
    assert Community.objects.get(code="350502003001").name == "新峰社区"
    assert Street.objects.get(code="350521105").district.name == "泉州台商投资区"
    types = set(Compound.objects.values_list("housing_type", flat=True))
    assert types == set(HousingType.values)


def test_compounds_spread_over_real_communities_at_any_count():
    seed("--compounds", "1000")
    assert Compound.objects.count() == 1000
    assert Compound.objects.values("community").distinct().count() > 300
    assert not Compound.objects.exclude(code__startswith="XQ3505").exists()


def test_every_firm_credit_code_is_valid():
    seed()
    codes = list(PropertyFirm.objects.values_list("credit_code", flat=True))
    assert codes
    for code in codes:
        validate_credit_code(code)


def test_no_two_committees_of_a_compound_are_in_office_at_the_same_time():
    seed()
    terms: dict[int, list[OwnersCommittee]] = {}
    for committee in OwnersCommittee.objects.filter(term_start__isnull=False).order_by("compound_id", "term_start"):
        terms.setdefault(committee.compound_id, []).append(committee)
    assert any(len(t) > 1 for t in terms.values()), "expected some renewed committees"
    for committees in terms.values():
        for earlier, later in zip(committees, committees[1:]):
            assert earlier.in_office_until() <= later.term_start


def test_committee_formation_among_commodity_compounds_grows_from_2024_to_2025():
    seed()
    start, a_year_later = commodity_formation_share(datetime.date(2024, 1, 31)), commodity_formation_share(datetime.date(2025, 1, 31))
    assert start < 0.6
    assert a_year_later > 0.75
    assert a_year_later - start > 0.25


def test_monthly_records_obey_the_rules():
    seed()
    records = MonthlyRecord.objects.all()
    assert records.exists()
    broken = (Q(hotline_resolved__gt=F("hotline_received")) | Q(hotline_satisfied__gt=F("hotline_resolved"))
              | Q(fees_collected__gt=F("fees_due")) | Q(micro_matters_completed__gt=F("micro_matters_planned"))
              | Q(hazards_rectified__gt=F("hazards_found")) | Q(guards_certified__gt=F("guards_employed"))
              | Q(evaluation_score__lt=0) | Q(evaluation_score__gt=100))
    assert not records.filter(broken).exists()
    scored_months = {p.month for p in records.filter(evaluation_score__isnull=False).values_list("period", flat=True)}
    assert scored_months == {9}  # of Aug–Oct 2026, only September ends a quarter


def test_each_month_has_one_record_per_active_compound_and_approved_reports():
    seed()
    for month in (datetime.date(2026, 8, 1), datetime.date(2026, 9, 1), datetime.date(2026, 10, 1)):
        month_end = (month + datetime.timedelta(days=31)).replace(day=1) - datetime.timedelta(days=1)
        assert MonthlyRecord.objects.filter(period=month).count() == compounds_active_on(month_end).count()
        reports = MonthlyReport.objects.filter(period=month)
        assert reports.count() == Street.objects.count()
        assert set(reports.values_list("state", flat=True)) == {ReportState.APPROVED}
        assert set(reports.values_list("due_on", flat=True)) == {(month_end + datetime.timedelta(days=10))}
    current = MonthlyReport.objects.filter(period=datetime.date(2026, 11, 1))
    assert set(current.values_list("state", flat=True)) == {ReportState.DRAFT}
    assert not MonthlyRecord.objects.filter(period=datetime.date(2026, 11, 1)).exists()


def test_users_of_each_role_exist_with_their_area():
    output = seed()
    assert User.objects.get(username="admin").is_superuser
    assert User.objects.get(username="city_admin").role == Role.CITY_STAFF
    for district in District.objects.all():
        user = User.objects.get(username=f"district_{district.code.lower()}")
        assert (user.role, user.district, user.street) == (Role.DISTRICT_STAFF, district, None)
    for street in Street.objects.filter(code__in=NAMED_STREETS):
        user = User.objects.get(username=f"street_{street.code.lower()}")
        assert (user.role, user.street) == (Role.STREET_OFFICER, street)
    assert User.objects.get(username="judge").role == Role.JUDGE
    assert User.objects.get(username="api_client").role == Role.API_CLIENT
    city_admin = User.objects.get(username="city_admin")
    printed = next(line for line in output.splitlines() if line.strip().startswith("city_admin"))
    assert city_admin.check_password(printed.split()[-1])


def test_if_empty_does_nothing_on_a_second_run():
    seed("--if-empty")
    before = (Compound.objects.count(), MonthlyRecord.objects.count(), User.objects.count())
    output = seed("--if-empty", "--seed", "99")
    assert "跳过" in output
    assert (Compound.objects.count(), MonthlyRecord.objects.count(), User.objects.count()) == before


def test_no_monthly_leaves_monthly_data_out():
    seed("--no-monthly")
    assert Compound.objects.exists()
    assert not MonthlyReport.objects.exists()


def test_indicators_are_computed_for_every_month_with_data_unless_asked_not_to():
    from metrics.models import IndicatorValue

    out = StringIO()
    call_command("seed_demo", "--compounds", "200", "--months", "2", "--today", TODAY, stdout=out)
    periods = set(IndicatorValue.objects.filter(area_level="city").values_list("period", flat=True))
    assert periods == {datetime.date(2026, 9, 1), datetime.date(2026, 10, 1), datetime.date(2026, 11, 1)}
    formation = IndicatorValue.objects.get(indicator_id="committee_formation_rate", area_level="city",
                                           period=datetime.date(2026, 10, 1))
    assert formation.denominator > 0 and formation.value is not None


def test_the_demo_has_this_years_selection_round_open_for_public_voting():
    from selection import stages
    from selection.models import RoundState, SelectionRound, StageKind

    seed()
    day = datetime.date.fromisoformat(TODAY)
    selection_round = SelectionRound.objects.get(year=day.year)
    assert selection_round.state == RoundState.OPEN
    assert stages.allows(selection_round, StageKind.PUBLIC_VOTING, day)
    assert not stages.allows(selection_round, StageKind.SCORING, day)
    assert set(selection_round.nominations.values_list("street__code", flat=True)) == set(NAMED_STREETS)
    assert selection_round.criteria.get(code="material_review").assignments.get().judge.username == "judge"
    seed("--flush")  # a second run keeps the year's round
    assert SelectionRound.objects.filter(year=day.year).count() == 1
