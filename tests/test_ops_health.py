"""/healthz and /readyz: open to the load balancer, JSON, and nothing else in them."""
import pytest

from quanzhou_pm.celery import app

pytestmark = pytest.mark.django_db


@pytest.fixture
def broker(settings):
    """Point the settings and the Celery app at a broker URL for one test."""
    original = app.conf.broker_url

    def use(url):
        settings.CELERY_BROKER_URL = url
        app.conf.broker_url = url

    yield use
    app.conf.broker_url = original


def test_healthz_answers_without_a_login(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_the_database_and_no_broker_when_none_is_configured(client, settings):
    settings.CELERY_BROKER_URL = None

    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}


def test_readyz_is_unavailable_when_the_broker_cannot_be_reached(client, broker):
    broker("redis://127.0.0.1:1/0")

    response = client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "broker": "failed"}


def test_readyz_with_a_live_broker_is_ready(client, broker, redis_url):
    broker(redis_url)

    response = client.get("/readyz")

    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}
