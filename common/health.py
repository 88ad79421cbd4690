"""Liveness and readiness for the load balancer and systemd: JSON, no authentication, no data."""
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@never_cache
@require_GET
def healthz(request):
    """The process is up and answering."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    """The database answers, and the broker too when one is configured: only then send traffic here."""
    checks = {"database": _database_ok()}
    if settings.CELERY_BROKER_URL:
        checks["broker"] = _broker_ok()
    ready = all(checks.values())
    return JsonResponse({"status": "ok" if ready else "unavailable",
                         "checks": {name: "ok" if ok else "failed" for name, ok in checks.items()}},
                        status=200 if ready else 503)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:  # any failure means not ready; the reason belongs in the logs, not the answer
        return False


def _broker_ok() -> bool:
    from quanzhou_pm.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False
