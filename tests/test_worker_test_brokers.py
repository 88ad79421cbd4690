"""Each test run claims a Redis database of its own for its worker tests' broker (tests/brokers.py)."""
import pytest
import redis

from tests.brokers import BROKER_OWNER_KEY, claim_broker_database, empty_broker

pytestmark = pytest.mark.redis


def _server_and_database(url: str) -> tuple[str, int]:
    server, number = url.rsplit("/", 1)
    return server, int(number)


def test_another_run_claims_another_database(broker_url):
    server, ours = _server_and_database(broker_url)

    other = claim_broker_database(server, "another-run")
    try:
        assert other is not None and other != ours
        assert redis.Redis.from_url(broker_url).get(BROKER_OWNER_KEY) != b"another-run"
    finally:
        redis.Redis.from_url(f"{server}/{other}").delete(BROKER_OWNER_KEY)


def test_emptying_the_broker_drops_its_messages_but_keeps_the_claim(broker_url):
    client = redis.Redis.from_url(broker_url)
    owner = client.get(BROKER_OWNER_KEY).decode()
    client.rpush("celery", "a message of this run")

    empty_broker(broker_url, owner)

    assert client.exists("celery") == 0
    assert client.get(BROKER_OWNER_KEY).decode() == owner
    assert 0 < client.ttl(BROKER_OWNER_KEY)
