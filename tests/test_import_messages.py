"""What an import tells an officer about a code outside their area: exactly what it tells them about a
code that does not exist, so files cannot be used to find out which codes exist in other areas.

A registry row whose own code was taken in another street got Django's "具有 小区代码 的 住宅小区 已存在",
where a reference to an unknown code gets "找不到…，或它不在您的管辖范围内". The monthly upload and the
registry references already answered alike; they are held to it here too.
"""
import csv
import datetime
import io

import pytest
from django.db import models

from accounts.scope import AreaScope
from committees.resources import PartyOrganisationResource
from communities.models import Compound
from communities.resources import CommunityResource, CompoundResource
from reporting.services import monthly_records_plan
from reporting.validation import RowInput
from tests.factories import CompoundFactory, PartyOrganisationFactory, street_officer
from tests.registry_files import export_file, import_file, row_errors

pytestmark = pytest.mark.django_db

MISSING = "Z99999999"


@pytest.fixture
def mine():
    return CompoundFactory()


@pytest.fixture
def theirs():
    return CompoundFactory()


def errors_importing(resource_class, user, source: models.Model, replace: dict[str, str]) -> list[str]:
    """The row errors of a dry-run import, by `user`, of `source`'s exported row with some text replaced."""
    header, line = export_file(resource_class(), "csv", type(source).objects.filter(pk=source.pk)).splitlines()[:2]
    for old, new in replace.items():
        line = line.replace(old, new)
    result = import_file(resource_class(scope=AreaScope.for_user(user)), f"{header}\n{line}\n".encode(), "csv",
                         dry_run=True)
    return row_errors(result)


def as_if(messages: list[str], code: str, instead: str) -> list[str]:
    return [message.replace(code, instead) for message in messages]


@pytest.mark.parametrize("resource_class, of", [
    (CompoundResource, lambda compound: compound),
    (CommunityResource, lambda compound: compound.community),
    (PartyOrganisationResource, lambda compound: PartyOrganisationFactory(street=compound.community.street)),
])
def test_a_row_whose_code_is_taken_in_another_area_is_told_what_an_unknown_reference_is_told(
        mine, theirs, resource_class, of):
    officer = street_officer(mine.community.street)
    own, taken = of(mine), of(theirs)
    name = "credit_code" if hasattr(own, "credit_code") else "code"
    code, their_code = getattr(own, name), getattr(taken, name)

    refused = errors_importing(resource_class, officer, own, {code: their_code})

    assert refused == [f"找不到{type(own)._meta.verbose_name}“{their_code}”，或它不在您的管辖范围内。"]
    assert not any("已存在" in message for message in refused)
    assert type(own).objects.filter(**{name: their_code}).get() == taken, "nothing changed"


def errors_merging_into(officer, compound, code: str) -> list[str]:
    """The errors of a dry-run import of `compound`'s row saying it was merged into `code`."""
    dataset = CompoundResource().export(Compound.objects.filter(pk=compound.pk))
    values = dict(zip(dataset.headers, dataset[0]))
    values[CompoundResource().fields["merged_into"].column_name] = code
    buffer = io.StringIO()
    csv.writer(buffer).writerows([dataset.headers, ["" if values[h] is None else values[h] for h in dataset.headers]])
    result = import_file(CompoundResource(scope=AreaScope.for_user(officer)), buffer.getvalue().encode(), "csv",
                         dry_run=True)
    return row_errors(result)


def test_the_same_words_for_a_reference_to_another_areas_code_and_to_no_code_at_all(mine, theirs):
    officer = street_officer(mine.community.street)
    elsewhere = errors_merging_into(officer, mine, theirs.code)
    assert as_if(elsewhere, theirs.code, MISSING) == errors_merging_into(officer, mine, MISSING) == [
        f"找不到住宅小区“{MISSING}”，或它不在您的管辖范围内。"]


def test_a_monthly_row_with_another_streets_code_reads_like_one_with_a_code_that_does_not_exist(mine, theirs):
    street = mine.community.street

    def refused(code: str) -> list[str]:
        plan = monthly_records_plan(street=street, period=datetime.date(2024, 5, 1),
                                    rows=[RowInput(code, {"petitions": 1}, 2)])
        return [error.message for error in plan.errors]

    assert as_if(refused(theirs.code), theirs.code, MISSING) == refused(MISSING) != []
