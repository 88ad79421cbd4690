"""The OpenAPI schema is generated without a warning, and the docs pages are served."""
import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_schema_generates_and_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text(encoding="utf-8")
    assert "/api/v1/compounds/{code}/" in text
    assert "tokenAuth" in text


@pytest.mark.django_db
def test_schema_is_served_as_json(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response.json()["info"]["version"] == "1.0.0"
