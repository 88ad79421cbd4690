"""The portal's own error pages (DEBUG off): a database outage answers 503, anything else 500.

While PostgreSQL is unreachable (a restart, a failover, connections cut), a request that touches it
fails with OperationalError or InterfaceError. Every service that writes is atomic, so a request
that fails before its commit wrote nothing; the user is told so in Chinese, with Retry-After,
instead of a bare "Server Error".
Pages are rendered without the request so that no context processor reaches for the database;
under /api/ the answer is JSON in the API's error shape. Django logs the exception as usual.
"""
from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader
from django.utils.translation import gettext as _

from common.api.exceptions import error_body

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def database_unavailable_message(method: str) -> str:
    if method in SAFE_METHODS:
        return _("数据库暂时不可用，请稍后重试。")
    return _("数据库暂时不可用，您刚才提交的修改没有保存，请稍后重试。")


def database_unavailable(request) -> HttpResponse:
    message = database_unavailable_message(request.method)
    if request.path.startswith("/api/"):
        response = JsonResponse(error_body("database_unavailable", message), status=503,
                                json_dumps_params={"ensure_ascii": False})
    else:
        response = HttpResponse(loader.render_to_string("503.html", {"message": message}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request) -> HttpResponse:
    """handler500: Django calls it while handling the exception, so sys.exc_info() names it."""
    if isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        return database_unavailable(request)
    if request.path.startswith("/api/"):
        return JsonResponse(error_body("server_error", _("服务器内部错误，请稍后重试。")), status=500,
                            json_dumps_params={"ensure_ascii": False})
    return HttpResponse(loader.render_to_string("500.html"), status=500)
