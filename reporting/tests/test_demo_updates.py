"""The embedded default (no broker, so no beat and no worker) shows approved data on the dashboards
without anyone running a recompute: the stale marks an approval leaves are drained once it commits."""
import pytest
from django.test import Client
from django.urls import reverse

from metrics.models import IndicatorValue, StaleStreetMonth
from reporting.models import ReportState
from reporting.periods import latest_due_month
from reporting.services import monthly_records_save, monthly_report_get_or_create, monthly_report_submit
from tests.factories import CommunityFactory, CompoundFactory, StreetFactory, district_staff, street_officer

from .conftest import row

# The drain runs after commit, as in a request of the demo: no test transaction around it.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def embedded_default(settings):
    """The demo's settings: eager tasks and the in-process beat, with the default settle delay and clock check."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.EAGER_BEAT = True
    return settings


def test_an_approval_is_on_the_streets_dashboard_on_the_next_page(embedded_default):
    period = latest_due_month()
    street = StreetFactory(name="鲤中街道")
    community = CommunityFactory(street=street)
    CompoundFactory(community=community, code="C0001")
    CompoundFactory(community=community, code="C0002")
    officer, reviewer = street_officer(street), district_staff(street.district)
    report = monthly_report_get_or_create(street=street, period=period)
    monthly_records_save(report=report, rows=[row("C0001", weekly_meetings=4), row("C0002", petitions=1)],
                         actor=officer, expected_version=report.version, source="t")
    report = monthly_report_submit(report=report, actor=officer)
    client = Client()
    client.force_login(reviewer)

    response = client.post(reverse("reporting:action", kwargs={"street_code": street.code, "period": period,
                                                               "action": "approve"}), {"version": report.version})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.state == ReportState.APPROVED

    coverage = IndicatorValue.objects.get(indicator__code="consultation_coverage", area_level="street",
                                          area_code=street.code, period=period)
    assert (coverage.numerator, coverage.denominator) == (1, 2)
    assert not StaleStreetMonth.objects.filter(street=street, period=period).exists()
    dashboard = client.get(reverse("dashboard:street", kwargs={"code": street.code}), {"period": f"{period:%Y-%m}"})
    assert "50.0%" in dashboard.content.decode()


def test_with_a_broker_the_marks_wait_for_beat(embedded_default):
    embedded_default.EAGER_BEAT = False  # as when CELERY_BROKER_URL is set
    period = latest_due_month()
    street = StreetFactory()
    CompoundFactory(community=CommunityFactory(street=street), code="C0001")
    report = monthly_report_get_or_create(street=street, period=period)
    monthly_records_save(report=report, rows=[row("C0001", weekly_meetings=4)], actor=street_officer(street),
                         expected_version=report.version, source="t")

    assert StaleStreetMonth.objects.filter(street=street, period=period).exists()
