"""Read replicas (quanzhou_pm.db_router): dashboards and the read-only API feeds read from a replica;
sign-in, sessions, API tokens and every write stay on the primary; an unreachable replica falls back
to the primary.

A replica here is a second connection to the test database, declared the way settings/database.py
declares one (a test mirror of `default`). Its rows are only visible once committed, so these tests
commit (transaction=True).
"""
import copy
import datetime
import socket
from contextlib import ExitStack, contextmanager

import pytest
from django.db import DEFAULT_DB_ALIAS, connections, router
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from communities.models import Community, Compound
from districts.models import Street
from metrics.services import recompute_range
from quanzhou_pm import db_router
from quanzhou_pm.db_router import replica_reads
from quanzhou_pm.settings.database import replica_databases
from reporting.services import monthly_report_get_or_create
from tests.api_clients import token_client
from tests.factories import CompoundFactory, city_staff, street_officer

REPLICA, SECOND_REPLICA = "replica1", "replica2"
MARCH, MAY = datetime.date(2024, 3, 1), datetime.date(2024, 5, 1)
PASSWORD = "测试密码-Quanzhou-2024"
# Tables the request machinery reads before any view runs: the session and the signed-in user.
SIGN_IN_TABLES = ("django_session", "accounts_user")
# Besides signing in, a page counts the user's unread notices (the bell) on the primary: their own state.
USER_STATE_TABLES = (*SIGN_IN_TABLES, "notifications_notification")

# The replica connections only see committed rows.
commits = pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA, SECOND_REPLICA])
# Requests that must not touch a replica at all: Django fails the test on any use of a database
# left out of `databases`, connecting included.
primary_only = pytest.mark.django_db(databases=[DEFAULT_DB_ALIAS])
pytestmark = pytest.mark.usefixtures("replicas")


def _mirror_of_default(**changes) -> dict:
    config = copy.deepcopy(connections[DEFAULT_DB_ALIAS].settings_dict)
    config["TEST"] = {**config["TEST"], "MIRROR": DEFAULT_DB_ALIAS}
    return {**config, **changes}


def _configure(alias: str, config: dict | None) -> None:
    if alias in connections.settings:
        connections[alias].close()
        del connections[alias]
    if config is None:
        connections.settings.pop(alias, None)
    else:
        connections.settings[alias] = config


def _unreachable_settings() -> dict:
    if connections[DEFAULT_DB_ALIAS].vendor == "sqlite":
        return _mirror_of_default(NAME="/nonexistent-directory/replica.sqlite3")
    with socket.socket() as probe:  # a port nothing listens on once the probe is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return _mirror_of_default(HOST="127.0.0.1", PORT=port)


@pytest.fixture(scope="module")
def replicas(django_db_setup):
    """Two replica aliases on the test database, for this module only."""
    previous = {alias: connections.settings.get(alias) for alias in (REPLICA, SECOND_REPLICA)}
    for alias in previous:
        _configure(alias, _mirror_of_default())
    with override_settings(DATABASE_REPLICAS=[REPLICA]):
        yield
    for alias, config in previous.items():
        _configure(alias, config)


@pytest.fixture
def unreachable_replica():
    _configure(REPLICA, _unreachable_settings())
    yield
    _configure(REPLICA, _mirror_of_default())
    db_router._resting_until.clear()


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def compound():
    return CompoundFactory(households=120)


@pytest.fixture
def computed(compound):
    recompute_range(first=MARCH, last=MARCH)
    return compound


@contextmanager
def captured(*aliases):
    with ExitStack() as stack:
        yield [stack.enter_context(CaptureQueriesContext(connections[alias])) for alias in aliases]


def sql(queries) -> list[str]:
    return [query["sql"] for query in queries]


def reads(queries, table: str) -> bool:
    return any(f'"{table}"' in statement for statement in sql(queries))


def only_sign_in(queries) -> bool:
    """The session and the signed-in user were read from this connection, and nothing else was (but a
    page's count of the user's unread notices)."""
    return (all(reads(queries, table) for table in SIGN_IN_TABLES)
            and all(any(f'"{table}"' in statement for table in USER_STATE_TABLES) for statement in sql(queries)))


