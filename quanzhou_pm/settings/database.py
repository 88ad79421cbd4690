import dj_database_url

from .base import BASE_DIR
from .env import env, env_int

# Embedded default for local development: SQLite in the project folder.
# Production and CI set DATABASE_URL=postgres://... (psycopg 3).
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {})
    # WAL + a busy timeout let the dev server and an eager Celery task share the file.
    DATABASES["default"]["OPTIONS"].update({"timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"})
    DATABASES["default"]["CONN_MAX_AGE"] = 0
