import pytest

from districts.models import City, District
from metrics.models import Indicator
from tests.factories import CompoundFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("run", [1, 2])
def test_each_transactional_test_starts_with_the_migration_data(run):
    # The first run empties every table when it ends; the second must still find the data.
    assert City.objects.filter(code="350500").exists()
    assert District.objects.filter(code="350502", name="鲤城区").exists()
    assert District.objects.count() == 13
    assert Indicator.objects.filter(code="committee_formation_rate").exists()
    CompoundFactory()