@commits
@pytest.mark.parametrize("name", ["overview", "laggards"])
def test_a_dashboard_page_reads_its_data_from_the_replica(client, computed, name):
    client.force_login(city_staff())
    with captured(DEFAULT_DB_ALIAS, REPLICA) as (primary, replica):
        response = client.get(reverse(f"dashboard:{name}"), {"period": "2024-03"})
    assert response.status_code == 200
    assert reads(replica, "metrics_indicatorvalue")
    assert only_sign_in(primary), sql(primary)


@commits
def test_the_session_and_the_signed_in_user_are_read_from_the_primary(client, compound):
    client.force_login(street_officer(compound.community.street))
    with captured(DEFAULT_DB_ALIAS, REPLICA) as (primary, replica):
        response = client.get(reverse("dashboard:street", kwargs={"code": compound.community.street.code}))
    assert response.status_code == 200
    assert reads(primary, "django_session") and reads(primary, "accounts_user")
    assert not reads(replica, "django_session") and not reads(replica, "accounts_user")


@commits
def test_the_definitions_page_renders_its_template_from_the_replica(client):
    client.force_login(city_staff())
    with captured(DEFAULT_DB_ALIAS, REPLICA) as (primary, replica):
        response = client.get(reverse("metrics:definitions"))
    assert response.status_code == 200 and "业委会组建率" in response.content.decode()
    # The indicators and their targets are read while the template renders.
    assert reads(replica, "metrics_indicator") and reads(replica, "metrics_target")
    assert only_sign_in(primary), sql(primary)


@commits
def test_the_indicator_values_feed_reads_from_the_replica_and_its_token_from_the_primary(computed):
    api = token_client(city_staff())
    with captured(DEFAULT_DB_ALIAS, REPLICA) as (primary, replica):
        response = api.get("/api/v1/indicator-values/", {"period_from": "2024-03", "period_to": "2024-03"})
    assert response.status_code == 200 and response.json()["results"]
    assert reads(replica, "metrics_indicatorvalue")
    assert reads(primary, "accounts_apitoken") and not reads(replica, "accounts_apitoken")
    assert not reads(primary, "metrics_indicatorvalue")


@commits
def test_an_unchanged_feed_page_still_answers_304_to_its_etag(computed):
    api = token_client(city_staff())
    first = api.get("/api/v1/indicator-values/")
    assert api.get("/api/v1/indicator-values/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


@commits
def test_a_streamed_csv_feed_reads_its_rows_from_the_replica(computed):
    api = token_client(city_staff())
    with captured(DEFAULT_DB_ALIAS, REPLICA) as (primary, replica):
        response = api.get("/api/v1/indicator-values/", {"format": "csv"})
        body = b"".join(response.streaming_content).decode()
    assert response.status_code == 200 and "committee_formation_rate" in body
    assert reads(replica, "metrics_indicatorvalue") and not reads(primary, "metrics_indicatorvalue")


@commits
def test_a_registry_list_for_a_signed_in_user_reads_the_session_from_the_primary(client, compound):
    client.force_login(city_staff())
    with captured(DEFAULT_DB_ALIAS, REPLICA) as (primary, replica):
        response = client.get("/api/v1/compounds/")
    assert response.status_code == 200 and response.json()["results"]
    assert reads(replica, "communities_compound")
    assert only_sign_in(primary), sql(primary)


@primary_only
def test_an_officers_monthly_grid_reads_and_saves_on_the_primary(client, compound):
    street = compound.community.street
    report = monthly_report_get_or_create(street=street, period=MAY)
    client.force_login(street_officer(street))
    url = reverse("reporting:grid", kwargs={"street_code": street.code, "period": "2024-05"})
    assert client.get(url).status_code == 200
    response = client.post(url, {"version": report.version, f"{compound.code}__petitions": "3"})
    assert response.status_code == 302


@primary_only
def test_signing_in_runs_every_query_on_the_primary(client):
    user = city_staff()
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302 and "_auth_user_id" in client.session


@primary_only
def test_a_post_to_a_page_that_allows_replica_reads_stays_on_the_primary(client, computed):
    client.force_login(city_staff())
    api = token_client(city_staff(), can_write=True)
    assert client.post(reverse("dashboard:overview"), {"period": "2024-03"}).status_code == 200
    assert api.post("/api/v1/indicator-values/", {}).status_code == 405


@commits
@pytest.mark.usefixtures("unreachable_replica")
def test_an_unreachable_replica_falls_back_to_the_primary(client, computed):
    client.force_login(city_staff())
    api = token_client(city_staff())
    with captured(DEFAULT_DB_ALIAS) as (primary,):
        page = client.get(reverse("dashboard:overview"), {"period": "2024-03"})
        feed = api.get("/api/v1/indicator-values/")
    assert page.status_code == 200 and feed.status_code == 200 and feed.json()["results"]
    assert reads(primary, "metrics_indicatorvalue")


@commits
@pytest.mark.usefixtures("unreachable_replica")
def test_an_unreachable_replica_is_skipped_for_a_reachable_one(client, computed, settings):
    settings.DATABASE_REPLICAS = [REPLICA, SECOND_REPLICA]
    client.force_login(city_staff())
    with captured(DEFAULT_DB_ALIAS, SECOND_REPLICA) as (primary, second):
        assert client.get(reverse("dashboard:overview"), {"period": "2024-03"}).status_code == 200
    assert reads(second, "metrics_indicatorvalue")
    assert only_sign_in(primary), sql(primary)


@commits
@pytest.mark.usefixtures("unreachable_replica")
def test_an_unreachable_replica_rests_before_it_is_tried_again(client, computed, monkeypatch, caplog):
    client.force_login(city_staff())
    overview = reverse("dashboard:overview")
    with caplog.at_level("WARNING", logger=db_router.__name__):
        assert client.get(overview, {"period": "2024-03"}).status_code == 200
        assert client.get(overview, {"period": "2024-03"}).status_code == 200
    # One failed connect; the second request did not try the replica again.
    assert [r.getMessage() for r in caplog.records if r.name == db_router.__name__] == [
        f"Read replica {REPLICA} is unreachable; not tried again for {db_router.REPLICA_REST_SECONDS} s."]
    now = db_router.time.monotonic()
    monkeypatch.setattr(db_router.time, "monotonic", lambda: now + db_router.REPLICA_REST_SECONDS + 1)
    _configure(REPLICA, _mirror_of_default())
    with captured(REPLICA) as (replica,):
        assert client.get(overview, {"period": "2024-03"}).status_code == 200
    assert reads(replica, "metrics_indicatorvalue")


@commits
def test_writes_go_to_the_primary_even_inside_a_replica_scope():
    from_replica = Compound()
    from_replica._state.db = REPLICA
    with replica_reads():
        assert router.db_for_read(Compound) == REPLICA
        assert router.db_for_write(Compound, instance=from_replica) == DEFAULT_DB_ALIAS
    # Outside the scope even the related objects of a replica's row are read from the primary.
    assert router.db_for_read(Compound, instance=from_replica) == DEFAULT_DB_ALIAS


def test_objects_from_a_replica_and_the_primary_may_be_related():
    community, street = Community(), Street()
    community._state.db, street._state.db = REPLICA, DEFAULT_DB_ALIAS
    assert router.allow_relation(community, street)


def test_only_the_primary_is_migrated():
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "communities")
    assert not router.allow_migrate(REPLICA, "communities")


def test_replica_urls_become_numbered_aliases_with_the_primarys_connection_options():
    replicas = replica_databases(["postgres://reader@db-replica-a:5432/quanzhou_pm",
                                  "postgres://reader@db-replica-b:5432/quanzhou_pm?connect_timeout=1"])
    assert list(replicas) == [REPLICA, SECOND_REPLICA]
    assert [config["HOST"] for config in replicas.values()] == ["db-replica-a", "db-replica-b"]
    assert all(config["CONN_HEALTH_CHECKS"] and config["TEST"] == {"MIRROR": DEFAULT_DB_ALIAS}
               for config in replicas.values())
    assert [config["OPTIONS"]["connect_timeout"] for config in replicas.values()] == [3, 1]


def test_no_replica_urls_add_no_databases():
    assert replica_databases([]) == {}
