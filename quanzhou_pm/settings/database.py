import dj_database_url

from .base import BASE_DIR
from .env import env, env_int, env_list

_CONN_MAX_AGE = env_int("DATABASE_CONN_MAX_AGE", 60)
# A replica that does not answer must not hold a request for long: the page falls back to the primary.
_REPLICA_CONNECT_TIMEOUT = 3  # seconds; a `connect_timeout` in the URL wins


def replica_databases(urls: list[str]) -> dict[str, dict]:
    """`replica1`, `replica2`, ... for the given URLs, with the primary's connection options.

    Only quanzhou_pm.db_router sends queries there (reads that a view allows); the test runner treats
    each one as a mirror of `default` instead of creating a test database for it.
    """
    replicas = {}
    for number, url in enumerate(urls, start=1):
        config = dj_database_url.parse(url, conn_max_age=_CONN_MAX_AGE, conn_health_checks=True)
        if config["ENGINE"] == "django.db.backends.postgresql":
            config.setdefault("OPTIONS", {}).setdefault("connect_timeout", _REPLICA_CONNECT_TIMEOUT)
        config["TEST"] = {"MIRROR": "default"}
        replicas[f"replica{number}"] = config
    return replicas


# Embedded default for local development: SQLite in the project folder.
# Production and CI set DATABASE_URL=postgres://... (psycopg 3).
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=_CONN_MAX_AGE,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    # WAL + a busy timeout let the dev server and an eager Celery task share the file.
    DATABASES["default"]["OPTIONS"].update({"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"})
    DATABASES["default"]["CONN_MAX_AGE"] = 0

# Streaming read replicas of the primary (comma-separated URLs). Dashboards and the read-only API
# feeds read from one of them; everything else stays on `default`. None configured: one database.
DATABASES.update(replica_databases(env_list("DATABASE_REPLICA_URLS", [])))
DATABASE_REPLICAS = [alias for alias in DATABASES if alias != "default"]
DATABASE_ROUTERS = ["quanzhou_pm.db_router.PrimaryReplicaRouter"]
