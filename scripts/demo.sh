#!/usr/bin/env bash
# Set up and run the portal with demo data on the embedded default (SQLite, eager Celery tasks).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
export DEBUG="${DEBUG:-true}"
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py seed_demo --if-empty
exec .venv/bin/python manage.py runserver "${PORT:-8000}"
