import datetime

import pytest

from metrics.services import recompute_range
from metrics.tests.conftest import MARCH, world  # noqa: F401  (the hand-built city of the engine's tests)

JANUARY = datetime.date(2024, 1, 1)


@pytest.fixture
def computed(world, settings):  # noqa: F811
    """The hand-built city with January to March 2024 published, January the baseline."""
    settings.METRICS_BASELINE_PERIOD = "2024-01"
    recompute_range(first=JANUARY, last=MARCH)
    return world


@pytest.fixture
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT
