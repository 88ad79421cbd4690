"""districts 0004 moves the invented area codes of districts 0002 onto the national ones, and
every copy of a code follows. Run as the data migrations are replayed (conftest.DATA_MIGRATIONS):
its operation's code with the project's app registry."""
import datetime
import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import timezone

from communities.models import Community
from districts.models import District, Street, ZoneAdministration
from metrics.models import IndicatorValue, Target
from tests.factories import CommunityFactory

pytestmark = pytest.mark.django_db

INVENTED = importlib.import_module("districts.migrations.0002_quanzhou_areas").STREETS
MIGRATION = importlib.import_module("districts.migrations.0004_official_division_codes")


def _migrate():
    for operation in MIGRATION.Migration.operations:
        operation.code(apps, None)


def _migrate_with_copies():
    _migrate()
    for operation in importlib.import_module("districts.migrations.0005_code_copies_follow").Migration.operations:
        operation.code(apps, None)


@pytest.fixture
def invented_codes():
    """The areas as districts 0002 left them: its invented street codes, 东园镇 under the zone only."""
    ZoneAdministration.objects.all().delete()
    for code, name, _kind, _district in INVENTED:
        Street.objects.filter(name=name).update(code=f"~{code}")
    for code, name, _kind, _district in INVENTED:
        Street.objects.filter(code=f"~{code}").update(code=code)
    return {name: code for code, name, _kind, _district in INVENTED}


def test_a_fresh_database_has_the_official_codes_of_the_campaign_streets():
    official = {"鲤中街道": "350502003", "江南街道": "350502006", "丰泽街道": "350503002", "东湖街道": "350503001",
                "万安街道": "350504001", "山腰街道": "350505001", "池店镇": "350582107", "青阳街道": "350582001",
                "灵秀镇": "350581100", "美林街道": "350583003", "崇武镇": "350521107", "凤城镇": "350524100",
                "桃城镇": "350525100", "龙浔镇": "350526101", "东园镇": "350521105"}
    assert dict(Street.objects.values_list("name", "code")) == official
    assert Street.objects.get(code="350521105").district.code == "350500TZ"
    assert ZoneAdministration.objects.get(street__code="350521105").zone.code == "350500TZ"


def test_codes_move_to_the_official_ones_through_the_swap(invented_codes, capsys):
    _migrate()
    assert Street.objects.get(code="350502003").name == "鲤中街道"
    assert Street.objects.get(code="350503001").name == "东湖街道"
    assert Street.objects.get(code="350503002").name == "丰泽街道"
    assert "丰泽街道: 350503001 → 350503002" in capsys.readouterr().out
    assert Street.objects.get(name="东园镇").code == "350521105"
    assert ZoneAdministration.objects.get(street__name="东园镇").zone == District.objects.get(code="350500TZ")


def test_each_area_keeps_its_old_code_in_its_history(invented_codes):
    _migrate()
    latest = Street.objects.get(name="鲤中街道").history.first()
    assert (latest.code, latest.history_change_reason) == ("350502003", "区划代码 350502001 → 350502003（统计用区划代码）")


def test_published_values_and_targets_follow_their_area(invented_codes):
    now, month = timezone.now(), datetime.date(2024, 12, 1)
    for code in ("350503001", "350503002"):
        IndicatorValue.objects.create(indicator_id="committee_formation_rate", area_level="street", area_code=code,
                                      period=month, numerator=Decimal(int(code[-1])), denominator=10, computed_at=now)
    Target.objects.create(indicator_id="committee_formation_rate", area_level="street", area_code="350502001",
                          threshold=80, deadline="2025-05-31")
    _migrate()
    numerators = dict(IndicatorValue.objects.filter(period=month).values_list("area_code", "numerator"))
    assert numerators == {"350503002": 1, "350503001": 2}  # 丰泽街道's value stays 丰泽街道's
    assert Target.objects.filter(area_code="350502003").exists()


def test_a_community_matching_an_official_one_takes_its_code(invented_codes):
    street = Street.objects.get(name="鲤中街道")
    CommunityFactory(street=street, code="350502001001", name="新峰社区")
    _migrate()
    assert Community.objects.get(name="新峰社区").code == "350502003001"


def test_an_unmatched_area_does_not_keep_a_code_the_data_gives_to_another(invented_codes, capsys):
    # 350502001 is 海滨街道 in the data: a portal community under 鲤中街道 coded after the old street code
    # would otherwise answer for a 海滨街道 community.
    street = Street.objects.get(name="鲤中街道")
    CommunityFactory(street=street, code="350502001001", name="演示社区")
    CommunityFactory(street=street, code="T99", name="另一个演示社区")
    _migrate()
    assert Community.objects.get(name="演示社区").code == "350502001001X"
    assert Community.objects.get(name="另一个演示社区").code == "T99"


def test_running_it_again_changes_nothing(capsys):
    _migrate()
    assert capsys.readouterr().out == ""


def test_links_in_earlier_notifications_follow_the_street(invented_codes):
    from notifications.models import Notification
    from tests.factories import UserFactory

    user = UserFactory()
    fengze = Notification.objects.create(recipient=user, kind="report_submitted", event_key="a", title="丰泽街道",
                                         url="/reports/350503001/2024-05/")
    donghu = Notification.objects.create(recipient=user, kind="report_submitted", event_key="b", title="东湖街道",
                                         url="/reports/350503002/2024-05/")
    _migrate_with_copies()
    fengze.refresh_from_db()
    donghu.refresh_from_db()
    assert (fengze.url, donghu.url) == ("/reports/350503002/2024-05/", "/reports/350503001/2024-05/")


def test_a_saved_pivot_follows_its_area(invented_codes):
    from analysis.models import SavedPivot
    from tests.factories import UserFactory

    pivot = SavedPivot.objects.create(owner=UserFactory(), name="丰泽街道各月",
                                      params={"indicator": ["committee_formation_rate"], "area": "350503001"})
    _migrate_with_copies()
    pivot.refresh_from_db()
    assert pivot.params["area"] == "350503002"
