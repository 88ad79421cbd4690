import pytest

from districts.models import City, District


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_may_empty_tables():
    assert City.objects.filter(code="350500").exists()


@pytest.mark.django_db
def test_the_migration_loaded_areas_are_there_after_a_transactional_test():
    assert District.objects.filter(code="350502", name="鲤城区").exists()
    assert District.objects.count() == 13
