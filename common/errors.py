"""The portal's own error pages (DEBUG off): 403, 404 and a failed CSRF check in the portal's layout,
with a way back; a database outage answers 503, anything else 500. Under /api/ every one of them is
JSON in the API's error shape (DRF's own views answer their errors themselves, in the same shape).

While PostgreSQL is unreachable (a restart, a failover, connections cut), a request that touches it
fails with OperationalError or InterfaceError. Every service that writes is atomic, so a request
that fails before its commit wrote nothing; the user is told so in Chinese, with Retry-After,
instead of a bare "Server Error".
The 500 and 503 pages are rendered without the request so that no context processor reaches for the
database; 403 and 404 show the signed-in user's navigation. Django logs the exception as usual.
"""
from __future__ import annotations

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _

from common.api.exceptions import error_body

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def _api_error(code: str, message: str, status: int) -> JsonResponse:
    return JsonResponse(error_body(code, message), status=status, json_dumps_params={"ensure_ascii": False})


def database_unavailable_message(method: str) -> str:
    if method in SAFE_METHODS:
        return _("数据库暂时不可用，请稍后重试。")
    return _("数据库暂时不可用，您刚才提交的修改没有保存，请稍后重试。")


def database_unavailable(request) -> HttpResponse:
    message = database_unavailable_message(request.method)
    if _is_api(request):
        response = _api_error("database_unavailable", message, 503)
    else:
        response = HttpResponse(loader.render_to_string("503.html", {"message": message}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _refusal_reason(exception) -> str:
    """Our services refuse with a sentence in Chinese for the user; a bare refusal, or a library's in
    English, is not shown."""
    text = str(exception or "")
    return "" if text.isascii() else text


def permission_denied(request, exception) -> HttpResponse:
    """handler403: the portal's page, with the refusal's reason when it is one of ours."""
    reason = _refusal_reason(exception)
    if _is_api(request):
        return _api_error("permission_denied", reason or _("您没有执行该操作的权限。"), 403)
    return render(request, "403.html", {"reason": reason}, status=403)


def page_not_found(request, exception) -> HttpResponse:
    """handler404. What was not found is not said: it may be another area's object."""
    if _is_api(request):
        return _api_error("not_found", _("未找到。"), 404)
    return render(request, "404.html", status=404)


def csrf_failure(request, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: an expired or forged form post."""
    if _is_api(request):
        return _api_error("csrf_failed", _("CSRF 校验失败，请刷新页面后重试。"), 403)
    return render(request, "403_csrf.html", status=403)


def server_error(request) -> HttpResponse:
    """handler500: Django calls it while handling the exception, so sys.exc_info() names it."""
    if isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        return database_unavailable(request)
    if _is_api(request):
        return _api_error("server_error", _("服务器内部错误，请稍后重试。"), 500)
    return HttpResponse(loader.render_to_string("500.html"), status=500)
