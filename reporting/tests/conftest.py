import datetime
from io import BytesIO

import pytest
from openpyxl import load_workbook

from reporting.excel import monthly_template
from reporting.services import monthly_report_get_or_create
from reporting.validation import RowInput
from tests.factories import CommunityFactory, CompoundFactory, StreetFactory, city_staff, district_staff, street_officer

PERIOD = datetime.date(2024, 5, 1)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The factories hash a password per user; the production hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def street():
    return StreetFactory(name="鲤中街道")


@pytest.fixture
def community(street):
    return CommunityFactory(street=street)


@pytest.fixture
def compounds(community):
    return [CompoundFactory(community=community, code="C0001", name="泉秀花园"),
            CompoundFactory(community=community, code="C0002", name="温陵小区")]


@pytest.fixture
def officer(street):
    return street_officer(street)


@pytest.fixture
def reviewer(street):
    return district_staff(street.district)


@pytest.fixture
def city():
    return city_staff()


@pytest.fixture
def other_street(street):
    return StreetFactory(district=street.district, name="江南街道")


@pytest.fixture
def media(settings, tmp_path):
    """Private storage (kept Excel uploads) in a fresh folder."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def report(street, compounds):
    return monthly_report_get_or_create(street=street, period=PERIOD)


def row(code, **values):
    return RowInput(code, {name: value for name, value in values.items()})


def filled_template(street, cells, period=PERIOD) -> bytes:
    """The street's monthly template with some cells of the data sheet filled ({"E2": 5})."""
    workbook = load_workbook(BytesIO(monthly_template(street=street, period=period)))
    for ref, value in cells.items():
        workbook.worksheets[0][ref] = value
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
