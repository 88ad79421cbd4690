"""The areas' materialised paths and the generic tree API the other apps ask."""
import datetime
import importlib

import pytest
from django.apps import apps
from django.db.models import F, Value
from django.db.models.functions import Concat

from accounts.scope import AreaScope
from communities.models import Community, Compound
from districts.models import City, District, Street
from districts.selectors import (
    ancestor_paths,
    area_ancestors,
    area_by_code,
    area_children,
    area_levels,
    child_level,
    in_area_q,
    level_model,
    lowest_level,
    parent_level,
    street_path,
    top_area,
)
from districts.services import divisions_load, street_zone_change
from tests.factories import CommunityFactory, CompoundFactory, StreetFactory, district_staff

pytestmark = pytest.mark.django_db

TREE = [(District, "city"), (Street, "district"), (Community, "street")]


@pytest.fixture
def quanzhou():
    return divisions_load(prefix="3505")


def _paths_off_their_parents() -> int:
    """Areas whose path is not their parent's path followed by their own code."""
    stale = City.objects.exclude(path=Concat(F("code"), Value("/"))).count()
    for model, parent in TREE:
        stale += model.objects.exclude(path=Concat(F(f"{parent}__path"), F("code"), Value("/"))).count()
    return stale


def test_a_load_gives_every_area_the_path_of_its_administrative_parents(quanzhou):
    assert area_by_code("350502003").path == "350500/350502/350502003/"
    assert area_by_code("350502003001").path == "350500/350502/350502003/350502003001/"
    # A zone's street sits under the zone, though its code is listed under 惠安县.
    assert area_by_code("350521105").path == "350500/350500TZ/350521105/"
    assert Community.objects.filter(street__code="350521105").exclude(
        path__startswith="350500/350500TZ/350521105/").count() == 0
    assert _paths_off_their_parents() == 0


def test_a_street_moved_out_of_its_zone_takes_its_communities_along(quanzhou):
    street = Street.objects.get(code="350521105")
    compound = CompoundFactory(community=street.communities.first())
    zone = District.objects.get(code="350500TZ")
    assert Compound.objects.filter(in_area_q(Compound, zone)).contains(compound)
    street_zone_change(street=street, zone=None, on=datetime.date(2025, 3, 1))
    assert Street.objects.get(pk=street.pk).path == "350500/350521/350521105/"
    assert _paths_off_their_parents() == 0
    assert not Compound.objects.filter(in_area_q(Compound, zone)).exists()
    assert Compound.objects.filter(in_area_q(Compound, District.objects.get(code="350521"))).contains(compound)


def test_an_area_saved_under_another_parent_moves_its_subtree():
    community = CommunityFactory()
    street, other = community.street, StreetFactory()
    street.district = other.district
    street.save()
    assert Community.objects.get(pk=community.pk).path == f"{other.district.path}{street.code}/{community.code}/"
    assert _paths_off_their_parents() == 0


def test_in_area_is_the_area_and_everything_under_it_by_each_models_own_path():
    compound = CompoundFactory()
    street = compound.community.street
    elsewhere = CompoundFactory()
    assert list(Compound.objects.filter(in_area_q(Compound, street))) == [compound]
    assert list(Compound.objects.filter(in_area_q(Compound, street.district))) == [compound]
    assert set(Compound.objects.filter(in_area_q(Compound, street.district.city))) == {compound, elsewhere}
    assert list(Street.objects.filter(in_area_q(Street, street))) == [street]
    # Rows above the area are not under it.
    assert not District.objects.filter(in_area_q(District, street)).exists()


def test_parent_children_and_ancestors_walk_the_tree():
    community = CommunityFactory()
    street = community.street
    assert community.parent == street
    assert street.district.city.parent is None
    assert list(area_children(street)) == [community]
    assert list(area_children(street.district)) == [street]
    assert list(area_children(community)) == []
    assert area_ancestors(community) == [street.district.city, street.district, street]
    assert (community.parent_id, street.parent_id, street.district.city.parent_id) == (street.pk, street.district_id, None)
    assert top_area() == street.district.city
    assert ancestor_paths(community.path) == [street.district.city.path, street.district.path, street.path]


def test_levels_know_their_model_and_the_level_above():
    assert level_model("street") is Street and level_model("community") is Community
    assert [parent_level(level) for level in ("city", "district", "street", "community")] == [
        None, "city", "district", "street"]
    assert lowest_level(CommunityFactory()) and not lowest_level(StreetFactory())
    assert area_levels() == ["city", "district", "street", "community"]
    assert [child_level(level) for level in area_levels()] == ["district", "street", "community", None]


def test_the_street_a_row_belongs_to_follows_from_its_area_path():
    from committees.models import PartyOrganisation
    from communities.models import PropertyFirm, ServiceContract

    assert street_path(Compound) == "community__street"
    assert street_path(ServiceContract) == "compound__community__street"
    assert street_path(Community) == "street"
    assert street_path(PartyOrganisation) == "street"
    # Area-wide rows: a district's firms, an area's own record at street level and above.
    assert street_path(PropertyFirm) is None
    assert street_path(Street) is None and street_path(District) is None


def test_a_zones_staff_see_the_compounds_of_the_streets_it_administers(quanzhou):
    street = Street.objects.get(code="350521105")
    compound = CompoundFactory(community=street.communities.first())
    huian = CompoundFactory(community=Community.objects.filter(street__code="350521107").first())
    scope = AreaScope.for_user(district_staff(District.objects.get(code="350500TZ")))
    assert list(scope.filter(Compound.objects.all())) == [compound]
    assert scope.sees_whole(street) and not scope.sees_whole(huian.community.street)


def test_the_migration_backfills_every_path(quanzhou):
    City.objects.update(path="")
    Street.objects.update(path="x/")
    Community.objects.update(path="")
    for name in ("districts.migrations.0006_area_tree_paths", "communities.migrations.0005_area_tree_paths"):
        for operation in importlib.import_module(name).Migration.operations:
            if hasattr(operation, "code"):
                operation.code(apps, None)
    assert _paths_off_their_parents() == 0
    assert area_by_code("350521105").path == "350500/350500TZ/350521105/"
