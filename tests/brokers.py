"""A Redis database of its own for each test run's worker-test broker.

Test runs on one machine share its Redis: each run claims one of BROKER_DATABASES, marked by
BROKER_OWNER_KEY, so one run's emptying never drops another run's tasks.
"""
import redis

BROKER_DATABASES = (14, 13, 12, 11, 10)
BROKER_OWNER_KEY = "quanzhou_pm:test-broker-owner"
# Long enough for any run; a run that was killed frees its database when the claim expires.
BROKER_CLAIM_SECONDS = 6 * 3600


def claim_broker_database(server: str, owner: str) -> int | None:
    """The first of BROKER_DATABASES that no other run has claimed, now claimed by `owner`."""
    return next((number for number in BROKER_DATABASES
                 if redis.Redis.from_url(f"{server}/{number}", socket_connect_timeout=1)
                 .set(BROKER_OWNER_KEY, owner, nx=True, ex=BROKER_CLAIM_SECONDS)), None)


def empty_broker(url: str, owner: str) -> None:
    """Empty the claimed database but keep the claim, in one transaction."""
    with redis.Redis.from_url(url).pipeline(transaction=True) as pipe:
        pipe.flushdb().set(BROKER_OWNER_KEY, owner, ex=BROKER_CLAIM_SECONDS).execute()
