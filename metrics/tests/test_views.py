from django.urls import reverse

from tests.factories import city_staff


def test_definitions_page_shows_every_indicator_with_its_formula(client, db, django_assert_max_num_queries):
    client.force_login(city_staff())
    with django_assert_max_num_queries(8):
        response = client.get(reverse("metrics:definitions"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "业委会组建率" in content and "按户数加权的平均得分" in content
    # Written for bureau staff: no codes, no notes on how figures are stored.
    assert "<code>" not in content and "committee_formation_rate</" not in content and "数据库" not in content
    assert "≥ 95" in content


def test_definitions_page_needs_sign_in(client, db):
    assert client.get(reverse("metrics:definitions")).status_code == 302
